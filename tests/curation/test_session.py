"""The session store: durable edits, undo/redo across restarts, locking, a changed source, injected faults."""

import sqlite3

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from explorer.core.curation import edits as E
from explorer.core.curation.session import Session, source_fingerprint
from explorer.core.dataset import load
from explorer.core.errors import DatasetError
from explorer.core.export import export
from tests.samples import write

RECORDS = [{"instruction": f"q{i}", "input": "", "output": f"a{i}"} for i in range(6)]


@pytest.fixture
def dataset(tmp_path):
    return load(write(tmp_path / "d", RECORDS, "jsonl"))


def test_edits_survive_a_restart_with_their_undo_history(dataset, tmp_path):
    with Session(dataset) as s:
        s.apply(E.Delete((1, 2)))
        s.apply(E.Tag((0, 3), "good"))
        s.apply(E.SetField(4, "response", "better"))
        s.undo()
        assert s.undo_label == "Undo: tag 2 records 'good'" and s.redo_label == "Redo: edit response of record 4"
    with Session(load(dataset.path)) as s:
        assert s.state.deleted == {1, 2} and s.state.tags == {0: {"good"}, 3: {"good"}}
        assert s.state.objects == {}
        assert s.replay.edits == 4 and s.edit_count() == 4
        s.redo()
        assert s.state.objects[4]["output"] == "better"
        assert s.undo() == E.SetField(4, "response", "better")
        s.apply(E.Restore((1,)))
        assert s.redo_label is None  # a new edit clears redo
        assert [h["action"] for h in s.record_history(4)] == ["do", "undo", "redo", "undo"]


def test_second_process_gets_in_use(dataset):
    with Session(dataset):
        with pytest.raises(DatasetError, match="in use by another"):
            Session(load(dataset.path))
    Session(load(dataset.path)).close()  # free again once closed


def test_changed_source_reapplies_only_matching_records(dataset, tmp_path):
    with Session(dataset) as s:
        s.apply(E.SetField(1, "response", "edited one"))
        s.apply(E.SetField(2, "response", "edited two"))
        s.apply(E.Delete((3,)))
    path = tmp_path / "d.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    lines[2] = lines[2].replace('"a2"', '"changed outside"')
    path.write_text("".join(lines))
    with Session(load(path)) as s:
        assert s.replay.source_changed
        assert [r for _, r in s.replay.skipped] == ["record 2 changed in the source file"]
        assert s.state.objects[1]["output"] == "edited one" and 2 not in s.state.objects
        assert s.state.deleted == {3}
        assert s.summary()["skipped_on_open"][0]["reason"] == "record 2 changed in the source file"


def test_undo_and_redo_of_a_skipped_edit_are_skipped_too(dataset, tmp_path):
    with Session(dataset) as s:
        s.apply(E.Tag((3,), "keep"))
        s.apply(E.Delete((1,)))
        s.undo()
        s.apply(E.SetField(2, "response", "fixed"))
        s.undo()
        s.redo()
    path = tmp_path / "d.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    for rid in (1, 2):
        lines[rid] = lines[rid].replace(f'"a{rid}"', '"changed outside"')
    path.write_text("".join(lines))
    with Session(load(path)) as s:
        assert [seq for seq, _ in s.replay.skipped] == [2, 3, 4, 5, 6]
        assert s.state.tags == {3: {"keep"}} and s.state.objects == {} and s.state.deleted == set()
        assert s.undo_label == "Undo: tag 1 record 'keep'" and s.redo_label is None
        s.undo()  # once undid the skipped edit's undo instead: the tag stayed
        assert s.state.tags == {}


def test_the_apps_own_edits_keep_the_redo_history(dataset):
    with Session(dataset) as s:
        s.apply(E.SetField(4, "response", "better"))
        s.undo()
        s.apply(E.RenameCluster(0, "maths"), by_user=False)
        assert s.redo_label == "Redo: edit response of record 4"
        assert s.undo_label == "Undo: rename cluster 0"
    with Session(load(dataset.path)) as s:
        assert s.redo_label == "Redo: edit response of record 4" and s.state.cluster_names == {0: "maths"}
        s.redo()
        assert s.state.objects[4]["output"] == "better"


