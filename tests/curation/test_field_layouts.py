"""Formats describe where their fields live (FieldLayout); edits and the record editor read only that description."""

import re
from pathlib import Path

import pytest

import explorer
from explorer.core import formats
from explorer.core.curation import edits as E
from explorer.core.curation import fields
from explorer.core.curation.edits import CurationState
from explorer.core.curation.fields import EditError
from explorer.core.dataset import load
from explorer.core.formats import ColumnMapping, FieldLayout, Format, TurnList, layout_of
from explorer.core.formats.base import as_text, join_input, message, meta_of
from explorer.core.record import Record
from tests.samples import EXPECTED_FORMAT, FORMAT_SAMPLES, roles, write

SOURCE = Path(explorer.__file__).parent

# Mapped samples: (mapping, source object)
MAPPED = {
    "fields": ("instruction=q,input=ctx,response=gold,system=sys", {"q": "Why?", "ctx": "Because.", "gold": "Ok",
                                                                    "sys": "S"}),
    "dialog": ("conversations=dialog,role=speaker,content=text",
               {"dialog": [{"speaker": "system", "text": "S"}, {"speaker": "human", "text": "Hi"},
                           {"speaker": "bot", "text": "Yo"}]}),
    "strings": ("conversations=chat", {"chat": ["Hi", "Yo", "More", "Sure"]}),
    "user_turns": ("user_turns=turns,system=sys", {"turns": ["Q1", "Q2"], "sys": "S"}),
    "user_turn_objects": ("user_turns=turns,content=text", {"turns": [{"text": "Q1"}, {"text": "Q2"}]}),
}


def fields_of(layout: FieldLayout) -> list[str]:
    """The fields a layout holds: its keys, and for a turn list the user/assistant (and system) turns."""
    have = [f for f in formats.FIELDS if layout.keys(f)]
    if layout.turns is not None:
        have += ["instruction"] if "instruction" not in have else []
        have += ["response"] if "response" not in have and not layout.turns.only_user else []
        have += ["system"] if "system" not in have and layout.turns.role is not None else []
    return have


def check_field(record: Record, field: str) -> None:
    if field == "instruction":
        assert any(m.role == "user" and m.content.split("\n\n")[0] == "NEW" for m in record.messages)
    elif field == "input":
        assert any(m.role == "user" and m.content.endswith("\n\nNEW") for m in record.messages)
    elif field == "response":
        assert record.response == "NEW"
    else:
        assert record.system == "NEW"


BUILT_IN = [(name, field) for name, (objs, _) in FORMAT_SAMPLES.items()
            for field in fields_of(layout_of(EXPECTED_FORMAT.get(name, name), objs[0]))]


@pytest.mark.parametrize("sample,field", BUILT_IN)
def test_each_built_in_layout_round_trips_set_field(sample, field):
    fmt = EXPECTED_FORMAT.get(sample, sample)
    obj = FORMAT_SAMPLES[sample][0][0]
    new = fields.set_field(fmt, obj, field, "NEW")
    assert formats.Detector()(new) == fmt  # still the same format
    check_field(formats.to_record(fmt, new, 0), field)
    key = layout_of(fmt, new).key_in(new, field)
    if key is not None:
        assert new[key] == "NEW" and set(new) <= set(obj) | {key}


def test_every_built_in_format_but_oasst_has_a_layout():
    assert {name for name, f in formats.FORMATS.items() if f.layout is None} == {"oasst"}
    assert {s for s, _ in BUILT_IN} == set(FORMAT_SAMPLES)


