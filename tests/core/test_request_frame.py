"""The request within an instruction that carries its own material, and the rows that mix it in."""

import numpy as np
import pytest

from explorer.core.analysis import request_frame as rf

PASSAGE = "x " * 150


def test_an_announcing_first_line_is_the_request():
    assert rf.request_of("找出句子中的疾病实体：\n患者有高血压病史十年。") == "找出句子中的疾病实体："
    text = "Translate the following:\r\nBonjour tout le monde.\r\nAnswer in one line please."
    assert rf.request_of(text) == "Translate the following:\nAnswer in one line please."
    assert rf.request_of("列出地名：\n我们从成都出发。\n答：") == "列出地名："  # a stub closes nothing


def test_words_announcing_a_long_material_on_the_same_line_are_the_request():
    request = "改进以下文本，用于视频脚本介绍："
    assert rf.request_of(request + "大家好，欢迎来到我们的频道。" * 20) == request
    assert rf.request_of(f"Proofread this: {PASSAGE}") == "Proofread this:"
    assert rf.request_of(f"Proofread this: {PASSAGE}\n{PASSAGE}\nKeep it short.") == "Proofread this:\nKeep it short."
    assert rf.request_of("改进以下文本：" + "短句。" * 10) is None  # the material is short: the text is its own request
    assert rf.request_of("问题：" + "天空为什么是蓝色的？" * 30) is None  # a field label
    assert rf.request_of(f"See https://example.com/a for the rules {PASSAGE}") is None  # a link's colon
    assert rf.request_of(f"We met at 10:30 and talked {PASSAGE}") is None  # a time's
    assert rf.request_of(f"扩写以下心得至1500字:2023年{PASSAGE}") == "扩写以下心得至1500字:"  # not a time
    assert rf.request_of(f"def compute_total(items): {PASSAGE}") is None  # code
    assert rf.request_of(f"Proofread this: {PASSAGE}\n{PASSAGE}") == "Proofread this:"  # two lines: no closing
    assert rf.request_of("x" * 160 + "：" + "y" * 300) is None  # the words before the colon are no short request


def test_a_long_text_is_read_as_first_and_closing_lines():
    text = f"Summarize the dialogue below.\n{PASSAGE}\nWhat did they agree on?"
    assert rf.request_of(text) == "Summarize the dialogue below.\nWhat did they agree on?"
    stub = f"根据对话给出诊疗报告\n{PASSAGE}\n说明：报告分为六个章节\n答："
    assert rf.request_of(stub) == "根据对话给出诊疗报告\n说明：报告分为六个章节\n答："
    assert rf.request_of(f"请阅读下文\n{PASSAGE}\n答：") == "请阅读下文"  # not the passage's tail


def test_field_labels_are_not_requests():
    alpaca = f"### Instruction:\nSummarize the text.\n### Input:\n{PASSAGE}\n### Response:"
    assert rf.request_of(alpaca).startswith("Summarize the text.\n")
    assert rf.request_of("Question:\nWhat is the capital of France?") is None
    assert rf.request_of(":\nfoo") is None and rf.request_of("：\n\n内容") is None
    assert rf.request_of("问题：\n天空为什么是蓝色的？") is None
    assert rf.request_of("def f(x):\n    y = x + 1\n    return y") is None
    assert rf.request_of("### Instruction:\n### Response:") is None


def test_a_short_or_one_line_text_is_its_own_request():
    assert rf.request_of("What is the capital of France?") is None
    assert rf.request_of("Write a poem.\nAbout the sea.\nIn four lines.") is None
    assert rf.request_of("y " * 300) is None
    assert rf.request_of("a\r\nb\r\nc" + " " * 300) is None  # padding is not text
    assert rf.request_of("") is None and rf.request_of("\n \n") is None


def test_requests_are_kept_once_each():
    rows, which, found = rf.requests(["Hi there", "列出地名：\n我们从成都出发。", "z", "列出地名：\n去了拉萨。"])
    assert rows.tolist() == [1, 3] and which.tolist() == [0, 0] and found == ["列出地名："]


