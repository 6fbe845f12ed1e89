"""Edits apply and invert in every format; a same-format export of edited records changes only their spans."""

import pytest

from explorer.core.curation import edits as E
from explorer.core.curation.edits import CurationState, edit_from_json
from explorer.core.curation.fields import EditError
from explorer.core.dataset import load
from explorer.core.export import export
from tests.samples import FORMAT_SAMPLES, roles, write


def edited_record(ds, state, rid):
    from explorer.core import formats

    return formats.to_record(ds.format_of(rid), state.object(ds, rid), rid)


@pytest.mark.parametrize("fmt,field,expect", [
    ("alpaca", "response", ("assistant", "NEW")), ("alpaca", "instruction", ("user", "NEW")),
    ("alpaca_history", "system", ("system", "NEW")), ("gpteacher", "response", ("assistant", "NEW")),
    ("dolly", "response", ("assistant", "NEW")), ("qa", "instruction", ("user", "NEW")),
    ("openorca", "system", ("system", "NEW")), ("prompt_completion", "response", ("assistant", "NEW")),
    ("sharegpt", "response", ("assistant", "NEW")), ("sharegpt", "system", ("system", "NEW")),
    ("messages", "response", ("assistant", "NEW")), ("lima", "instruction", ("user", "NEW")),
])
def test_set_field_in_each_format(tmp_path, fmt, field, expect):
    ds = load(write(tmp_path / "d", FORMAT_SAMPLES[fmt][0], "jsonl"))
    state = CurationState()
    inverse = E.SetField(0, field, "NEW").apply(state, ds)
    assert expect in roles(edited_record(ds, state, 0))
    inverse.apply(state, ds)
    assert state.objects == {}
    assert roles(edited_record(ds, state, 0)) == roles(ds.record(0))


def test_messages_system_prompt_is_inserted_when_missing(tmp_path):
    ds = load(write(tmp_path / "d", FORMAT_SAMPLES["messages"][0], "jsonl"))
    state = CurationState()
    E.SetField(0, "system", "Be terse.").apply(state, ds)
    assert roles(edited_record(ds, state, 0))[0] == ("system", "Be terse.")


@pytest.mark.parametrize("fmt,field", [("dolly", "system"), ("messages", "input"), ("lima", "system")])
def test_fields_a_format_does_not_have(tmp_path, fmt, field):
    ds = load(write(tmp_path / "d", FORMAT_SAMPLES[fmt][0], "jsonl"))
    state = CurationState()
    with pytest.raises(EditError):
        E.SetField(0, field, "x").apply(state, ds)
    assert state.objects == {}


def test_turn_edits_on_conversations(tmp_path):
    ds = load(write(tmp_path / "d", FORMAT_SAMPLES["sharegpt"][0], "jsonl"))
    state = CurationState()
    undo = [E.InsertTurn(0, 3, "user", "More?").apply(state, ds),
            E.InsertTurn(0, 4, "assistant", "Sure.").apply(state, ds),
            E.SetTurn(0, 1, "Hello").apply(state, ds),
            E.MoveTurn(0, 3, 4).apply(state, ds),
            E.RemoveTurn(0, 4).apply(state, ds)]
    assert roles(edited_record(ds, state, 0)) == [("system", "Sys."), ("user", "Hello"), ("assistant", "Hello!"),
                                                  ("assistant", "Sure.")]
    assert state.objects[0]["conversations"][3] == {"from": "gpt", "value": "Sure."}
    for inverse in reversed(undo):
        inverse.apply(state, ds)
    assert state.objects == {}
    with pytest.raises(EditError, match="role is one of user, assistant, system, tool, not 'wizard'"):
        E.InsertTurn(0, 1, "wizard", "x").apply(state, ds)
    assert state.objects == {}
    with pytest.raises(EditError, match="store fields, not turns"):
        E.SetTurn(0, 0, "x").apply(state, load(write(tmp_path / "a", FORMAT_SAMPLES["alpaca"][0], "jsonl")))


