"""The kind classifier: the regression on the examples and the vote of the nearest ones, neighbours agreeing,
keywords as a weak nudge, the confidence threshold, and the bundled bilingual example bank."""

import json

import numpy as np

from explorer.core.analysis import kind_classifier as kc
from explorer.core.analysis import lexical, taxonomy


def _unit(rows):
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def _examples():
    return kc.Examples(["translate this", "翻译这句话", "sum 2 and 3", "计算三加四"],
                       ["translation", "translation", "math", "math"], np.zeros(4, dtype=bool))


def test_records_take_the_kind_their_examples_teach_with_a_reason():
    examples = _unit([[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0.1, 0.9, 0]])
    records = _unit([[1, 0.05, 0], [0.05, 1, 0], [0.5, 0.5, 0.01]])
    p = kc.classify(records, examples, _examples(), ["translation", "math"], ["a", "b", "c"], [[], []], None,
                    threshold=0.6, unassigned="unassigned")
    assert p.kinds == ["translation", "math", "unassigned"]
    assert p.confidence[0] > 0.6 and abs(p.confidence[2] - 0.5) < 0.01
    assert "like examples" in p.reasons[0] and "translate this" in p.reasons[0]
    assert "计算三加四" in p.reasons[1] or "sum 2 and 3" in p.reasons[1]  # the nearest example *of its kind*
    assert p.reasons[2].startswith("no kind is clear")
    assert np.allclose(p.scores.sum(axis=1), 1.0)


def test_neighbours_pull_an_unclear_record_to_their_kind():
    examples = _unit([[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0.1, 0.9, 0]])
    records = _unit([[1, 0, 0], [1, 0.02, 0], [0.5, 0.5, 0.01]])
    args = (examples, _examples(), ["translation", "math"], ["", "", ""], [[], []])
    alone = kc.classify(records, *args, None, 0.55, "unassigned")
    together = kc.classify(records, *args, np.array([[0, 1, 2], [1, 0, 2], [2, 0, 1]]), 0.55, "unassigned")
    assert alone.kinds[2] == "unassigned" and together.kinds[2] == "translation"


def test_keywords_only_nudge():
    examples = _unit([[1, 0], [1, 0.01], [0, 1], [0.01, 1]])
    records = _unit([[1, 0.02], [0.7, 0.7]])
    p = kc.classify(records, examples, _examples(), ["translation", "math"], ["please sum these", "please sum"],
                    [["translate"], ["sum"]], None, 0.0, "unassigned")
    assert p.kinds == ["translation", "math"]  # a keyword breaks a tie, it does not beat clear examples


def test_the_nearest_examples_vote_falling_off_with_their_distance_from_the_nearest(monkeypatch):
    angle = np.arccos([1.0, 1 - kc.VOTE_TEMPERATURE, 0.5, 0.4])  # similarities 1, 0.95, 0.5, 0.4 to the record
    examples = np.stack([np.cos(angle), np.sin(angle)], axis=1).astype(np.float32)
    kinds = np.array([0, 1, 2, 2])
    monkeypatch.setattr(kc, "VOTERS", 2)  # the two examples of kind 2 are not among the record's nearest two
    votes = kc.example_votes(_unit([[1, 0]]), examples, kinds, 3, np.ones(4, dtype=np.float32))
    assert np.allclose(votes[0], [1 / (1 + np.exp(-1)), np.exp(-1) / (1 + np.exp(-1)), 0], atol=1e-3)
    heavier = kc.example_votes(_unit([[1, 0]]), examples, kinds, 3, np.array([1, 5, 1, 1], dtype=np.float32))
    assert heavier[0, 1] > heavier[0, 0]  # a user's example (weight 5) outvotes a nearer bundled one
    monkeypatch.setattr(kc, "VOTERS", 4)
    everyone = kc.example_votes(_unit([[1, 0], [0.5, 0.5]]), examples, kinds, 3, np.ones(4, dtype=np.float32),
                                chunk=1)
    sims = _unit([[1, 0]]) @ examples.T
    each = np.exp((sims[0] - 1) / kc.VOTE_TEMPERATURE)
    assert np.allclose(everyone[0], [each[0], each[1], each[2] + each[3]] / each.sum(), atol=1e-4)  # kind 2: both
    assert np.allclose(everyone.sum(axis=1), 1)


