"""The desktop app driven through its API, offscreen: open, analyse, lasso, tag, delete, edit, undo, export."""

import json

import numpy as np
from PySide6.QtCore import QSettings

from explorer.core.curation import edits as E
from tests.fakes import planted_records
from tests.samples import write
from tests.ui.conftest import open_and_wait


def test_open_lasso_tag_delete_edit_undo_export(qtbot, window, tmp_path):
    records, truth = planted_records(30)
    path = write(tmp_path / "planted", records, "jsonl")
    open_and_wait(qtbot, window, path)
    doc, state, view = window.document, window.state, window.map
    assert window.stack.currentIndex() == 1 and len(doc) == 150
    assert window.clusters.table.rowCount() >= 5 and window.coverage.table.rowCount() == 30

    # lasso around one planted topic, through the view's own screen-coordinate API
    topic = np.flatnonzero(np.array(truth) == 2)
    px, py = view.to_screen(doc.analysis.xy[topic])
    pad = 4
    polygon = [(px.min() - pad, py.min() - pad), (px.max() + pad, py.min() - pad),
               (px.max() + pad, py.max() + pad), (px.min() - pad, py.max() + pad)]
    view.select_polygon(polygon)
    assert set(topic) <= set(state.selection.tolist())
    assert window.model.rowCount() == len(state.selection)

    state.select(topic)
    window.tag_selection("football")
    assert all(doc.tags(int(i)) == {"football"} for i in topic)
    state.select(topic[:3])
    window.delete_selection()
    assert doc.session.state.deleted == set(topic[:3].tolist())
    assert window.act_undo.text() == "Undo: delete 3 records"

    rid = int(topic[5])
    state.select(topic)
    state.set_current(rid)
    (_, _, box), = [b for b in window.editor.boxes if b[0] == "response"]
    box.setPlainText("A better answer.")
    window.editor.apply_changes()
    assert doc.record(rid).response == "A better answer."
    doc.undo()
    assert doc.record(rid).response != "A better answer."
    doc.redo()
    assert doc.record(rid).response == "A better answer."

    out = tmp_path / "selection.jsonl"
    with qtbot.waitSignal(doc.exported, timeout=60_000):
        window.export_to(str(out), selection_only=True)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == len(topic) - 3
    assert {"instruction": records[rid]["instruction"], "input": "", "output": "A better answer."} in rows
    assert json.loads((tmp_path / "selection.jsonl.manifest.json").read_text())["session_edits"] >= 4


def test_edits_are_durable_across_windows(qtbot, window, tmp_path):
    path = write(tmp_path / "d", planted_records(10)[0], "jsonl")
    open_and_wait(qtbot, window, path)
    window.document.apply(E.Delete((1, 2)))
    window.close()
    from explorer.core.curation.session import Session
    from explorer.core.dataset import load

    with Session(load(path)) as session:
        assert session.state.deleted == {1, 2}


def test_problems_panel_lists_bad_lines(qtbot, window, tmp_path):
    path = tmp_path / "bad.jsonl"
    good = "".join(json.dumps(r) + "\n" for r in planted_records(6)[0])
    path.write_text(good + "{oops\n")
    open_and_wait(qtbot, window, path)
    assert [p.line for p in window.problems.visible_problems()] == [31]
    window.problems.select_row(0)
    assert "> 31 │ {oops" in window.problems.file_view.toPlainText().splitlines()


def test_table_model_passes_the_model_tester(qtbot, window, tmp_path, qtmodeltester):
    open_and_wait(qtbot, window, write(tmp_path / "d", planted_records(8)[0], "jsonl"))
    qtmodeltester.check(window.model)
    window.model.sort(6)
    qtmodeltester.check(window.model)


def test_cancel_stops_a_long_job(qtbot, window):
    runner = window.document.runner

    def forever(progress, cancel):
        from explorer.core.progress import CancelledError

        while not cancel():
            progress(0, 0, "waiting")
        raise CancelledError()

    runner.submit("analysis", forever)
    assert runner.busy
    with qtbot.waitSignal(runner.cancelled, timeout=10_000):
        window.cancel_button.click()
    assert not runner.busy


def test_window_renders_and_restores_settings(qtbot, window, tmp_path):
    open_and_wait(qtbot, window, write(tmp_path / "d", planted_records(20)[0], "jsonl"))
    image = window.grab().toImage()
    map_image = window.map.grab().toImage()
    colors = {map_image.pixel(x, y) for x in range(0, map_image.width(), 7) for y in range(0, map_image.height(), 7)}
    assert image.width() > 1000 and len(colors) > 4  # points in several cluster colours, not a blank map
    window.close()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    assert settings.value("geometry") and settings.value("recentFiles")


