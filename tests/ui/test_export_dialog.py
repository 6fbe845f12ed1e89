"""The Export… dialog: its live preview is the plan the export will follow, and it returns the chosen options."""

import pytest

from explorer.core.curation.curated import plan_export
from explorer.core.curation.edits import CurationState
from explorer.core.dataset import load
from explorer.ui.dialogs.export_dialog import ExportDialog
from tests.samples import write


def rows_with_noise_and_a_gap():
    rows = []
    for i in range(100):
        cluster = -1 if i < 40 else (0 if i < 70 else 1)
        kind = "programming" if i == 40 else (None if i >= 90 else "math")
        rows.append({"id": i, "cluster": cluster, "kind": kind, "flags": ["too_long"] if i == 40 else []})
    return rows


@pytest.fixture
def dialog(qtbot, tmp_path):
    dataset = load(write(tmp_path / "src", [{"instruction": f"q{i}", "input": "", "output": f"a{i}"}
                                            for i in range(100)], "jsonl"))
    dlg = ExportDialog(dataset, CurationState(deleted={99}), rows_with_noise_and_a_gap(),
                       selected_ids=list(range(30, 100)), filtered_ids=[], cluster_names={0: "code · python"})
    qtbot.addWidget(dlg)
    return dlg


def test_preview_numbers_are_the_plan(dialog, qtbot):
    assert dialog.scope.count() == 2 and dialog.selection().ids == list(range(30, 100))  # no empty filtered scope
    dialog.scope.setCurrentIndex(0)
    dialog.max_cluster.setValue(5)
    qtbot.waitUntil(lambda: bool(dialog.plan and dialog.plan.rebalance.protected), timeout=3000)
    plan = plan_export(dialog.dataset, dialog.state, dialog.selection(), dialog.rebalance(), dialog.rows)
    assert dialog.preview_rows("kind") == [(g.key, g.before, g.after, g.note) for g in plan.rebalance.per_kind]
    assert dialog.preview_rows("cluster") == [(g.key, g.before, g.after, g.note) for g in plan.rebalance.per_cluster]
    kinds = {k: (b, a, n) for k, b, a, n in dialog.preview_rows("kind")}
    assert kinds["programming"] == (1, 1, "protected (gap)")
    assert ("noise", 40, 40, "not capped") in dialog.preview_rows("cluster")
    assert dialog.cluster_table.item(1, 0).text().startswith("0 · code")
    assert f"99 records selected → {len(plan.kept)} exported" in dialog.summary.text()
    assert "protected: programming 1 kept (gap" in dialog.summary.text()


def test_options_return_what_was_chosen(dialog, qtbot):
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()  # no path yet
    dialog.path.setText("/tmp/out.jsonl")
    dialog.format.setCurrentIndex(2)
    dialog.max_kind.setValue(20)
    dialog.balance.setChecked(True)
    dialog.refresh_preview()
    assert dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
    o = dialog.options()
    assert (o.out, o.to, o.selection.ids) == ("/tmp/out.jsonl", "sharegpt", list(range(30, 100)))
    assert (o.rebalance.max_per_cluster, o.rebalance.max_per_kind, o.rebalance.balance_kind) == (None, 20, True)


def test_without_an_analysis_rebalancing_is_off(qtbot, tmp_path):
    dataset = load(write(tmp_path / "src", [{"instruction": "q", "input": "", "output": "a"}] * 3, "jsonl"))
    dlg = ExportDialog(dataset, CurationState(), None)
    qtbot.addWidget(dlg)
    dlg.max_cluster.setValue(3)
    assert dlg.options().rebalance.max_per_cluster is None and dlg.plan.kept == [0, 1, 2]
    assert dlg.kind_table.rowCount() == 0 and "No analysis" in dlg.summary.text()