def test_a_record_no_example_resembles_gets_no_vote_and_keeps_the_regression(monkeypatch):
    examples = _unit([[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0.1, 0.9, 0]])
    kinds, weights = np.array([0, 0, 1, 1]), np.ones(4, dtype=np.float32)
    records = np.array([[0, 0, 0], [1, 0, 0]], dtype=np.float32)  # an empty instruction's zero features
    votes = kc.example_votes(records, examples, kinds, 2, weights)
    assert votes[0].tolist() == [0, 0] and votes[1, 0] > 0.9
    p = kc.kind_probabilities(records, examples, kinds, 2, weights)
    monkeypatch.setattr(kc, "EXAMPLE_VOTE_SHARE", 0.0)
    regression = kc.kind_probabilities(records, examples, kinds, 2, weights)
    assert np.allclose(p[0], regression[0], atol=1e-6) and not np.allclose(p[1], regression[1], atol=1e-3)
    assert kc.example_votes(records, examples[:0], kinds[:0], 2, weights[:0]).tolist() == [[0, 0], [0, 0]]


def test_the_examples_vote_is_mixed_into_the_kind_probabilities(monkeypatch):
    examples = _unit([[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0.1, 0.9, 0]])
    kinds, weights = np.array([0, 0, 1, 1]), np.ones(4, dtype=np.float32)
    records = _unit([[0.6, 0.4, 0.1]])
    monkeypatch.setattr(kc, "EXAMPLE_VOTE_SHARE", 0.0)
    regression = kc.kind_probabilities(records, examples, kinds, 2, weights)
    monkeypatch.setattr(kc, "EXAMPLE_VOTE_SHARE", 0.5)
    mixed = kc.kind_probabilities(records, examples, kinds, 2, weights)
    votes = kc.example_votes(records, examples, kinds, 2, weights)
    assert np.allclose(mixed, 0.5 * regression + 0.5 * votes, atol=1e-5)
    assert np.allclose(mixed.sum(axis=1), 1, atol=1e-5)
    many = _unit(np.random.default_rng(0).normal(size=(7, 3)))
    whole = kc.kind_probabilities(many, examples, kinds, 2, weights)
    monkeypatch.setattr(kc, "CHUNK", 2)
    rows = np.array([1, 2, 4, 6])
    chunked = kc.kind_probabilities(many, examples, kinds, 2, weights, rows)
    assert np.allclose(chunked[rows], whole[rows], atol=1e-5) and not chunked[[0, 3, 5]].any()


def test_examples_the_user_labelled_count_more_and_are_named():
    ex = kc.Examples(["a", "b", "c"], ["translation", "math", "math"], np.array([False, False, True]))
    examples = _unit([[1, 0], [0, 1], [0.75, 0.66]])
    p = kc.classify(_unit([[0.8, 0.6]]), examples, ex, ["translation", "math"], [""], [[], []], None, 0.0, "u")
    assert p.kinds == ["math"] and "an example you labelled" in p.reasons[0]
    unweighted = kc.Examples(ex.texts, ex.kinds, np.zeros(3, dtype=bool))
    weaker = kc.classify(_unit([[0.8, 0.6]]), examples, unweighted, ["translation", "math"], [""], [[], []], None,
                         0.0, "u")
    assert weaker.confidence[0] < p.confidence[0] or weaker.kinds == ["translation"]