def test_mixed_rows_are_unit_and_between_the_two():
    whole = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    request = np.array([[0.0, 1.0], [0.0, 0.0]], dtype=np.float32)
    out = rf.mixed(whole, request)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(out[0], [np.sqrt(0.5), np.sqrt(0.5)], atol=1e-6)
    np.testing.assert_allclose(out[1], [0.0, 1.0], atol=1e-6)  # no request features: the whole's


def test_with_requests_mixes_only_its_rows_for_slices_and_index_arrays():
    base = np.eye(6, 2, dtype=np.float16) + np.eye(6, 2, k=-2, dtype=np.float16)
    requests = np.array([[0, 1], [1, 0]], dtype=np.float16)
    rows = rf.WithRequests(base, np.array([0, 4]), np.array([0, 1]), requests)
    assert len(rows) == 6 and rows.shape == (6, 2)
    half = np.float32(np.sqrt(0.5))
    np.testing.assert_allclose(rows[0:2], [[half, half], [0, 1]], atol=1e-6)
    np.testing.assert_allclose(rows[np.array([5, 4, -6])], [[0, 0], [1, 0], [half, half]], atol=1e-6)
    assert rows[3:].dtype == np.float32 and np.asarray(rows).shape == (6, 2)
    assert base[0].tolist() == [1, 0]  # the base is not written
    with pytest.raises(TypeError):
        rows[np.ones(6, dtype=bool)]
    with pytest.raises(ValueError):
        rf.WithRequests(base, np.array([4, 0]), np.array([0, 1]), requests)
    none = rf.WithRequests(base, np.array([], dtype=np.int64), np.array([], dtype=np.int64), requests[:0])
    assert none[2:4].tolist() == base[2:4].tolist()


def test_requests_are_found_once_per_dataset_and_kinds_reruns_reuse_them(tmp_path):
    """The `kind_requests` stage embeds the requests once: teaching kinds or a new threshold re-run the kinds
    stage only; the requests the user's own examples carry are embedded too (`encoded`)."""
    import dataclasses
    import json

    from explorer.core.analysis.embed_cache import EmbeddingCache
    from explorer.core.analysis.params import AnalysisParams
    from explorer.core.analysis.pipeline import Pipeline
    from explorer.core.dataset import load
    from tests.fakes import FakeEmbedder

    asks = [f"List the cooking terms in the text below:\nThe {w} was simmered slowly, then the sauce was reduced."
            for w in ("stew", "soup", "broth", "curry", "ragout", "chili")]
    plain = [f"Tell me about astronomy and the planet {p}." for p in ("Mars", "Venus", "Jupiter", "Saturn", "Mercury")]
    path = tmp_path / "d.jsonl"
    path.write_text("".join(json.dumps({"instruction": t}) + "\n" for t in asks + plain), encoding="utf-8")
    fake = FakeEmbedder()
    pipeline = Pipeline(load(path), lambda p: fake, EmbeddingCache(tmp_path / "c.sqlite"))
    params = AnalysisParams(model="fake-embedder", kind_model="same", min_cluster_size=3)
    first = pipeline.run(params)
    assert pipeline.runs["kind_requests"] == 1 and len(first.kinds) == len(asks) + len(plain)
    assert "List the cooking terms in the text below:" in fake.encoded
    assert all("judged half on its request “List the cooking terms in the text below:”" in first.kind_reasons[i]
               for i in range(len(asks)))
    assert not any("request" in reason for reason in first.kind_reasons[len(asks):])
    pipeline.set_user_examples([asks[0]], ["entity_recognition"])
    taught = pipeline.run(params)
    pipeline.run(dataclasses.replace(params, kind_threshold=0.2))
    assert pipeline.runs["kind_requests"] == 1 and pipeline.runs["kinds"] == 3
    assert taught.kinds[0] == "entity_recognition"