def test_recipes_keep_edits_beyond_the_undo_history(dataset, monkeypatch):
    from explorer.core.curation import recipes, session

    monkeypatch.setattr(session, "HISTORY_LIMIT", 3)
    with Session(dataset) as s:
        for rid in range(5):
            s.apply(E.Tag((rid,), "seen"))
        assert len(s.undo_stack) == 3
        assert [line["ids"] for line in recipes.recipe_lines(s)] == [[0], [1], [2], [3], [4]]
    with Session(load(dataset.path)) as s:
        assert [e.ids() for e in s.effective_edits()] == [[0], [1], [2], [3], [4]]


def test_discard_forgets_edits_and_never_touches_the_source(dataset):
    before = source_fingerprint(dataset.path)
    with Session(dataset) as s:
        s.apply(E.Delete((0,)))
        s.discard()
    with Session(load(dataset.path)) as s:
        assert s.edit_count() == 0 and s.state.deleted == set()
    assert source_fingerprint(dataset.path) == before


def test_journal_write_failure_leaves_state_and_store_consistent(dataset):
    s = Session(dataset)
    s.apply(E.Delete((0,)))

    class FailingDb:
        def __init__(self, db):
            self.db = db

        def execute(self, sql, *args):
            if sql.startswith("INSERT INTO journal"):
                raise sqlite3.OperationalError("database or disk is full")
            return self.db.execute(sql, *args)

        def close(self):
            self.db.close()

    s._db = FailingDb(s._db)
    with pytest.raises(DatasetError, match="could not save the edit .database or disk is full.; nothing was changed"):
        s.apply(E.Delete((1, 2)))
    assert s.state.deleted == {0} and len(s.undo_stack) == 1
    s.close()
    with Session(load(dataset.path)) as again:
        assert again.state.deleted == {0} and again.edit_count() == 1


def test_bulk_edit_is_one_undo_step(tmp_path):
    ds = load(write(tmp_path / "big", [{"question": f"q{i}", "answer": "a"} for i in range(6000)], "jsonl"))
    with Session(ds) as s:
        s.apply(E.Tag(tuple(range(6000)), "bulk"))
        assert s.undo_label == "Undo: tag 6000 records 'bulk'"
        s.undo()
        assert s.state.tags == {}


# -- property test: random edit/undo/redo sequences always equal a replay of the journal ------------------

class SessionMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        import tempfile
        from pathlib import Path

        self.folder = Path(tempfile.mkdtemp())
        self.path = write(self.folder / "m", RECORDS, "jsonl")
        self.original = self.path.read_bytes()
        self.session = Session(load(self.path), self.folder / "s.sqlite")

    ids = st.lists(st.integers(0, len(RECORDS) - 1), min_size=1, max_size=3, unique=True).map(tuple)

    @rule(ids=ids)
    def delete(self, ids):
        self.session.apply(E.Delete(ids))

    @rule(ids=ids)
    def restore(self, ids):
        self.session.apply(E.Restore(ids))

    @rule(ids=ids, tag=st.sampled_from(["a", "b"]))
    def tag(self, ids, tag):
        self.session.apply(E.Tag(ids, tag))

    @rule(ids=ids, tag=st.sampled_from(["a", "b"]))
    def untag(self, ids, tag):
        self.session.apply(E.Untag(ids, tag))

    @rule(rid=st.integers(0, len(RECORDS) - 1), field=st.sampled_from(["instruction", "response"]),
          value=st.text(max_size=5))
    def set_field(self, rid, field, value):
        self.session.apply(E.SetField(rid, field, value))

    @rule()
    def undo(self):
        self.session.undo()

    @rule()
    def redo(self):
        self.session.redo()

    @invariant()
    def replay_equals_live_state(self):
        live = self.session
        snapshot = (live.state.objects, live.state.deleted, live.state.tags,
                    [e for e, _ in live.undo_stack], [e for e, _ in live.redo_stack])
        live.close()
        self.session = Session(load(self.path), self.folder / "s.sqlite")
        again = self.session
        assert (again.state.objects, again.state.deleted, again.state.tags,
                [e for e, _ in again.undo_stack], [e for e, _ in again.redo_stack]) == snapshot

    def teardown(self):
        # undoing everything restores the original bytes on export; the source was never written
        while self.session.undo():
            pass
        out = self.folder / "out.jsonl"
        export(self.session.dataset, out, replacements=self.session.state.objects,
               exclude=self.session.state.deleted)
        assert out.read_bytes() == self.original == self.path.read_bytes()
        self.session.close()


SessionMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=15, deadline=None,
                                            suppress_health_check=[HealthCheck.too_slow])
test_session_state_machine = SessionMachine.TestCase
