"""The find-and-fix loop: the selection never moves under the user, typed text is never lost, shortcuts are unique."""

import numpy as np
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDockWidget, QMessageBox

from explorer.core.curation import edits as E
from tests.fakes import planted_records
from tests.samples import write
from tests.ui.conftest import open_and_wait


def _with_near_duplicates(tmp_path):
    records = planted_records(10)[0]
    records += [dict(records[4], output="another answer"), dict(records[4], output="a third answer")]
    return write(tmp_path / "d", records, "jsonl")


def test_edits_deletes_and_undo_never_move_the_selection(qtbot, window, tmp_path):
    open_and_wait(qtbot, window, _with_near_duplicates(tmp_path))
    doc, state = window.document, window.state
    assert window.duplicates.groups  # the near-duplicate panel is filled and would love to select its first group
    window.findChild(QDockWidget, "Near-duplicates").raise_()
    window.activateWindow()
    picked = np.array([10, 11, 12, 13, 14])
    state.select(picked)
    state.set_current(12)
    (_, _, box), = [b for b in window.editor.boxes if b[0] == "response"]
    box.setFocus()  # the user typed here, so the box has the focus when the editor is rebuilt
    qtbot.waitUntil(box.hasFocus)
    box.setPlainText("A fixed answer.")
    window.editor.apply_changes()
    assert state.selection.tolist() == picked.tolist() and state.current == 12
    window.tag_selection("checked")
    assert state.selection.tolist() == picked.tolist() and state.current == 12
    state.select([10, 11])
    assert state.current == 10  # a selection that leaves out the open record opens its first record
    window.delete_selection()
    assert state.selection.tolist() == [] and state.current == 10  # deleted ids drop out, nothing else comes in
    doc.undo()
    doc.undo()
    doc.redo()
    assert state.selection.tolist() == [] and state.current == 10
    window.duplicates.slider.setValue(90)  # regrouping at another threshold selects nothing by itself
    assert state.selection.tolist() == []


def test_deleting_drops_only_the_deleted_ids_from_the_selection(qtbot, window, tmp_path):
    open_and_wait(qtbot, window, _with_near_duplicates(tmp_path))
    doc, state = window.document, window.state
    state.select([1, 2, 3, 4])
    doc.apply(__import__("explorer.core.curation.edits", fromlist=["Delete"]).Delete((2, 3)))
    assert state.selection.tolist() == [1, 4]


def test_ctrl_return_applies_in_the_editor_and_searches_in_the_search_box(qtbot, window, tmp_path):
    open_and_wait(qtbot, window, _with_near_duplicates(tmp_path))
    doc, state = window.document, window.state
    state.set_current(3)
    (_, _, box), = [b for b in window.editor.boxes if b[0] == "response"]
    box.setFocus()
    box.setPlainText("Typed and applied with the keyboard.")
    qtbot.keyClick(box, "\r", modifier=__import__("PySide6.QtCore", fromlist=["Qt"]).Qt.ControlModifier)
    assert doc.record(3).response == "Typed and applied with the keyboard."
    window.search.setText("astronomy")
    window.search.setFocus()
    with qtbot.waitSignal(doc.found, timeout=30_000):
        qtbot.keyClick(window.search, "\r", modifier=__import__("PySide6.QtCore", fromlist=["Qt"]).Qt.ControlModifier)
    assert len(state.selection) > 0
    assert window.semantic_button.isVisible() and window.semantic_button.isEnabled()


