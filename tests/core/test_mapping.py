"""Column mappings override detection and are remembered per file."""

import pytest

from explorer.core import mappings
from explorer.core.dataset import load
from explorer.core.errors import DatasetError
from explorer.core.formats import ColumnMapping
from tests.samples import roles, write


def test_mapping_reads_unusual_keys(tmp_path):
    path = write(tmp_path / "u", [{"q_text": "Why?", "ctx": "Because.", "gold": "Ok", "sys": "S"}], "jsonl")
    assert load(path).format == "unknown"
    mapping = ColumnMapping.parse("instruction=q_text, input=ctx, response=gold, system=sys")
    ds = load(path, mapping=mapping)
    assert ds.format == "mapped"
    assert roles(ds.record(0)) == [("system", "S"), ("user", "Why?\n\nBecause."), ("assistant", "Ok")]


def test_mapping_of_a_conversation_with_custom_role_keys(tmp_path):
    path = write(tmp_path / "c", [{"dialog": [{"speaker": "human", "text": "Hi"}, {"speaker": "bot", "text": "Yo"}]}],
                 "jsonl")
    ds = load(path, mapping=ColumnMapping.parse("conversations=dialog,role=speaker,content=text"))
    assert roles(ds.record(0)) == [("user", "Hi"), ("assistant", "Yo")]


@pytest.mark.parametrize("text,message", [
    ("instruction", "is not NAME=KEY"),
    ("question=q,response=a", "use one of"),
    ("instruction=q", "needs instruction= and response="),
])
def test_bad_mappings_are_explained(text, message):
    with pytest.raises(DatasetError, match=message):
        ColumnMapping.parse(text)


def test_mapping_is_remembered_per_file(tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    mapping = ColumnMapping.parse("instruction=q,response=a")
    mappings.remember(a, mapping)
    assert mappings.remembered(a) == mapping
    assert mappings.remembered(b) is None
    assert str(mapping) == "instruction=q,response=a"


MT_BENCH = [
    {"question_id": 81, "category": "writing",
     "turns": ["Compose a travel blog post about Hawaii.", "Rewrite it starting every sentence with A."]},
    {"question_id": 111, "category": "math",
     "turns": ["The vertices of a triangle are (0, 0), (-1, 1) and (3, 3). What is the area of the triangle?",
               "What's the area of the circle circumscribing the triangle?"]},
    {"question_id": 119, "category": "math",
     "turns": ["Benjamin bought 5 copies of a sci-fi novel at $20 each and 3 books at $30. What was the total cost?",
               "If he sells each book at a 25% markup, how much does he earn?", "And after 10% tax on the profit?"]},
]


def test_user_turns_mapping_makes_every_item_a_user_turn(tmp_path):
    path = write(tmp_path / "q", MT_BENCH, "jsonl")
    mapping = ColumnMapping.parse("user_turns=turns")
    ds = load(path, mapping=mapping)
    assert ds.format == "mapped" and len(ds) == 3
    assert roles(ds.record(2)) == [("user", t) for t in MT_BENCH[2]["turns"]]
    record = ds.record(1)
    assert record.instruction == MT_BENCH[1]["turns"][0] and record.response == "" and record.is_multi_turn
    assert record.meta == {"question_id": 111, "category": "math"} and not record.warnings
    assert str(mapping) == "user_turns=turns"


def test_user_turns_are_prompts_not_misread_answers(tmp_path):
    from explorer.core import tokens
    from explorer.core.analysis import checks
    from explorer.core.analysis.texts import read_texts

    path = write(tmp_path / "q", MT_BENCH, "jsonl")
    texts = read_texts(load(path, mapping=ColumnMapping.parse("user_turns=turns")))
    assert texts.user_turn_count.tolist() == [2, 2, 3]
    assert texts.has_assistant.tolist() == [False] * 3 and list(texts.response) == [""] * 3
    assert list(texts.instruction) == [q["turns"][0] for q in MT_BENCH]
    toks = {f: tokens.count(getattr(texts, f)) for f in ("instruction", "response", "conversation")}
    flags, _ = checks.flag_records(texts, toks, None, checks.CheckParams())
    assert flags == [[], [], []]  # prompts by design: no missing_cot, and no per-record unanswered either
    facts = checks.dataset_facts(texts)
    assert facts["multi_turn_share"] == 1.0 and facts["prompt_only_share"] == 1.0


def test_user_turns_of_objects_strings_and_nulls(tmp_path):
    rows = [{"qs": [{"text": "A?"}, {"text": "B?"}], "sys": "Be brief."}, {"qs": "Only one?"}, {"qs": None}]
    mapping = ColumnMapping.parse("user_turns=qs,content=text,system=sys")
    ds = load(write(tmp_path / "o", rows, "jsonl"), mapping=mapping)
    assert roles(ds.record(0)) == [("system", "Be brief."), ("user", "A?"), ("user", "B?")]
    assert roles(ds.record(1)) == [("user", "Only one?")]
    assert roles(ds.record(2)) == [] and ds.record(2).warnings == ["qs is null"]


def test_user_turns_export_same_format_is_exact_and_conversions_say_what_they_cannot(tmp_path):
    from explorer.core.export import export

    path = write(tmp_path / "q", MT_BENCH, "jsonl")
    ds = load(path, mapping=ColumnMapping.parse("user_turns=turns"))
    export(ds, tmp_path / "same.jsonl")
    assert (tmp_path / "same.jsonl").read_bytes() == path.read_bytes()
    result = export(ds, tmp_path / "a.jsonl", to="alpaca")
    assert result.written == 0 and len(result.skipped) == 3
    result = export(ds, tmp_path / "m.jsonl", to="messages")
    assert result.written == 3
    import json
    first = json.loads((tmp_path / "m.jsonl").read_text().splitlines()[2])
    assert [m["role"] for m in first["messages"]] == ["user"] * 3


@pytest.mark.parametrize("text", ["user_turns=turns,conversations=turns", "user_turns=t,response=a",
                                  "user_turns=t,instruction=q"])
def test_user_turns_cannot_be_mixed_with_other_shapes(text):
    with pytest.raises(DatasetError, match="cannot be combined"):
        ColumnMapping.parse(text)


def test_user_turns_mapping_is_remembered(tmp_path):
    path = write(tmp_path / "q", MT_BENCH, "jsonl")
    mapping = ColumnMapping.parse("user_turns=turns,system=sys")
    mappings.remember(path, mapping)
    back = mappings.remembered(path)
    assert back == mapping and back.user_turns == "turns" and str(back) == "system=sys,user_turns=turns"
    assert roles(load(path, mapping=back).record(0))[1] == ("user", MT_BENCH[0]["turns"][1])
