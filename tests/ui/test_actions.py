"""Actions are declared as data: every row builds, and every action is enabled exactly in the contexts it needs."""

import itertools
from dataclasses import fields

from explorer.ui.actions import ACTIONS, MENUS, Context, enabled
from tests.fakes import planted_records
from tests.samples import write
from tests.ui.conftest import open_and_wait

NAMES = [f.name for f in fields(Context)]


def test_every_action_row_names_a_window_method_and_a_menu(window):
    assert len({a.id for a in ACTIONS}) == len(ACTIONS)
    for spec in ACTIONS:
        assert spec.menu in MENUS and callable(getattr(window, spec.method)), spec
        assert set(spec.needs) <= set(NAMES), spec
    assert set(window.actions) == {a.id for a in ACTIONS}


def test_enablement_in_every_context():
    for values in itertools.product([False, True], repeat=len(NAMES)):
        context = Context(**dict(zip(NAMES, values)))
        for spec in ACTIONS:
            assert enabled(spec, context) == all(getattr(context, n) for n in spec.needs)
    nothing_open = Context()
    # with no dataset open only opening, preferences and quitting are possible
    assert {a.id for a in ACTIONS if enabled(a, nothing_open)} == {"open", "open_folder", "open_demo",
                                                                   "preferences", "quit"}


def test_the_window_follows_the_rules(qtbot, window, tmp_path):
    acts = window.actions
    assert not acts["restore"].isEnabled() and not acts["untag"].isEnabled() and not acts["select_cluster"].isEnabled()
    open_and_wait(qtbot, window, write(tmp_path / "d", planted_records(8)[0], "jsonl"))
    assert acts["select_cluster"].isEnabled() and acts["delete"].isEnabled()  # the current record is a target
    assert not acts["undo"].isEnabled() and not acts["export_filtered"].isEnabled()
    window.delete_selection()
    assert acts["undo"].isEnabled() and acts["undo"].text().startswith("Undo: delete")


def test_text_search_runs_off_the_gui_thread_and_fills_the_table(qtbot, window, tmp_path):
    records, truth = planted_records(10)
    open_and_wait(qtbot, window, write(tmp_path / "d", records, "jsonl"))
    window.search.setText("about (poetry|taxes)")
    with qtbot.waitSignal(window.document.matched, timeout=30_000):
        window.run_search()
    expected = [i for i, t in enumerate(truth) if t in (3, 4)]
    assert window.state.selection.tolist() == expected and window.model.rowCount() == len(expected)


def test_set_kind_from_the_window_reruns_only_the_kinds(qtbot, window, tmp_path):
    records, truth = planted_records(10)
    open_and_wait(qtbot, window, write(tmp_path / "d", records, "jsonl"))
    doc = window.document
    poetry = [i for i, t in enumerate(truth) if t == 3]
    runs = dict(doc.pipeline.runs)
    window.state.select(poetry[:3])
    with qtbot.waitSignal(doc.analysis_ready, timeout=60_000):
        window.set_kind(window.state.selection, "creative_writing")
    assert doc.pipeline.runs["kinds"] == runs["kinds"] + 1 and doc.pipeline.runs["embeddings"] == runs["embeddings"]
    assert window.model.value(poetry[0], "kind") == "creative_writing"
    row = window.coverage.keys.index("creative_writing")
    assert window.coverage.table.item(row, 2).data(0) >= 3
    assert window.act_undo.text() == "Undo: set kind of 3 records to creative_writing"
    assert window.state.selection.tolist() == poetry[:3]  # teaching moves no selection


def test_to_check_counts_select_the_records_whose_kind_is_uncertain(qtbot, window, tmp_path, monkeypatch):
    from explorer.core.analysis import kind_classifier

    monkeypatch.setattr(kind_classifier, "SURE", 0.4)  # taught, the fake embedder's kinds score 0.34–0.46: split them
    records, truth = planted_records(10)
    open_and_wait(qtbot, window, write(tmp_path / "d", records, "jsonl"))
    doc, panel = window.document, window.coverage
    with qtbot.waitSignal(doc.analysis_ready, timeout=60_000):
        window.set_kind([i for i, t in enumerate(truth) if t == 3][:3], "creative_writing")
    live = doc.live
    assert 0 < live.unsure.sum() < len(live)
    counts = [panel.table.item(r, panel.TO_CHECK).data(0) for r in range(len(panel.keys))]
    row = counts.index(max(counts))
    kind = panel.keys[row]
    panel.table.cellClicked.emit(row, panel.TO_CHECK)
    uncertain = [int(i) for i in live.kind_ids(kind) if live.unsure[i]]
    assert len(uncertain) == max(counts) and window.state.selection.tolist() == uncertain
    panel.table.cellClicked.emit(row, 0)  # any other column: all the kind's records
    assert window.state.selection.tolist() == live.kind_ids(kind).tolist() != uncertain
    with qtbot.waitSignal(doc.analysis_ready, timeout=60_000):
        window.set_kind(uncertain[:2], kind)  # a kind the user set is not one to check
    assert panel.table.item(row, panel.TO_CHECK).data(0) == doc.live.unsure[doc.live.kind_ids(kind)].sum()
    assert not doc.live.unsure[uncertain[:2]].any()
    assert f"{int(doc.live.unsure.sum()):,} records" in panel.summary.text()
    window.state.set_color_by("kind")
    window.state.toggle_group(kind)  # the kind's records hidden by the legend: not selected, and the window says so
    panel.table.cellClicked.emit(row, 0)
    assert len(window.state.selection) == 0
    assert f"{len(doc.live.kind_ids(kind)):,} of them hidden" in window.statusBar().currentMessage()


def test_kind_confidence_column_lists_the_least_certain_first_and_your_kinds_last(qtbot, window, tmp_path):
    from explorer.ui.table.record_model import COLUMNS, SET_BY_YOU

    records, truth = planted_records(10)
    open_and_wait(qtbot, window, write(tmp_path / "d", records, "jsonl"))
    doc, model = window.document, window.model
    column = COLUMNS.index("kind conf.")
    window.state.select([0, 1])
    with qtbot.waitSignal(doc.analysis_ready, timeout=60_000):
        window.set_kind(window.state.selection, "creative_writing")
    window.state.select(list(range(len(records))))
    model.sort(column)
    shown = [model.index(row, column).data() for row in range(model.rowCount())]
    predicted = [float(v) for v in shown if v != SET_BY_YOU]
    assert shown[-2:] == [SET_BY_YOU, SET_BY_YOU] and sorted(model.rows[-2:].tolist()) == [0, 1]
    assert predicted == sorted(predicted) and len(predicted) == len(records) - 2
    assert shown[0] == f"{min(doc.analysis.kind_confidence[r] for r in range(2, len(records))):.2f}"