@pytest.mark.parametrize("sample", MAPPED)
def test_each_mapped_layout_round_trips_set_field(tmp_path, sample):
    text, obj = MAPPED[sample]
    mapping = ColumnMapping.parse(text)
    ds = load(write(tmp_path / "m", [obj], "jsonl"), mapping=mapping)
    assert ds.format == "mapped"
    layout = layout_of("mapped", obj, mapping)
    assert layout.is_conversation == (sample != "fields")
    from explorer.ui.editor.record_editor import _instruction_and_input, _is_conversation

    assert _is_conversation("mapped", obj, mapping) == layout.is_conversation
    if sample == "fields":
        assert _instruction_and_input("mapped", obj, "joined", mapping) == ("Why?", "Because.")
    for field in fields_of(layout):
        state = CurationState()
        inverse = E.SetField(0, field, "NEW").apply(state, ds)
        check_field(mapping.to_record(state.object(ds, 0), 0), field)
        inverse.apply(state, ds)
        assert state.objects == {}


def test_mapped_conversations_take_turn_edits_with_the_records_own_tags(tmp_path):
    text, obj = MAPPED["dialog"]
    ds = load(write(tmp_path / "m", [obj], "jsonl"), mapping=ColumnMapping.parse(text))
    state = CurationState()
    E.InsertTurn(0, 3, "user", "Again?").apply(state, ds)
    E.SetTurn(0, 2, "Hey").apply(state, ds)
    assert state.objects[0]["dialog"][3] == {"speaker": "human", "text": "Again?"}
    assert roles(ds.mapping.to_record(state.object(ds, 0), 0))[1:] == [("user", "Hi"), ("assistant", "Hey"),
                                                                      ("user", "Again?")]
    text, obj = MAPPED["user_turn_objects"]
    new = fields.insert_turn("mapped", obj, 2, "user", "Q3", ColumnMapping.parse(text))
    assert new["turns"][2] == {"text": "Q3"}


@pytest.mark.parametrize("fmt,obj,field,error", [
    ("dolly", FORMAT_SAMPLES["dolly"][0][0], "system", "dolly records have no system field"),
    ("prompt_completion", FORMAT_SAMPLES["prompt_completion"][0][0], "input",
     "prompt_completion records have no input field"),
    ("preference", FORMAT_SAMPLES["preference"][0][0], "input", "preference records have no input field"),
    ("qa", FORMAT_SAMPLES["qa"][0][0], "input", "qa records have no input field"),
    ("qa", {"nothing": "here"}, "instruction", "qa records have no instruction field"),
    ("messages", FORMAT_SAMPLES["messages"][0][0], "input",
     "messages records have no separate input; edit the instruction"),
    ("sharegpt", FORMAT_SAMPLES["sharegpt"][0][0], "input",
     "sharegpt records have no separate input; edit the instruction"),
    ("lima", FORMAT_SAMPLES["lima"][0][0], "system", "lima records have no system prompt"),
    ("messages", {"messages": [{"role": "assistant", "content": "Hi"}]}, "instruction",
     "the record has no user turn"),
    ("alpaca", FORMAT_SAMPLES["alpaca"][0][0], "output", "unknown field 'output'"),
    ("unknown", {"x": 1}, "response", "unknown records cannot be edited"),
])
def test_a_field_a_format_lacks_is_a_clear_edit_error(fmt, obj, field, error):
    with pytest.raises(EditError, match=re.escape(error)):
        fields.set_field(fmt, obj, field, "x")


def test_mapped_fields_a_mapping_lacks_are_clear_edit_errors():
    only_q = ColumnMapping.parse("instruction=q,response=a")
    with pytest.raises(EditError, match="mapped records have no system field"):
        fields.set_field("mapped", {"q": "Q", "a": "A"}, "system", "x", only_q)
    text, obj = MAPPED["user_turns"]
    with pytest.raises(EditError, match="the record has no assistant turn"):
        fields.set_field("mapped", obj, "response", "x", ColumnMapping.parse(text))
    with pytest.raises(EditError, match="user turns only"):
        fields.insert_turn("mapped", obj, 0, "assistant", "x", ColumnMapping.parse(text))
    with pytest.raises(EditError, match="store fields, not turns"):
        fields.set_turn("mapped", {"q": "Q", "a": "A"}, 0, "x", only_q)


# A format added in one place: its module (here, this test) declares the layout; fields.py is not touched.