def test_tags_delete_restore_and_rename_invert_exactly(tmp_path):
    ds = load(write(tmp_path / "d", FORMAT_SAMPLES["qa"][0], "jsonl"))
    state = CurationState()
    E.Tag((0,), "keep").apply(state, ds)
    inv = E.Tag((0, 1, 2), "keep").apply(state, ds)
    assert inv == E.Untag((1, 2), "keep")  # record 0 had the tag already: undo must leave it
    inv.apply(state, ds)
    assert state.tags == {0: {"keep"}}
    E.Delete((1,)).apply(state, ds)
    inv = E.Delete((1, 2)).apply(state, ds)
    inv.apply(state, ds)
    assert state.deleted == {1}
    inv = E.RenameCluster(3, "maths").apply(state, ds)
    assert state.cluster_names == {3: "maths"}
    inv.apply(state, ds)
    assert state.cluster_names == {}


@pytest.mark.parametrize("line", [{"op": "kind", "ids": [1, 1], "kind": "math"},
                                  {"op": "tag", "ids": [2, 2], "tag": "x"}, {"op": "delete", "ids": [1, 1]}])
def test_a_repeated_id_is_edited_once_and_undone_exactly(tmp_path, line):
    ds = load(write(tmp_path / "d", FORMAT_SAMPLES["qa"][0], "jsonl"))
    state = CurationState()
    edit = edit_from_json(line)
    assert edit.ids() == line["ids"][:1] and "1 record" in edit.label
    inverse = edit.apply(state, ds)
    assert state != CurationState()
    inverse.apply(state, ds)
    assert state == CurationState()  # a kind set on 1 twice was once "restored" to the kind it set
    E.Tag((2,), "x").apply(state, ds)
    E.Untag((2, 2), "x").apply(state, ds)  # once raised KeyError half-way
    assert state.tags == {}


def test_batch_is_all_or_nothing(tmp_path):
    ds = load(write(tmp_path / "d", FORMAT_SAMPLES["qa"][0], "jsonl"))
    state = CurationState()
    with pytest.raises(EditError, match="no record with id 99"):
        E.Batch((E.Delete((0,)), E.Tag((1,), "x"), E.Delete((99,))), "bad").apply(state, ds)
    assert state == CurationState()
    inverse = E.Batch((E.Delete((0,)), E.Tag((1,), "x")), "keep one").apply(state, ds)
    inverse.apply(state, ds)
    assert state.deleted == set() and state.tags == {}


@pytest.mark.parametrize("line", [
    {"op": "delete", "ids": [3, 7]}, {"op": "restore", "ids": [3]}, {"op": "tag", "ids": [1, 2], "tag": "math"},
    {"op": "untag", "ids": [1], "tag": "math"}, {"op": "set", "id": 5, "field": "response", "value": "..."},
    {"op": "set", "id": 5, "turn": 2, "value": "..."}, {"op": "rename_cluster", "cluster": 2, "name": "maths"},
])
def test_recipe_lines_round_trip_through_json(line):
    assert edit_from_json(line).to_json() == line


@pytest.mark.parametrize("line", [{"op": "explode"}, {"op": "delete", "ids": "3"}, {"op": "set", "id": 1},
                                  {"op": "tag", "ids": [True], "tag": "x"}, []])
def test_bad_recipe_lines_are_explained(line):
    with pytest.raises(EditError):
        edit_from_json(line)


def test_edited_export_changes_only_the_edited_line_and_inverse_restores_bytes(tmp_path):
    path = write(tmp_path / "d", FORMAT_SAMPLES["alpaca"][0] + FORMAT_SAMPLES["alpaca"][0], "jsonl")
    original = path.read_bytes()
    ds = load(path)
    state = CurationState()
    inverse = E.SetField(2, "response", "changed").apply(state, ds)
    export(ds, tmp_path / "e.jsonl", replacements=state.objects)
    edited_lines = (tmp_path / "e.jsonl").read_bytes().splitlines()
    assert [i for i, (a, b) in enumerate(zip(original.splitlines(), edited_lines)) if a != b] == [2]
    assert b'"output": "changed"' in edited_lines[2]
    inverse.apply(state, ds)
    export(ds, tmp_path / "back.jsonl", replacements=state.objects)
    assert (tmp_path / "back.jsonl").read_bytes() == original
