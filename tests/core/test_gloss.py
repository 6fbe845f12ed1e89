"""English glosses of Chinese instructions (jieba + CC-CEDICT), which the kinds of Chinese records are judged on."""

import numpy as np

from explorer.core.analysis import gloss


def test_chinese_words_read_as_english_senses_and_latin_words_stay():
    text = gloss.english_gloss("如何在商店用假钞进行交易？请用Python写。")
    assert "counterfeit money" in text and "store" in text and "Python" in text
    assert not gloss.CJK.search(text)


def test_which_texts_are_chinese():
    texts = ["Translate this sentence.", "把这句话翻译成英文。", "Translate 你好", "", "用 SQL 查询 users 表中的全部行"]
    assert gloss.chinese_rows(texts).tolist() == [1, 4]


def test_glosses_apply_to_the_english_only_model_alone():
    assert gloss.applies("all-MiniLM-L6-v2")
    assert not gloss.applies("paraphrase-multilingual-MiniLM-L12-v2")


def test_mixed_rows_are_the_unit_mean():
    out = gloss.mixed(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]))
    assert np.allclose(out, [[np.sqrt(0.5), np.sqrt(0.5)]])


def test_chinese_records_and_taught_examples_are_seen_with_their_glosses():
    from explorer.core.analysis.pipeline import Pipeline

    asked = []

    def vectors_of(texts):
        asked.extend(texts)
        return np.tile(np.array([[0.0, 1.0]], dtype=np.float32), (len(texts), 1))

    instructions = ["Summarize the text.", "总结这段文字。", "Translate this.", "翻译这句话。", "的的"]
    rows = gloss.chinese_rows(instructions)
    vectors = np.tile(np.array([[1.0, 0.0]], dtype=np.float32), (5, 1))
    pipeline = Pipeline(None)
    records = pipeline._glossed_records(instructions, rows, vectors, "m", vectors_of, None, None)
    assert rows.tolist() == [1, 3, 4] and records.dtype == np.float16
    assert asked == [gloss.english_gloss(instructions[1]), gloss.english_gloss(instructions[3])]  # "的的": none
    assert np.allclose(records[:2], np.sqrt(0.5), atol=1e-3) and np.allclose(records[2], [1, 0], atol=1e-3)
    assert pipeline._glossed_records(instructions, rows, vectors, "m", vectors_of, None, None) is records
    assert len(asked) == 2  # kept: a re-run of the kinds stage does not gloss again

    records_lex = np.eye(5, dtype=np.float16)
    bank = {"texts": ["summarize", "总结"], "gloss_vectors": np.array([[1.0, 0.0], [0.6, 0.8]], np.float32)}
    view = gloss.glossed_view(rows, records, records_lex, bank["gloss_vectors"], ["教我的例子"],
                              np.array([[1.0, 0.0]], np.float32), np.eye(3, 5), 0.3, vectors_of)
    assert asked[-1] == gloss.english_gloss("教我的例子")
    assert np.allclose(view.records[0:3][:, 2:] / view.records[0:3][:, 2:].max(), records_lex[[1, 3, 4]])
    assert view.examples.shape[0] == 3  # the bank's two, and the one the user taught (glossed too)
    assert np.allclose(view.examples[2, :2] / np.linalg.norm(view.examples[2, :2]), [np.sqrt(0.5), np.sqrt(0.5)],
                       atol=1e-3)


def _spied_run(monkeypatch, tmp_path, model, switch, pipeline=None, dataset=None, kind_model="same"):
    """Run the pipeline with a 384-dimension fake embedder; the `view` classify got, and the pipeline."""
    from explorer.core.analysis import kind_classifier
    from explorer.core.analysis.embed_cache import EmbeddingCache
    from explorer.core.analysis.pipeline import AnalysisParams, Pipeline
    from tests.fakes import FakeEmbedder

    seen, plain_examples = [], []
    real = kind_classifier.classify

    def spy(*args, **kwargs):
        seen.append(args[9] if len(args) > 9 else kwargs.get("view"))
        plain_examples.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(kind_classifier, "classify", spy)
    fake = FakeEmbedder(dim=384)
    pipeline = pipeline or Pipeline(dataset, lambda p: fake, EmbeddingCache(tmp_path / f"{model}-{switch}.sqlite"))
    pipeline.run(AnalysisParams(model=model, seed=3, min_cluster_size=5, kind_glosses=switch, kind_model=kind_model))
    if plain_examples:
        pipeline.plain_examples_seen = plain_examples[-1]
    return seen[-1] if seen else "kinds not re-run", pipeline


def test_the_kinds_of_chinese_instructions_are_judged_glossed_only_with_the_english_only_model(tmp_path,
                                                                                               monkeypatch):
    """Only when the kinds are judged on the map's model ('same') and that model is the English-only one."""
    from explorer.core.analysis import kind_classifier, request_frame, taxonomy
    from explorer.core.dataset import load
    from tests.fakes import planted_records
    from tests.samples import write

    records = planted_records(8)[0]
    chinese = ["把这句关于 cooking 的话翻译成英文。", "写一首关于 poetry 的小诗。", "计算 taxes 的总额是多少？"]
    records += [{"instruction": text, "input": "", "output": "好的。"} for text in chinese]
    dataset = load(write(tmp_path / "d", records, "jsonl"))
    view, pipeline = _spied_run(monkeypatch, tmp_path, "all-MiniLM-L6-v2", "on", dataset=dataset)
    assert view.rows.tolist() == [40, 41, 42]
    texts, _kinds = kind_classifier.all_examples(taxonomy.load_taxonomy())
    bank_chinese = gloss.chinese_rows(texts)
    bank_english = np.setdiff1d(np.arange(len(texts)), bank_chinese)
    plain = np.asarray(pipeline._stages["bank"][1]["vectors"], dtype=np.float32)
    d = plain.shape[1]
    scale = np.sqrt(kind_classifier.ENGLISH_ONLY_WEIGHT)
    glossed_part = view.examples[:len(texts), :d] / scale
    alone = np.setdiff1d(np.arange(len(texts)), request_frame.requests(texts)[0])  # examples without a passage
    english_alone = np.intersect1d(bank_english, alone)
    assert np.allclose(glossed_part[english_alone], plain[english_alone], atol=2e-3)  # English examples as they are
    assert not np.allclose(glossed_part[bank_chinese], plain[bank_chinese], atol=0.05)  # Chinese ones glossed
    seen = pipeline.plain_examples_seen[:len(texts), :d] / scale  # English records: the bank, its examples with a
    assert np.allclose(seen[alone], plain[alone], atol=2e-3)  # passage mixed with their request (`request_frame`)
    assert not np.allclose(seen, plain, atol=0.05)
    assert _spied_run(monkeypatch, tmp_path, "all-MiniLM-L6-v2", "off", pipeline)[0] is None  # the switch re-runs
    assert _spied_run(monkeypatch, tmp_path, "fake", "on", dataset=dataset)[0] is None  # another model: no gloss
    assert _spied_run(monkeypatch, tmp_path, "all-MiniLM-L6-v2", "on", dataset=dataset,
                      kind_model="use-multilingual-v3")[0] is None  # kinds on the multilingual model: no gloss


def test_japanese_is_not_glossed_as_chinese():
    assert gloss.chinese_rows(["日本語の文章を要約してください。", "把这句话翻译成日语。"]).tolist() == [1]