def test_every_shortcut_is_unique(qtbot, window):
    """Window-wide keys are bound once; a widget's own shortcut never shares a key with an action or an ancestor."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QAction, QShortcut

    owners: dict[str, list] = {}
    for action in window.findChildren(QAction):
        for seq in action.shortcuts():
            owners.setdefault(seq.toString(QKeySequence.PortableText), []).append((action.text(), None))
    for shortcut in window.findChildren(QShortcut):
        key = shortcut.key().toString(QKeySequence.PortableText)
        scope = None if shortcut.context() in (Qt.WindowShortcut, Qt.ApplicationShortcut) else shortcut.parent()
        owners.setdefault(key, []).append((type(shortcut.parent()).__name__, scope))
    assert owners, "no shortcuts found"
    for key, bound in owners.items():
        if len(bound) < 2:
            continue
        for a, (name_a, scope_a) in enumerate(bound):
            for name_b, scope_b in bound[a + 1:]:
                overlap = scope_a is None or scope_b is None or scope_a.isAncestorOf(scope_b) or \
                    scope_b.isAncestorOf(scope_a)
                assert not overlap, f"{key} is bound to both {name_a!r} and {name_b!r}"


def test_unapplied_text_is_not_lost_when_switching_records(qtbot, window, tmp_path, monkeypatch):
    open_and_wait(qtbot, window, _with_near_duplicates(tmp_path))
    doc, state = window.document, window.state
    state.set_current(5)
    (_, _, box), = [b for b in window.editor.boxes if b[0] == "response"]
    box.setPlainText("Half-typed fix")
    answers = iter([QMessageBox.Cancel, QMessageBox.Apply, QMessageBox.Discard])
    monkeypatch.setattr(window.editor, "ask_pending", lambda: next(answers))
    state.set_current(6)  # Cancel: stay on record 5 with the text
    assert state.current == 5 and window.editor.rid == 5
    assert [b for b in window.editor.boxes if b[0] == "response"][0][2].toPlainText() == "Half-typed fix"
    state.set_current(6)  # Apply: the text is saved, then record 6 opens
    assert doc.record(5).response == "Half-typed fix" and window.editor.rid == 6
    (_, _, box), = [b for b in window.editor.boxes if b[0] == "response"]
    box.setPlainText("Thrown away")
    state.set_current(7)  # Discard
    assert doc.record(6).response != "Thrown away" and window.editor.rid == 7


def test_near_duplicate_list_selects_only_on_click_or_enter(qtbot, window, tmp_path):
    from PySide6.QtCore import Qt

    open_and_wait(qtbot, window, _with_near_duplicates(tmp_path))
    panel, state = window.duplicates, window.state
    state.select([1, 2])
    panel.list.setCurrentRow(-1)
    panel.list.setCurrentRow(0)  # keyboard browsing or a regroup: members shown, the selection stays
    panel.regroup()
    assert state.selection.tolist() == [1, 2] and panel.members.rowCount() == 3
    rect = panel.list.visualItemRect(panel.list.item(0))
    qtbot.mouseClick(panel.list.viewport(), Qt.LeftButton, pos=rect.center())
    assert state.selection.tolist() == [4, 50, 51]


def test_counts_follow_every_edit_undo_and_redo(qtbot, window, tmp_path):
    from explorer.core.curation import edits as E

    records = planted_records(10)[0]
    maths = {"instruction": "Tom has 3 apples and buys 4 more. How many apples does he have now?", "input": "",
             "output": "7"}
    refusal = {"instruction": "Tell me about cooking with fire.", "input": "",
               "output": "I'm sorry, but I can't help with that request."}
    records += [maths, refusal, dict(refusal)]
    open_and_wait(qtbot, window, write(tmp_path / "live", records, "jsonl"))
    doc = window.document

    def quality(flag):
        row = window.quality.keys.index(flag)
        return window.quality.table.item(row, 1).data(0)

    assert quality("missing_cot") == 1 and quality("refusal") == 2
    doc.apply(E.SetField(50, "response", "He starts with 3 apples and buys 4 more, so 3 + 4 = 7. He has 7 apples."))
    assert quality("missing_cot") == 0 and "missing_cot" not in window.table.model().value(50, "flags")
    doc.apply(E.Delete((51, 52)))
    assert quality("refusal") == 0
    doc.undo()
    assert quality("refusal") == 2
    doc.undo()
    assert quality("missing_cot") == 1
    doc.redo()
    assert quality("missing_cot") == 0

    # a cluster deleted whole reads 0 records; kinds coverage counts only what is left
    cluster = int(doc.analysis.clusters[0])
    members = tuple(np.flatnonzero(doc.analysis.clusters == cluster).tolist())
    before = sum(r["count"] for r in doc.live.coverage())
    doc.apply(E.Delete(members))
    row = window.clusters.keys.index(cluster)
    assert window.clusters.table.item(row, 2).data(0) == 0 and window.clusters.table.item(row, 3).text() == "0.0%"
    assert sum(r["count"] for r in doc.live.coverage()) == before - len(members)
    assert f"{len(doc) - len(members):,} records" in window.clusters.summary.text()
    legend_total = sum(int(window.legend.item(k).text().rsplit("(", 1)[1].rstrip(")").replace(",", ""))
                       for k in range(window.legend.count()))
    assert legend_total == len(doc) - len(members)


def test_filter_bar_narrows_map_table_counts_and_export(qtbot, window, tmp_path):
    import json

    from explorer.core.analysis.facets import Filter

    records = planted_records(10)[0]
    for k, r in enumerate(records):
        r["category"] = "qa" if k % 2 else "chat"
    open_and_wait(qtbot, window, write(tmp_path / "f", records, "jsonl"))
    doc, bar = window.document, window.filter_bar
    assert set(bar.buttons) == {"flag", "kind", "cluster", "tag", "category"}
    cluster = int(doc.analysis.clusters[0])
    in_cluster = doc.analysis.clusters == cluster
    window.state.select([0, 1, 2, int(np.flatnonzero(~in_cluster)[0])])
    bar.set_filter(Filter(clusters=frozenset({cluster})).with_values("category", {"chat"}))
    expected = np.flatnonzero(in_cluster & (np.arange(len(doc)) % 2 == 0))
    assert doc.filter_mask.sum() == len(expected)
    assert set(window.state.selection.tolist()) <= set(expected.tolist())  # selected records outside left the selection
    window.state.select([])
    assert window.model.rowCount() == len(expected)
    assert window.map.visible.sum() == len(expected)
    assert f"{len(expected):,} records" in window.clusters.summary.text()
    assert bar.count.text() == f"{len(expected):,} of {len(doc):,} records"
    bar._fill("category", menu := bar.buttons["category"].menu())
    assert any(a.text().startswith("qa") and f"({int((in_cluster & (np.arange(len(doc)) % 2 == 1)).sum())})" in a.text()
               for a in menu.actions())  # the category facet counts under the cluster filter
    window.save_filter("chat in one cluster")
    assert window._saved_filters()["chat in one cluster"] == bar.filter

    out = tmp_path / "filtered.jsonl"
    with qtbot.waitSignal(doc.exported, timeout=60_000):
        window.export_to(str(out), False, filtered=True)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["instruction"] for r in rows] == [records[i]["instruction"] for i in expected]
    manifest = json.loads((tmp_path / "filtered.jsonl.manifest.json").read_text())
    assert manifest["view_filter"] == {"clusters": [cluster], "columns": {"category": ["chat"]}}
    bar.set_filter(Filter())
    assert doc.filter_mask is None and window.model.rowCount() == len(doc)


def test_app_export_manifest_has_kinds_and_clusters_and_the_dialog_scope(qtbot, window, tmp_path):
    import json

    from explorer.core.analysis.facets import Filter

    open_and_wait(qtbot, window, write(tmp_path / "m", planted_records(10)[0], "jsonl"))
    doc = window.document
    out = tmp_path / "all.jsonl"
    with qtbot.waitSignal(doc.exported, timeout=60_000):
        window.export_to(str(out), False)
    manifest = json.loads((tmp_path / "all.jsonl.manifest.json").read_text())
    assert sum(manifest["per_kind"]["out"].values()) == len(doc) and manifest["per_cluster"]["out"]
    assert None not in manifest["per_kind"]["out"] and "None" not in manifest["per_kind"]["out"]
    clusters, kinds = doc.analysis.clusters, doc.analysis.kinds
    two_kinds = next(int(c) for c in clusters  # a cluster whose records after the first have two kinds or more
                     if len({kinds[i] for i in np.flatnonzero(clusters == c)[1:]}) > 1)
    window.filter_bar.set_filter(Filter(clusters=frozenset({two_kinds})))
    window.export_dialog(filtered=True)
    dialog = window.export_window
    assert dialog.selection().ids == np.flatnonzero(doc.filter_mask).tolist()
    dialog.path.setText(str(tmp_path / "dialog.jsonl"))
    with qtbot.waitSignal(doc.exported, timeout=60_000):
        dialog.accept()
    manifest = json.loads((tmp_path / "dialog.jsonl.manifest.json").read_text())
    assert manifest["view_filter"] == window.filter_bar.filter.to_json()
    assert manifest["counts"]["out"] == int(doc.filter_mask.sum())

    inside = np.flatnonzero(doc.filter_mask)  # the filtered view is what the map shows: the legend and deletions too
    window.document.apply(E.Delete((int(inside[0]),)))
    window.state.set_color_by("kind")
    assert window.color_by.currentText() == "kind"  # the combo follows a mode set by code
    hidden_kind = str(doc.live.kind_names[doc.live.kind_codes[inside[1]]])
    window.state.toggle_group(hidden_kind)
    shown = [int(i) for i in inside[1:] if str(doc.live.kind_names[doc.live.kind_codes[i]]) != hidden_kind]
    assert window.actions["export_filtered"].isEnabled()
    assert window.filter_bar.count.text() == f"{len(shown):,} of {len(doc) - 1:,} records"
    window.export_dialog(filtered=True)
    assert window.export_window.selection().ids == shown
    window.export_window.close()
    with qtbot.waitSignal(doc.exported, timeout=60_000):
        window.export_to(str(tmp_path / "shown.jsonl"), False, filtered=True)
    assert len((tmp_path / "shown.jsonl").read_text().splitlines()) == len(shown)
    window.document.workspace.close()  # the legend was this dataset's: no view is left for the next one
    assert window.state.view_mask() is None


def test_map_fills_resizes_and_labels_every_sizeable_cluster(qtbot):
    from explorer.ui.scatter.map_view import MapView

    view = MapView()
    qtbot.addWidget(view)
    view.resize(500, 300)
    view.show()
    rng = np.random.default_rng(1)
    clusters = np.repeat(np.arange(15), 30)
    xy = (rng.normal(scale=0.02, size=(450, 2)) + np.c_[clusters % 4, clusters // 4] * 0.05).astype(np.float32)
    xy[0] = (5.0, 5.0)  # one far point: the biggest cluster's label sits near the edge
    view.set_points(xy)
    labels = [(f"cluster {c} label", float(np.median(xy[clusters == c, 0])), float(np.median(xy[clusters == c, 1])),
               30) for c in range(15)]
    view.set_style(np.full(450, 0xFF4E79A7, np.uint32), np.ones(450, bool), np.zeros(450, bool), labels)
    view.grab()
    assert sorted(view.shown_labels) == sorted(t for t, *_ in labels)
    px, py = view.to_screen(xy)
    assert px.min() >= 0 and px.max() <= 500 and py.min() >= 0 and py.max() <= 300
    view.resize(900, 600)  # fitted view: a resize fits the data again
    px, py = view.to_screen(xy)
    assert px.max() - px.min() > 500
    some = (clusters >= 1) & (clusters <= 4)  # a filter shows four clusters (not the far point): the map fits them
    view.set_style(np.full(450, 0xFF4E79A7, np.uint32), some, np.zeros(450, bool), labels[1:5])
    px, py = view.to_screen(xy[some])
    assert px.max() - px.min() > 500 and px.min() >= 0 and px.max() <= 900
    view.zoom(2.0)
    view.resize(700, 500)  # after the user zoomed, a resize keeps their view
    assert view._fitted is False
    centre = view._center.copy()
    view.set_style(np.full(450, 0xFF4E79A7, np.uint32), np.ones(450, bool), np.zeros(450, bool), labels)
    assert (view._center == centre).all()  # and so does a filter change


def test_tags_typed_but_not_applied_survive_a_change_underneath(qtbot, window, tmp_path):
    open_and_wait(qtbot, window, _with_near_duplicates(tmp_path))
    doc, state = window.document, window.state
    state.set_current(5)
    window.editor.tags.setText("needs-review, typed-tag")
    doc.apply(E.Tag((5,), "from-elsewhere"))  # the open record changes underneath: the editor is rebuilt
    assert window.editor.rid == 5 and window.editor.tags.text() == "needs-review, typed-tag"
    window.editor.apply_changes()
    assert doc.tags(5) == {"needs-review", "typed-tag"}
    doc.apply(E.Tag((5,), "another"))  # nothing typed now: the editor shows the new tags
    assert window.editor.tags.text() == "another, needs-review, typed-tag"


def test_no_search_select_all_legend_or_edit_reaches_a_record_the_map_hides(qtbot, window, tmp_path):
    from explorer.core.analysis.facets import Filter

    records, truth = planted_records(10)
    open_and_wait(qtbot, window, write(tmp_path / "h", records, "jsonl"))
    doc, state = window.document, window.state
    doc.apply(E.Delete((0, 1)))
    cluster = int(doc.analysis.clusters[2])
    window.filter_bar.set_filter(Filter(clusters=frozenset({cluster})))
    visible = [i for i in np.flatnonzero(doc.filter_mask).tolist() if i not in (0, 1)]
    outside = [i for i in range(len(records)) if not doc.filter_mask[i]]
    window.search.setText(records[outside[0]]["instruction"][:-2])  # matches only a record outside the filter
    with qtbot.waitSignal(doc.matched, timeout=30_000):
        window.run_search()
    assert state.selection.tolist() == [] and "hidden by the filter" in window.statusBar().currentMessage()
    state.select([visible[0]])
    window.select_all()  # once re-selected only what was selected, and took deleted records
    assert state.selection.tolist() == visible
    window.filter_bar.set_filter(Filter())
    window.select_all()
    assert 0 not in state.selection and len(state.selection) == len(records) - 2
    state.set_color_by("kind")
    hidden_kind = str(doc.live.kind_names[doc.live.kind_codes[5]])
    state.toggle_group(hidden_kind)  # unchecked in the legend: those records leave the selection
    assert 5 not in state.selection
    window.select_all()
    assert not any(str(doc.live.kind_names[doc.live.kind_codes[i]]) == hidden_kind for i in state.selection)
    state.toggle_group(hidden_kind)
    window.filter_bar.set_filter(Filter(kinds=frozenset({hidden_kind})))
    window.select_all()
    picked = state.selection.tolist()[:2]
    with qtbot.waitSignal(doc.analysis_ready, timeout=60_000):
        window.set_kind(tuple(picked), "translation" if hidden_kind != "translation" else "math")
    assert not set(picked) & set(state.selection.tolist())  # moved out of the kind filter: no longer selected


def test_highlighted_table_rows_are_what_actions_apply_to(qtbot, window, tmp_path):
    from PySide6.QtCore import QItemSelectionModel, Qt

    from explorer.ui.table.record_model import COLUMNS

    open_and_wait(qtbot, window, write(tmp_path / "t", planted_records(6)[0], "jsonl"))
    doc, model, table = window.document, window.model, window.table
    rows = table.selectionModel()
    for row in (2, 3, 4):
        rows.select(model.index(row, 0), QItemSelectionModel.Select | QItemSelectionModel.Rows)
    assert "3 rows highlighted" in window.selection_label.text()
    picked = {int(model.rows[r]) for r in (2, 3, 4)}
    table.sortByColumn(COLUMNS.index("id"), Qt.DescendingOrder)  # the highlight follows its records, not the rows
    assert [int(model.rows[r]) for r in (2, 3, 4)] != sorted(picked)
    assert set(window._highlighted_ids()) == picked
    window.delete_selection()
    assert doc.session.state.deleted == picked
    tokens = COLUMNS.index("tokens")
    model.sort(tokens, Qt.DescendingOrder)
    once = model.rows.copy()
    model.sort(tokens, Qt.DescendingOrder)  # ties (equal token counts) stay in id order, sorting again moves nothing
    assert once.tolist() == model.rows.tolist()