def test_text_and_semantic_search_select_records(qtbot, window, tmp_path):
    records, truth = planted_records(12)
    open_and_wait(qtbot, window, write(tmp_path / "d", records, "jsonl"))
    window.search.setText("about poetry")
    with qtbot.waitSignal(window.document.matched, timeout=30_000):
        window.run_search()
    assert sorted(window.state.selection.tolist()) == [i for i, t in enumerate(truth) if t == 3]
    with qtbot.waitSignal(window.document.found, timeout=30_000):
        window.document.semantic_search("a question on astronomy", k=5)
    found = window.state.selection.tolist()
    assert len(found) == 5 and all(truth[i] == 1 for i in found)


def test_mapping_dialog_for_unknown_keys_is_remembered(qtbot, window, tmp_path):
    rows = [{"q_text": f"Why {i}?", "gold": f"Because {i}.", "note": "x"} for i in range(12)]
    path = write(tmp_path / "odd", rows, "jsonl")
    window.open_path(path)
    qtbot.waitUntil(lambda: window.mapping_dialog is not None and window.mapping_dialog.isVisible(), timeout=30_000)
    dialog = window.mapping_dialog
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
    dialog.choose(instruction="q_text", response="gold")
    assert "[user] Why 0?" in dialog.preview.toPlainText() and "[assistant] Because 0." in dialog.preview.toPlainText()
    dialog.accept()
    qtbot.waitUntil(lambda: window.document.analysis is not None, timeout=120_000)
    assert window.document.dataset.format == "mapped"
    from explorer.core import mappings

    assert str(mappings.remembered(path)) == "instruction=q_text,response=gold"


def test_preferences_rerun_only_what_changed_and_persist(qtbot, window, tmp_path):
    import dataclasses

    from explorer.ui.dialogs.preferences import PreferencesDialog, load_params

    open_and_wait(qtbot, window, write(tmp_path / "d", planted_records(20)[0], "jsonl"))
    runs = window.document.pipeline.runs
    dialog = PreferencesDialog(window.document.params, window)
    dialog.editors["min_cluster_size"][1].setValue(15)
    params = dialog.params()
    assert params.min_cluster_size == 15 and params.model == "fake"
    with qtbot.waitSignal(window.document.analysis_ready, timeout=60_000):
        window.apply_preferences(params)
    assert runs["embeddings"] == 1 and runs["map"] == 1 and runs["clusters"] == 2
    saved = load_params(QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat),
                        dataclasses.replace(params, min_cluster_size=None))
    assert saved.min_cluster_size == 15


def test_near_duplicate_review_keeps_one_in_one_undo_step(qtbot, window, tmp_path):
    records = planted_records(10)[0]
    records += [dict(records[4], output="another answer"), dict(records[4], output="a third answer")]
    open_and_wait(qtbot, window, write(tmp_path / "d", records, "jsonl"))
    panel = window.duplicates
    assert panel.groups and panel.groups[0] == [4, 50, 51]
    assert panel.members.rowCount() == 3 and panel.members.item(1, 2).text() == "another answer"
    panel.keep_first()
    assert window.document.session.state.deleted == {50, 51}
    assert window.act_undo.text() == "Undo: keep #4, delete 2 near-duplicates"
    assert all(4 not in g for g in panel.groups)
    window.document.undo()
    assert window.document.session.state.deleted == set()
    panel.slider.setValue(80)  # a threshold not grouped yet: grouped in the background, then shown
    assert "grouping" in panel.value.text()
    qtbot.waitUntil(lambda: len(panel.groups) >= 1 and "grouping" not in panel.value.text())
    assert panel.groups[0][0] == 4 and {50, 51} <= set(panel.groups[0])


def test_editor_adds_moves_and_removes_turns(qtbot, window, tmp_path):
    rows = [{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}] * 6
    open_and_wait(qtbot, window, write(tmp_path / "chat", rows, "jsonl"))
    doc, editor = window.document, window.editor
    window.state.set_current(2)
    editor.show_record(2)
    assert "1 tokens" in [w.text() for w in editor.findChildren(type(editor.header))]
    editor._structural(E.InsertTurn(2, 2, "user", "More?"))
    assert [m.content for m in doc.record(2).messages] == ["Hi", "Hello", "More?"]
    (_, _, box), = [b for b in editor.boxes if b[1] == ("turn", 0)]
    box.setPlainText("Hey")
    remove = [b for b in editor.findChildren(type(editor.apply_button)) if b.text() == "✕"][2]
    remove.click()  # the pending text change and the removal are one step
    assert [m.content for m in doc.record(2).messages] == ["Hey", "Hello"]
    doc.undo()
    assert [m.content for m in doc.record(2).messages] == ["Hi", "Hello", "More?"]


