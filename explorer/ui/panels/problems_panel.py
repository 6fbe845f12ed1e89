"""What loading found: a sortable, filterable table of problems (errors first), counts by kind above it, and the
raw lines of the file around the chosen problem below it. Everything is shown as plain text."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFontDatabase, QTextCursor, QTextFormat
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QPlainTextEdit,
                               QSplitter, QTableView, QTextEdit, QVBoxLayout, QWidget)

from explorer.core.problems import KINDS, Problem, excerpt, ordered, severity_rank, summary

COLUMNS = ("severity", "kind", "lines", "message")
SORT_ROLE = Qt.UserRole + 1
FILTERS = {"All": None, "Errors": "error", "Warnings": "warning"}
CONTEXT_LINES = 3
WRAP_ROWS_UP_TO = 1000
"""Rows are made tall enough for their whole wrapped message only up to this many problems (it costs time)."""
SEVERITY_COLORS = {"error": QColor("#b3261e"), "warning": QColor("#8a5a00")}
MARKED_LINE = QColor("#fde2e1")


class ProblemsModel(QAbstractTableModel):
    """Problems as rows; SORT_ROLE gives each cell a key that sorts severities by rank and lines by number."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.problems: list[Problem] = []

    def set_problems(self, problems: list[Problem]) -> None:
        self.beginResetModel()
        self.problems = ordered(problems)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.problems)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        p, column, row = self.problems[index.row()], index.column(), index.row()
        if role == Qt.DisplayRole:
            return (p.severity, p.kind, p.lines, p.message)[column]
        if role == SORT_ROLE:  # ties keep the errors-first, file order of `ordered`
            if column == 0:
                return severity_rank(p.severity) * 10**9 + row
            if column == 2:
                return (p.line if p.line is not None else 10**9) * 10**6 + (p.last_line or 0) - (p.line or 0)
            return p.kind if column == 1 else p.message
        if role == Qt.UserRole:
            return row
        if role == Qt.ForegroundRole and column == 0 and p.severity in SEVERITY_COLORS:
            return QBrush(SEVERITY_COLORS[p.severity])
        if role == Qt.ToolTipRole and column == 1:
            return KINDS.get(p.kind, "")  # our own words, never dataset text (tooltips may render rich text)
        if role == Qt.TextAlignmentRole and column == 2:
            return int(Qt.AlignRight | Qt.AlignTop)
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignLeft | Qt.AlignTop)
        return None


class SeverityFilter(QSortFilterProxyModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.severity: str | None = None
        self.setSortRole(SORT_ROLE)

    def set_severity(self, severity: str | None) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.9 (invalidateFilter is deprecated there)
            self.beginFilterChange()
            self.severity = severity
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.severity = severity
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:
        return self.severity is None or self.sourceModel().problems[row].severity == self.severity


class ProblemsPanel(QWidget):
    """Load problems, errors first; choosing one shows its raw lines; one that belongs to a record selects it."""

    select_ids = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.document = None
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.PlainText)
        self.summary.setWordWrap(True)
        self.filter = QComboBox()
        self.filter.addItems(list(FILTERS))
        self.filter.currentTextChanged.connect(self._filter_changed)
        self.shown = QLabel()
        self.shown.setTextFormat(Qt.PlainText)
        row = QHBoxLayout()
        row.addWidget(QLabel("Show"))
        row.addWidget(self.filter)
        row.addWidget(self.shown, 1)

        self.model = ProblemsModel(self)
        self.proxy = SeverityFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeToContents)
        header.setStretchLastSection(True)
        header.sectionResized.connect(lambda column, _old, _new: column == 3 and self._fit_rows())
        self.table.selectionModel().currentRowChanged.connect(lambda current, _: self._show(current))
        self.table.clicked.connect(self._clicked)

        self.where = QLabel("Choose a problem to see it in the file.")
        self.where.setTextFormat(Qt.PlainText)
        self.where.setWordWrap(True)
        self.where.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.file_view = QPlainTextEdit()
        self.file_view.setReadOnly(True)
        self.file_view.setLineWrapMode(QPlainTextEdit.NoWrap)
        self.file_view.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        self.file_view.setPlaceholderText("Show in file: the raw lines around the chosen problem")
        below = QWidget()
        below_layout = QVBoxLayout(below)
        below_layout.setContentsMargins(0, 0, 0, 0)
        below_layout.addWidget(self.where)
        below_layout.addWidget(self.file_view, 1)
        splitter = QSplitter(Qt.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(below)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addLayout(row)
        layout.addWidget(splitter, 1)

    def refresh(self, document) -> None:
        self.document = document
        problems = document.dataset.problems if document.dataset is not None else []
        self.model.set_problems(problems)
        self.table.sortByColumn(0, Qt.AscendingOrder)
        self.summary.setText(f"Loading found {summary(problems)}." if problems else "No load problems.")
        self._after_filter()
        self.where.setText("Choose a problem to see it in the file." if problems else "")
        self.file_view.clear()

    def visible_problems(self) -> list[Problem]:
        """The problems in the table, in the order shown (sorted and filtered)."""
        return [self._problem_at(self.proxy.index(r, 0)) for r in range(self.proxy.rowCount())]

    def select_row(self, row: int) -> None:
        """Make the row shown at `row` the current one (which shows it in the file)."""
        self.table.setCurrentIndex(self.proxy.index(row, 0))

    def _problem_at(self, index: QModelIndex) -> Problem | None:
        if not index.isValid():
            return None
        return self.model.problems[self.proxy.mapToSource(index).row()]

    def _filter_changed(self, text: str) -> None:
        self.proxy.set_severity(FILTERS.get(text))
        self._after_filter()

    def _after_filter(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.shown.setText(f"{shown:,} of {total:,} shown" if total else "")
        self._fit_rows()

    def _fit_rows(self) -> None:
        """Rows as tall as their wrapped message (the whole message shows), while there are few enough."""
        if self.proxy.rowCount() <= WRAP_ROWS_UP_TO:
            self.table.resizeRowsToContents()

    def _clicked(self, index: QModelIndex) -> None:
        p = self._problem_at(index)
        if p is not None and p.record is not None:
            self.select_ids.emit(np.array([p.record], dtype=np.int64))

    def _show(self, index: QModelIndex) -> None:
        """Show in file: the whole message, then the raw lines around the problem with their numbers."""
        p = self._problem_at(index)
        if p is None:
            return
        dataset = self.document.dataset if self.document is not None else None
        where = f"lines {p.lines}" if p.n_lines > 1 else (f"line {p.line}" if p.line is not None else "no line")
        if p.column is not None:
            where += f", column {p.column}"
        name = dataset.path if dataset is not None else ""
        self.where.setText(f"{p.severity} · {p.kind} · {where}" + (f" of {name}" if name else "") + f"\n{p.message}")
        text = excerpt(dataset.source if dataset is not None else None, p, CONTEXT_LINES)
        if not text:
            text = ("This problem is about the file as a whole, not one line." if p.line is None else
                    "This kind of file has no lines to show.") + (f"\n\n{p.snippet}" if p.snippet else "")
        self.file_view.setPlainText(text)
        self._mark_problem_lines()

    def _mark_problem_lines(self) -> None:
        marks = []
        block = self.file_view.document().firstBlock()
        while block.isValid():
            if block.text().startswith(">"):
                mark = QTextEdit.ExtraSelection()
                mark.format.setBackground(MARKED_LINE)
                mark.format.setProperty(QTextFormat.FullWidthSelection, True)
                mark.cursor = QTextCursor(block)
                marks.append(mark)
            block = block.next()
        self.file_view.setExtraSelections(marks)