def test_bundled_bank_has_thirty_english_and_thirty_chinese_examples_per_kind():
    tax = taxonomy.load_taxonomy()
    ids = [k.id for k in tax.kinds if k.id != taxonomy.MULTI_TURN]  # multi-turn is decided by structure
    for kind in ids:
        data = json.loads((kc.BANK_DIR / f"{kind}.json").read_text(encoding="utf-8"))
        assert data["kind"] == kind
        assert len(set(data["en"])) >= 30 and len(set(data["zh"])) >= 30, kind
        assert all(t.strip() for t in data["en"] + data["zh"])
    texts, kinds = kc.bank_examples(ids)
    assert set(kinds) == set(ids) and len(texts) == len(kinds)


def test_template_wording_brings_lexical_neighbours_together():
    texts = [f"Premise: {a}. Hypothesis: {b}. True, false or neither?" for a, b in
             [("cats sleep", "animals rest"), ("it rained", "the road is wet"), ("he ran", "he moved")]]
    texts += ["Write a poem about the sea", "Write a poem about the moon", "Write a poem about trees"]
    model = lexical.LexicalModel(texts)
    lex, extra = model.transform(texts), model.transform(["Premise: x. Hypothesis: y. True, false or neither?"])
    sims = lex @ extra[0]
    assert sims[:3].min() > sims[3:].max()
    assert np.allclose(np.linalg.norm(lex, axis=1), 1.0, atol=1e-5)
    mixed = lexical.hybrid(_unit(np.eye(6, 4) + 0.1), lex, 0.3)
    assert np.allclose(np.linalg.norm(mixed, axis=1), 1.0, atol=1e-5)


def test_lexical_features_of_texts_with_nothing_in_common_or_nothing_at_all():
    from explorer.core.analysis.lexical import LexicalModel

    for texts in (["a b c", "d e f"], ["", ""], ["x"]):
        features = LexicalModel(texts).transform(texts)
        assert features.shape[0] == len(texts) and np.isfinite(features).all()


def test_smoothing_over_neighbours_is_the_blend_with_their_mean():
    from explorer.core.analysis.kind_classifier import smooth_over_neighbours

    rng = np.random.default_rng(3)
    scores = rng.random((50, 7)).astype(np.float32)
    neighbours = np.column_stack([np.arange(50), rng.integers(0, 50, (50, 5))])
    expected = 0.4 * scores + 0.6 * scores[neighbours[:, 1:]].mean(axis=1)
    smoothed = smooth_over_neighbours(scores, neighbours, 0.6)
    assert smoothed.dtype == np.float32 and np.allclose(smoothed, expected, atol=1e-6)
    assert smooth_over_neighbours(scores, neighbours[:, :1], 0.6) is scores  # no neighbours: unchanged


def test_a_weak_safety_win_gives_way_to_the_runner_up():
    ids = ["open_qa", "safety", "math"]
    scores = np.array([[0.05, 0.14, 0.08],   # safety wins under its minimum: the runner-up, math
                       [0.05, 0.30, 0.08],   # a clear safety win stays
                       [0.40, 0.09, 0.08]], dtype=np.float32)
    assert kc.MIN_WIN["safety"] > 0.14
    assert kc.winners(scores, ids).tolist() == [2, 1, 0]
    assert kc.winners(scores, ["open_qa", "reviews", "math"]).tolist() == [1, 1, 0]  # no minimum for other kinds


def test_records_of_a_view_are_judged_on_its_features_and_the_rest_on_their_own():
    examples = _unit([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]])
    records = _unit([[1, 0.05], [1, 0.05], [1, 0.05]])  # all look like translation on their own features
    view = kc.View(np.array([1]), _unit([[0.05, 1]]), examples)  # record 1, seen otherwise, looks like math
    p = kc.classify(records, examples, _examples(), ["translation", "math"], ["a", "b", "c"], [[], []], None,
                    threshold=0.0, unassigned="unassigned", view=view)
    assert p.kinds == ["translation", "math", "translation"]
    everyone = kc.View(np.arange(3), _unit([[0.05, 1]] * 3), examples)
    assert kc.classify(records, examples, _examples(), ["translation", "math"], ["a", "b", "c"], [[], []], None,
                       0.0, "unassigned", everyone).kinds == ["math"] * 3


