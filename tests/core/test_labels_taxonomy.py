"""Cluster labels (English and Chinese), label renames across re-clustering, and task-kind coverage."""

import json

import numpy as np
import pytest

from explorer.core.analysis import labels, taxonomy
from explorer.core.errors import DatasetError


def test_terms_split_english_words_and_chinese_words_or_bigrams(monkeypatch):
    assert labels.terms("Translate the sentence into French") == ["translate", "french"]
    assert labels.terms("请判断以下新闻属于哪个类别") == ["判断", "新闻", "属于", "哪个", "类别"]  # jieba's words
    monkeypatch.setattr(labels, "_JIEBA", False)  # no segmenter installed: character bigrams
    assert labels.terms("把句子翻译成英文") == ["把句", "句子", "子翻", "翻译", "译成", "成英", "英文"]


def test_keywords_per_cluster_in_both_languages():
    texts = ["translate this sentence into french"] * 3 + ["把这句话翻译成英文"] * 3 + ["python function sorting list"] * 3
    clusters = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])
    kw = labels.cluster_keywords(texts, clusters)
    assert "french" in kw[0] and any("翻译" in t for t in kw[1]) and "python" in kw[2]
    assert "python" not in kw[0]


def test_renames_follow_clusters_that_persist():
    old = {0: {1, 2, 3, 4}, 1: {5, 6, 7}}
    new = np.array([-1, 2, 2, 2, 2, 0, 0, -1])  # cluster 0 became 2; cluster 1 lost one member (2/3 kept)
    assert labels.carry_renames(old, {0: "maths", 1: "poems"}, new) == {2: "maths", 0: "poems"}
    scattered = np.array([-1, 0, 1, 2, 3, 4, 5, 6])
    assert labels.carry_renames(old, {0: "maths"}, scattered) == {}


def test_default_taxonomy_has_every_required_kind_in_two_languages():
    tax = taxonomy.load_taxonomy()
    ids = {k.id for k in tax.kinds}
    required = {"classification", "structured_output", "creative_writing", "multi_turn", "translation",
                "keyword_extraction", "reading_comprehension", "idiom_explanation", "text_correction",
                "sentiment_analysis", "entity_recognition", "programming", "text_matching", "copywriting", "reviews",
                "open_qa", "essay_writing", "storytelling", "structured_extraction", "summarization", "closed_qa",
                "cot_reasoning", "objective_test", "brainstorming", "math"}
    assert required <= ids
    for kind in tax.kinds:
        assert kind.name_en and kind.name_zh and kind.description and len(kind.examples) >= 3


def _tiny_taxonomy(tmp_path, target_b=1.0):
    path = tmp_path / "tax.json"
    path.write_text(json.dumps({"kinds": [
        {"id": "multi_turn", "name_en": "Multi", "name_zh": "多轮", "description": "d", "examples": []},
        {"id": "a", "name_en": "A", "name_zh": "甲", "description": "d", "keywords": ["translate"], "examples": ["x"]},
        {"id": "b", "name_en": "B", "name_zh": "乙", "description": "d", "examples": ["y"], "target": target_b},
    ]}), encoding="utf-8")
    return taxonomy.load_taxonomy(path)


def test_coverage_marks_gaps_against_targets(tmp_path):
    tax = _tiny_taxonomy(tmp_path, target_b=2.0)  # targets: 25%, 25%, 50%
    rows = {r["kind"]: r for r in taxonomy.coverage(tax, ["a"] * 7 + ["b"] * 2 + ["unassigned"])}
    assert rows["a"]["share"] == 0.7 and not rows["a"]["gap"]
    assert rows["b"]["target"] == 0.5 and rows["b"]["gap"] is True  # 20% < half of 50%
    assert rows["multi_turn"]["gap"] is True and rows["unassigned"]["count"] == 1
    assert "unsure" not in rows["a"]  # without confidences nothing is said about them
    unsure = [True, False, False, True, False, False, False, True, False, True]
    rows = {r["kind"]: r for r in taxonomy.coverage(tax, ["a"] * 7 + ["b"] * 2 + ["unassigned"], unsure)}
    assert (rows["a"]["unsure"], rows["b"]["unsure"], rows["multi_turn"]["unsure"], rows["unassigned"]["unsure"]) == \
        (2, 1, 0, 1)


def test_bad_taxonomy_is_explained(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"kinds": [{"id": "a"}]}')
    with pytest.raises(DatasetError, match="cannot read the taxonomy"):
        taxonomy.load_taxonomy(path)


def test_templated_records_are_labelled_by_their_template_not_their_names():
    names = ["Noah", "Emma", "Liam", "Olivia", "Ava", "Mia", "Leo", "Zoe", "Omar", "Ravi"]
    things = ["marbles", "pencils", "stickers", "cards", "books"]
    texts = [f"{names[i % 10]} buys {i % 7 + 2} packs of {i % 5 + 3} {things[i % 5]}. How many {things[i % 5]} does "
             f"{names[(i + 3) % 10]} have now?" for i in range(40)]
    texts += [f"Translate the sentence '{w}' into French." for w in ["good morning", "thank you", "see you"] * 5]
    kw = labels.cluster_keywords(texts, np.array([0] * 40 + [1] * 15))
    assert kw[0][:2] == ["packs", "many"] and not {n.lower() for n in names} & set(kw[0])
    assert kw[1][0] == "translate"


def test_two_clusters_of_one_template_get_labels_that_differ():
    texts = ["Summarise the sales report for the team"] * 18 + ["Summarise the quarterly sales report for the team"] * 2
    kw = labels.cluster_keywords(texts, np.array([0] * 12 + [1] * 8))  # the split put the two "quarterly" in 1
    assert kw[0][:3] != kw[1][:3] and kw[1][2] == "quarterly" and kw[1][:2] == kw[0][:2]


def test_a_label_is_never_empty_and_leads_with_the_dominant_kind():
    kw = labels.cluster_keywords(["Zebra crossing rules", "Quantum foam", "ok"], np.array([0, 1, 2]))
    assert all(kw[c] for c in (0, 1, 2)) and kw[1] == ["Quantum foam"]
    assert labels.label_text([], kind=None) != "(no common words)"
    clusters = np.array([0, 0, 0, 1, 1, 1, -1])
    kinds = ["math", "math", "open_qa", "unassigned", "unassigned", "math", "math"]
    assert labels.dominant_kinds(clusters, kinds, "unassigned") == {0: "math"}
    assert labels.label_text(["packs", "many"], kind="math") == "math: packs · many"


def test_chinese_data_on_the_english_model_gets_one_notice():
    from explorer.core.analysis.notices import model_language_notice

    facts = {"languages": {"zh": 80, "latin": 15, "unknown": 5}}
    note = model_language_notice(facts, "all-MiniLM-L6-v2")
    assert note and "85%" not in note and "84%" in note and "use-multilingual-v3" in note
    assert model_language_notice(facts, "paraphrase-multilingual-MiniLM-L12-v2") is None
    assert model_language_notice({"languages": {"latin": 90, "zh": 10}}, "all-MiniLM-L6-v2") is None
    assert "already use it" in note and "'same'" in model_language_notice(facts, "all-MiniLM-L6-v2", "same")
    folder = model_language_notice(facts, "all-MiniLM-L6-v2", "same", "/data/x.vectors")
    assert "x.vectors" in folder and "embed --model use-multilingual-v3" in folder and "Preferences" not in folder
