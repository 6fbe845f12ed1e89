"""The app's Compare with… and eval sets: the Changes panel selects the right records, the map colours by change
and marks added records and eval items, the editor shows the other version's words."""

import numpy as np

from explorer.core.compare.versions import STATUSES
from tests.fakes import planted_records
from tests.samples import write
from tests.ui.conftest import open_and_wait


def _versions(tmp_path):
    v1 = planted_records(10)[0]
    v2 = [dict(r) for i, r in enumerate(v1) if i not in (40, 41, 42, 43)]  # four 'taxes' records removed
    v2[0]["output"] = "A completely rewritten answer about cooking."  # edited: record 0
    v2[11]["output"] = "Shorter."  # edited: record 11
    v2 += [{"instruction": f"New cooking question {i}: how to poach an egg, take {i}?", "input": "",
            "output": "Gently."} for i in range(6)]
    return write(tmp_path / "v1", v1, "jsonl"), write(tmp_path / "v2", v2, "jsonl")


def test_compare_fills_the_changes_panel_and_its_rows_select_the_changed_records(qtbot, window, tmp_path):
    v1, v2 = _versions(tmp_path)
    open_and_wait(qtbot, window, v1)
    ws = window.document.workspace
    assert not window.actions["close_comparison"].isEnabled()
    window.compare_with(str(v2))
    qtbot.waitUntil(lambda: ws.comparison is not None, timeout=60_000)
    panel = window.changes
    counts = {panel.status.item(r, 0).text(): panel.status.item(r, 1).text() for r in range(4)}
    assert counts == {"unchanged": "44", "edited": "2", "removed": "4", "added": "6"}
    assert window.actions["close_comparison"].isEnabled()
    panel.status.cellClicked.emit(2, 0)  # "removed"
    assert window.state.selection.tolist() == [40, 41, 42, 43]
    taxes_kind = ws.live.kinds()[40]
    row = panel._keys["kind"].index(taxes_kind)
    panel.kinds.cellClicked.emit(row, 0)
    expected = [i for i in range(len(ws)) if ws.live.kinds()[i] == taxes_kind
                and ws.change_status()[i] != STATUSES.index("unchanged")]
    removed_of_kind = [i for i in (40, 41, 42, 43) if ws.live.kinds()[i] == taxes_kind]
    assert window.state.selection.tolist() == expected and set(removed_of_kind) <= set(expected)
    shift = {r["group"]: r for r in ws.comparison.kind_shift}
    assert shift[taxes_kind]["a"] - shift[taxes_kind]["b"] >= len(removed_of_kind) - sum(
        1 for k in ws.comparison.b_kinds[-6:] if k == taxes_kind)
    window.color_by_change()
    assert window.groups.names == ["unchanged", "edited", "removed"]
    assert window.groups.counts == [44, 2, 4]
    added = [m for m in window.map.markers if m.name.startswith("Added in")]
    assert len(added) == 1 and len(added[0].xy) == 6 and "poach an egg" in added[0].text(0)
    window.state.set_current(11)
    assert window.editor.other.isVisible() and "Edited in v2.jsonl" in window.editor.other.toHtml()
    assert "Shorter." in window.editor.other.toPlainText()
    window.state.set_current(40)
    assert "Removed in v2.jsonl" in window.editor.other.toPlainText()
    window.close_comparison()
    assert ws.comparison is None and panel.status.rowCount() == 0
    assert not [m for m in window.map.markers if m.name.startswith("Added in")]
    assert window.groups.names == ["no comparison (File → Compare with…)"]


def test_eval_sets_flag_overlaps_and_draw_the_items_on_the_map(qtbot, window, tmp_path):
    records = planted_records(10)[0]
    long_item = records[7]["instruction"] + " and please explain every step you take in great detail here"
    records[7]["instruction"] = long_item
    path2 = write(tmp_path / "train2", records, "jsonl")
    open_and_wait(qtbot, window, path2)
    eval_file = write(tmp_path / "gsm", [{"question": long_item}, {"question": "astronomy quiz: name a moon"}],
                      "jsonl")
    first = window.document.analysis
    window.document.set_eval_sets([str(eval_file)])
    qtbot.waitUntil(lambda: window.document.analysis is not first, timeout=60_000)
    a = window.document.analysis
    flagged = [i for i, f in enumerate(a.flags) if "eval_overlap" in f]
    assert 7 in flagged and a.eval_overlap[7]["how"] == "13-gram"  # (the fake embedder may add loose neighbours)
    assert window.document.live.flag_counts()["eval_overlap"] == len(flagged)
    eval_markers = [m for m in window.map.markers if m.name == "Eval item"]
    assert len(eval_markers) == 1 and len(eval_markers[0].xy) == 2 and "gsm.jsonl" in eval_markers[0].text(0)
    window.state.set_current(7)
    assert "Overlaps eval item gsm.jsonl #0" in window.editor.other.toPlainText()
    assert np.array_equal(window.document.workspace.eval_paths, [str(eval_file)])
