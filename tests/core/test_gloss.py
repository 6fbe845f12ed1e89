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

    instructions = ["Summarize the text.", "总结这段文字。", "Translate this.", "翻译这句话。"]
    vectors = np.tile(np.array([[1.0, 0.0]], dtype=np.float32), (4, 1))
    records_lex = np.eye(4, dtype=np.float16)
    bank = {"texts": ["summarize", "总结"], "gloss_vectors": np.array([[1.0, 0.0], [0.6, 0.8]], np.float32)}
    view = Pipeline._glossed_view(instructions, gloss.chinese_rows(instructions), vectors, records_lex, bank,
                                  ["教我的例子"],
                                  np.array([[1.0, 0.0]], np.float32), np.eye(3, 4), vectors_of)
    assert view.rows.tolist() == [1, 3]
    assert asked == [gloss.english_gloss(instructions[1]), gloss.english_gloss(instructions[3]),
                     gloss.english_gloss("教我的例子")]
    first = view.records[0:1][0]
    assert np.allclose(first[:2] / np.linalg.norm(first[:2]), [np.sqrt(0.5), np.sqrt(0.5)], atol=1e-3)
    assert np.allclose(view.records[0:2][:, 2:] / view.records[0:2][:, 2:].max(), records_lex[[1, 3]])
    assert view.examples.shape[0] == 3  # the bank's two, and the one the user taught (glossed too)
    assert np.allclose(view.examples[2, :2] / np.linalg.norm(view.examples[2, :2]), [np.sqrt(0.5), np.sqrt(0.5)],
                       atol=1e-3)


def test_the_pipeline_glosses_chinese_instructions_only_with_the_english_only_model_unless_off(tmp_path):
    from explorer.core.analysis.embed_cache import EmbeddingCache
    from explorer.core.analysis.pipeline import AnalysisParams, Pipeline
    from explorer.core.dataset import load
    from tests.fakes import FakeEmbedder, planted_records
    from tests.samples import write

    records = planted_records(8)[0]
    chinese = ["把这句关于 cooking 的话翻译成英文。", "写一首关于 poetry 的小诗。", "计算 taxes 的总额是多少？"]
    records += [{"instruction": text, "input": "", "output": "好的。"} for text in chinese]
    dataset = load(write(tmp_path / "d", records, "jsonl"))
    for model, switch, glossed in (("all-MiniLM-L6-v2", "on", True), ("all-MiniLM-L6-v2", "off", False),
                                   ("fake", "on", False)):
        fake = FakeEmbedder(dim=384)
        Pipeline(dataset, lambda p: fake, EmbeddingCache(tmp_path / f"{model}-{switch}.sqlite")).run(
            AnalysisParams(model=model, seed=3, min_cluster_size=5, kind_glosses=switch))
        wanted = [gloss.english_gloss(text) for text in chinese]
        assert all(g in fake.encoded for g in wanted) == glossed
        english = {gloss.english_gloss(r["instruction"]) for r in records[:-3]}  # colons dropped: never the text
        assert not english & set(fake.encoded)