def test_hybrid_rows_can_take_the_lexical_features_of_other_rows():
    lex = _unit([[1, 0], [0, 1], [1, 1]])
    rows = lexical.HybridRows(_unit([[1, 0, 0], [0, 0, 1]]), lex, 0.5, lexical_rows=np.array([2, 0]))
    assert len(rows) == 2 and rows.shape == (2, 5)
    assert np.allclose(rows[0:2][:, 3:], lex[[2, 0]] * np.sqrt(0.5))
    assert np.allclose(rows[np.array([1])], lexical.hybrid(_unit([[0, 0, 1]]), lex[[0]], 0.5))


def test_the_reason_of_a_view_record_names_the_example_nearest_in_the_view():
    ex = kc.Examples(["translate A", "translate B", "sum"], ["translation", "translation", "math"],
                     np.zeros(3, dtype=bool))
    examples = _unit([[1, 0, 0], [0.8, 0, 0.6], [0, 1, 0]])
    view_examples = _unit([[0.8, 0, 0.6], [1, 0, 0], [0, 1, 0]])  # in the view, A and B swap places
    view = kc.View(np.array([0]), _unit([[1, 0, 0]]), view_examples)
    p = kc.classify(_unit([[1, 0, 0]]), examples, ex, ["translation", "math"], ["x"], [[], []], None, 0.0, "u", view)
    assert p.kinds == ["translation"] and "translate B" in p.reasons[0]


def test_structure_decides_multi_turn_and_tool_use(tmp_path):
    from explorer.core.analysis.texts import read_texts
    from explorer.core.dataset import load

    turn = lambda who, text: {"from": who, "value": text}  # noqa: E731
    records = [
        {"conversations": [turn("human", "hi"), turn("gpt", "hello")]},
        {"conversations": [turn("human", "hi"), turn("gpt", "hello"), turn("human", "more"), turn("gpt", "ok")]},
        {"conversations": [turn("human", "weather in Oslo?"), turn("function_call", '{"name": "weather"}'),
                           turn("observation", '{"temp": 3}'), turn("gpt", "3 degrees")]},
        {"conversations": [turn("human", "book a flight"), turn("gpt", "I cannot book flights")],
         "tools": '[{"name": "weather"}]'},
        {"conversations": [turn("human", "x"), turn("gpt", "y"), turn("human", "call it"),
                           turn("function_call", '{"name": "f"}'), turn("observation", "1"), turn("gpt", "done")]},
        {"conversations": [turn("human", "a"), turn("gpt", "b")], "tools": ""},
        {"conversations": [turn("human", "a"), turn("gpt", "b")], "tools": float("nan")},  # pandas' missing cell
    ]
    path = tmp_path / "tools.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    texts = read_texts(load(path))
    assert texts.uses_tools.tolist() == [False, False, True, True, True, False, False]
    kinds = ["chat_advice", "multi_turn", "tool_use"]
    p = kc.Prediction(["chat_advice"] * 7, np.full(7, 0.3, np.float32), ["like"] * 7, np.zeros((7, 3)))
    kc.by_structure(p, kinds, texts)
    assert p.kinds == ["chat_advice", "multi_turn", "tool_use", "tool_use", "tool_use", "chat_advice", "chat_advice"]
    assert p.confidence[2] == 1.0 and "tool" in p.reasons[3] and p.reasons[1] == "several user turns"
    p = kc.Prediction(["chat_advice"] * 7, np.full(7, 0.3, np.float32), ["like"] * 7, np.zeros((7, 2)))
    kc.by_structure(p, ["chat_advice", "multi_turn"], texts)  # a taxonomy without tool use: multi-turn only
    assert p.kinds[1:5] == ["multi_turn", "chat_advice", "chat_advice", "multi_turn"]