def _tiny_to_record(obj: dict, rid: int) -> Record:
    warnings: list[str] = []
    reply = "say" if "say" in obj else "reply"
    msgs = [message("user", join_input(as_text(obj.get("ask"), "ask", warnings), obj.get("detail") or "")),
            message("assistant", as_text(obj.get(reply), reply, warnings))]
    return Record(rid, "tiny", msgs, meta_of(obj, {"ask", "detail", "say", "reply"}), warnings)


TINY = Format("tiny", "ask / detail / say (test only)", lambda o: "ask" in o, _tiny_to_record,
              layout=FieldLayout(instruction=("ask",), input=("detail",), response=("say", "reply")))
CHAT = Format("chat", "log: [{who, text}] (test only)", lambda o: "log" in o, lambda o, rid: Record(rid, "chat", []),
              layout=FieldLayout(turns=TurnList("log", "who", "text", (("user", "me"), ("assistant", "you")))))


def test_a_new_format_is_editable_from_its_layout_alone(monkeypatch):
    from explorer.ui.editor.record_editor import _instruction_and_input, _is_conversation

    monkeypatch.setitem(formats.FORMATS, "tiny", TINY)
    monkeypatch.setitem(formats.FORMATS, "chat", CHAT)
    obj = {"ask": "Sum?", "detail": "2 and 3", "reply": "5"}
    new = fields.set_field("tiny", obj, "response", "five")
    assert new == {"ask": "Sum?", "detail": "2 and 3", "reply": "five"}  # the spelling the record uses
    assert fields.set_field("tiny", obj, "input", "4 and 4")["detail"] == "4 and 4"
    with pytest.raises(EditError, match="tiny records have no system field"):
        fields.set_field("tiny", obj, "system", "x")
    with pytest.raises(EditError, match="store fields, not turns"):
        fields.set_turn("tiny", obj, 0, "x")
    assert _instruction_and_input("tiny", obj, "joined") == ("Sum?", "2 and 3")
    assert not _is_conversation("tiny", obj)

    chat = {"log": [{"who": "me", "text": "Hi"}, {"who": "you", "text": "Yo"}]}
    assert _is_conversation("chat", chat) and _instruction_and_input("chat", chat, "Hi") == ("Hi", "")
    new = fields.set_field("chat", chat, "system", "Be kind.")
    assert new["log"][0] == {"who": "system", "text": "Be kind."}
    new = fields.insert_turn("chat", new, 3, "user", "Bye")
    assert new["log"][3] == {"who": "me", "text": "Bye"}
    assert fields.set_field("chat", new, "response", "Yes")["log"][2] == {"who": "you", "text": "Yes"}


def test_fields_and_the_editor_name_no_format():
    """What a format stores is said once, by the format; the edit code and the editor helpers only read it."""
    code = (SOURCE / "core" / "curation" / "fields.py").read_text()
    editor = (SOURCE / "ui" / "editor" / "record_editor.py").read_text()
    helpers = editor[editor.index("def _is_conversation"):]
    for name in list(formats.FORMATS) + ["mapped"]:
        assert f'"{name}"' not in code and f'"{name}"' not in helpers
    for key in ("output", "context", "completion", "chosen", "conversations", "messages", "from", "value"):
        assert f'"{key}"' not in code and f'"{key}"' not in helpers


def test_the_qa_key_pairs_are_defined_once():
    pattern = re.compile(r"""["']question["']\s*,\s*["']std_answer["']""")
    holders = [p.relative_to(SOURCE).as_posix() for p in SOURCE.rglob("*.py") if pattern.search(p.read_text())]
    assert holders == ["core/formats/pairs.py"]
    from explorer.core.formats.pairs import QA_KEYS

    obj = {"query": "Q", "answer": "A"}
    layout = layout_of("qa", obj)
    assert (layout.instruction[0], layout.response[0]) in QA_KEYS
    assert fields.set_field("qa", obj, "response", "B") == {"query": "Q", "answer": "B"}