def test_editing_a_target_share_recomputes_only_the_coverage(qtbot, window, tmp_path):
    open_and_wait(qtbot, window, write(tmp_path / "d", planted_records(10)[0], "jsonl"))
    runs = window.document.pipeline.runs
    row = window.coverage.keys.index("math")
    with qtbot.waitSignal(window.document.analysis_ready, timeout=60_000):
        window.coverage.table.item(row, window.coverage.TARGET).setText("20%")
    math = next(r for r in window.document.analysis.coverage if r["kind"] == "math")
    assert abs(math["target"] - 0.2) < 0.001
    assert runs["kinds"] == 1 and runs["embeddings"] == 1 and runs["map"] == 1  # targets do not change kinds
    assert window.document.params.taxonomy_path.endswith("taxonomy.json")
    for typed, said in (("100%", "under 100%"), ("abc", "not a percentage")):  # refused, said, the cell as it was
        window.coverage.table.item(row, window.coverage.TARGET).setText(typed)
        assert said in window.statusBar().currentMessage()
        assert window.coverage.table.item(row, window.coverage.TARGET).text() == "20.0%"
    with qtbot.waitSignal(window.document.analysis_ready, timeout=60_000):
        window.coverage.table.item(row, window.coverage.TARGET).setText("0.5")  # the column is in percent
    math = next(r for r in window.document.analysis.coverage if r["kind"] == "math")
    assert abs(math["target"] - 0.005) < 0.0005
    with qtbot.waitSignal(window.document.analysis_ready, timeout=60_000):
        window.coverage.table.item(row, window.coverage.TARGET).setText("0%")  # "none wanted": never a gap
    math = next(r for r in window.document.analysis.coverage if r["kind"] == "math")
    assert math["target"] == 0 and not math["gap"]


def test_cluster_names_survive_reclustering(qtbot, window, tmp_path):
    import dataclasses

    records, truth = planted_records(20)
    open_and_wait(qtbot, window, write(tmp_path / "d", records, "jsonl"))
    doc = window.document
    before = doc.analysis
    football = int(np.bincount(before.clusters[np.array(truth) == 2]).argmax())
    doc.apply(E.RenameCluster(football, "sport questions"))
    doc.apply(E.Tag((0,), "later"))
    doc.undo()
    # a re-clustering that numbers the clusters differently (ids shifted by one) and drops one member
    shifted = np.where(before.clusters >= 0, before.clusters + 1, -1)
    shifted[np.flatnonzero(before.clusters == football)[0]] = -1
    doc.workspace.analysis_done(dataclasses.replace(before, clusters=shifted))
    assert doc.cluster_name(football + 1) == "sport questions"
    assert doc.session.state.cluster_names == {football + 1: "sport questions"}
    assert window.act_undo.text() == "Undo: carry cluster names to the new clusters"
    assert window.act_redo.text() == "Redo: tag 1 record 'later'"  # the app's own step keeps your redo


def test_a_long_step_shows_the_time_left_at_its_own_rate(window, monkeypatch):
    import explorer.ui.status_area as status_area

    clock = [100.0]
    monkeypatch.setattr(status_area.time, "monotonic", lambda: clock[0])
    area = window.status
    area.show_progress("analysis", 0, 1000, "Placing records on the map")
    clock[0] += 60
    area.show_progress("analysis", 250, 1000, "Placing records on the map")
    assert area.progress_text.text() == "Placing records on the map · about 3 min left"
    area.show_progress("analysis", 10, 1000, "Near-duplicates within cells")  # a new step: its own clock
    assert area.progress_text.text() == "Near-duplicates within cells"


def test_the_next_dataset_starts_with_no_filter_and_every_legend_group_shown(qtbot, window, tmp_path):
    from explorer.core.analysis.facets import Filter

    records = planted_records(10)[0]
    open_and_wait(qtbot, window, write(tmp_path / "a", records, "jsonl"))
    window.filter_bar.set_filter(Filter(max_tokens=100))
    window.state.set_color_by("kind")
    window.state.toggle_group(str(window.document.live.kinds()[0]))
    assert window.state.hidden_groups
    open_and_wait(qtbot, window, write(tmp_path / "b", records[:30], "jsonl"))
    assert window.filter_bar.filter.is_empty() and window.document.workspace.filter.is_empty()
    assert not window.state.hidden_groups and window.filter_bar.count.text() == ""
    window.select_all()
    assert len(window.state.selection) == 30
