"""The Problems panel, offscreen: errors first, a severity filter, counts by kind, the raw lines in the file."""

import json
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt

from explorer.core.dataset import load
from explorer.ui.panels.problems_panel import ProblemsPanel


def buried_errors(tmp_path):
    """Warnings first (records of no known format), the errors late in the file, as the user saw them."""
    lines = [json.dumps({"instruction": f"q{i}", "output": "a"}) for i in range(5)]
    lines += [json.dumps({"foo": i, "<b>bar</b>": "x"}) for i in range(25)]
    lines += ['{"instruction": "poem", "output": "roses are red', 'violets are blue"}']
    lines += [json.dumps({"instruction": "q", "output": "a"}), "[1, 2]"]
    path = tmp_path / "buried.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def panel(qtbot, tmp_path):
    widget = ProblemsPanel()
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    widget.refresh(SimpleNamespace(dataset=load(buried_errors(tmp_path))))
    return widget


def test_errors_come_first_and_columns_sort(panel):
    shown = panel.visible_problems()
    assert len(shown) == 28
    assert [p.severity for p in shown[:3]] == ["error", "error", "warning"]
    assert [(p.kind, p.lines) for p in shown[:2]] == [("json_syntax", "31–32"), ("not_an_object", "34")]
    model = panel.table.model()
    assert [model.index(0, c).data() for c in range(3)] == ["error", "json_syntax", "31–32"]
    assert model.index(0, 3).data().startswith("invalid JSON: Unterminated string starting at column 35")
    assert panel.summary.text() == ("Loading found 2 errors (json_syntax 1, not_an_object 1), "
                                    "26 warnings (format_unknown 25, mixed_formats 1).")

    panel.table.sortByColumn(2, Qt.AscendingOrder)  # by line: the first warning comes first
    assert panel.visible_problems()[0].line == 6
    panel.table.sortByColumn(0, Qt.AscendingOrder)
    assert panel.visible_problems()[0].kind == "json_syntax"


def test_severity_filter(panel):
    panel.filter.setCurrentText("Errors")
    assert {p.severity for p in panel.visible_problems()} == {"error"} and len(panel.visible_problems()) == 2
    assert panel.shown.text() == "2 of 28 shown"
    panel.filter.setCurrentText("Warnings")
    assert {p.severity for p in panel.visible_problems()} == {"warning"} and len(panel.visible_problems()) == 26
    panel.filter.setCurrentText("All")
    assert len(panel.visible_problems()) == 28


def test_show_in_file_shows_the_raw_lines_around_the_problem(panel):
    panel.select_row(0)
    lines = panel.file_view.toPlainText().splitlines()
    assert lines[0].startswith("  28 │ {")
    assert '> 31 │ {"instruction": "poem", "output": "roses are red' in lines
    assert '> 32 │ violets are blue"}' in lines
    assert lines[-1] == "  34 │ [1, 2]"  # the context stops at the end of the file
    assert len(panel.file_view.extraSelections()) == 2
    assert panel.where.text().startswith("error · json_syntax · lines 31–32, column 35 of ")
    assert "literal line break" in panel.where.text()  # the whole message, wrapped, as plain text
    assert panel.file_view.isReadOnly() and panel.where.textFormat() == Qt.PlainText

    panel.filter.setCurrentText("Warnings")
    panel.select_row(0)
    assert "> 6 │ " in panel.file_view.toPlainText() and "<b>bar</b>" in panel.file_view.toPlainText()


def test_clicking_a_problem_of_a_record_selects_it(panel, qtbot):
    panel.filter.setCurrentText("Warnings")
    index = panel.table.model().index(0, 3)
    with qtbot.waitSignal(panel.select_ids) as signal:
        qtbot.mouseClick(panel.table.viewport(), Qt.LeftButton, pos=panel.table.visualRect(index).center())
    assert signal.args[0].tolist() == [5]


def test_no_problems(qtbot, tmp_path):
    widget = ProblemsPanel()
    qtbot.addWidget(widget)
    path = tmp_path / "ok.jsonl"
    path.write_text(json.dumps({"instruction": "q", "output": "a"}) + "\n")
    widget.refresh(SimpleNamespace(dataset=load(path)))
    assert widget.summary.text() == "No load problems." and widget.visible_problems() == []
