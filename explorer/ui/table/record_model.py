"""A virtual table over the document's records: rows are computed when shown, so 1M rows cost nothing upfront."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

ELIDE = 200
COLUMNS = ("id", "instruction", "response", "cluster", "kind", "kind conf.", "flags", "tokens", "tags", "deleted")
SET_BY_YOU = "set by you"
"""What the kind-confidence column shows for a kind the user set; it sorts after every predicted confidence, so an
ascending sort lists the least certain predictions first (the ones worth correcting)."""


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= ELIDE else text[: ELIDE - 1] + "…"


class RecordTableModel(QAbstractTableModel):
    """Shows all records or only the selected ones (`rows` holds the record id of each row)."""

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.rows = np.zeros(0, dtype=np.int64)
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def set_rows(self, ids: np.ndarray) -> None:
        self.beginResetModel()
        self.rows = np.asarray(ids, dtype=np.int64)
        if self._sort:
            self.rows = self._sorted(self.rows, *self._sort)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if role == Qt.DisplayRole and orientation == Qt.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def value(self, rid: int, column: str) -> object:
        doc = self.document
        a = doc.analysis
        if column == "id":
            return rid
        if column in ("instruction", "response"):
            return _one_line(doc.text(rid, column))
        if a is None:
            return ""
        if column == "cluster":
            return int(a.clusters[rid])
        if column == "kind":
            return str(doc.live.kind_names[doc.live.kind_codes[rid]])
        if column == "kind conf.":
            return SET_BY_YOU if rid in doc.session.state.kinds else f"{a.kind_confidence[rid]:.2f}"
        if column == "flags":
            return ", ".join(doc.live.flags[rid])
        if column == "tokens":
            return int(doc.live.tokens["conversation"][rid])
        if column == "tags":
            return ", ".join(sorted(doc.tags(rid)))
        if column == "deleted":
            return "deleted" if doc.is_deleted(rid) else ""
        return ""

    def data(self, index, role=Qt.DisplayRole):
        if (not index.isValid() or self.document.dataset is None or not 0 <= index.row() < len(self.rows)
                or not 0 <= index.column() < len(COLUMNS)):
            return None
        rid = int(self.rows[index.row()])
        column = COLUMNS[index.column()]
        if role == Qt.DisplayRole:
            return self.value(rid, column)
        if role == Qt.ToolTipRole and column in ("instruction", "response"):
            return None  # the editor shows the full text as plain text; tooltips would parse rich text
        if role == Qt.ForegroundRole and self.document.is_deleted(rid):
            from PySide6.QtGui import QColor

            return QColor("#999")
        if role == Qt.UserRole:
            return rid
        return None

    def flags(self, index):
        return Qt.ItemIsEnabled | Qt.ItemIsSelectable if index.isValid() else Qt.NoItemFlags

    def sort(self, column: int, order=Qt.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        order_idx = self._order(self.rows, column, order)
        self.rows = self.rows[order_idx]
        new_row = np.empty(len(order_idx), dtype=np.int64)
        new_row[order_idx] = np.arange(len(order_idx))
        moved = self.persistentIndexList()  # highlighted rows and the current one follow their records
        self.changePersistentIndexList(moved, [self.index(int(new_row[i.row()]), i.column()) for i in moved])
        self.layoutChanged.emit()

    def _sorted(self, rows: np.ndarray, column: int, order) -> np.ndarray:
        return rows[self._order(rows, column, order)]

    def _order(self, rows: np.ndarray, column: int, order) -> np.ndarray:
        name = COLUMNS[column]
        a = self.document.analysis
        if name == "id":
            keys = rows
        elif name == "cluster" and a is not None:
            keys = a.clusters[rows]
        elif name == "tokens" and a is not None:
            keys = self.document.live.tokens["conversation"][rows]
        elif name == "kind conf." and a is not None:
            keys = np.asarray(a.kind_confidence, dtype=np.float64)[rows]
            keys[np.isin(rows, list(self.document.session.state.kinds))] = np.inf
        else:
            keys = np.array([str(self.value(int(r), name)) for r in rows], dtype=object)
        rank = np.unique(keys, return_inverse=True)[1].ravel()
        if order == Qt.DescendingOrder:
            rank = -rank
        return np.lexsort((rows, rank))  # ties in record id order: sorting twice gives the same rows

    def refresh(self, ids: list[int] | None = None) -> None:
        """Repaint rows (all of them when `ids` is None or many) after edits."""
        if not len(self.rows):
            return
        if ids is not None and len(ids) <= 100:
            for row in np.flatnonzero(np.isin(self.rows, ids)).tolist():
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
            return
        self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(COLUMNS) - 1))


def record_table(model: RecordTableModel):
    """A sortable table view of `model`; right-click the header to choose columns."""
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QTableView

    table = QTableView()
    table.setModel(model)
    table.setSortingEnabled(True)
    table.setSelectionBehavior(QTableView.SelectRows)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(False)
    table.sortByColumn(0, Qt.AscendingOrder)
    header = table.horizontalHeader()
    header.setContextMenuPolicy(Qt.ActionsContextMenu)
    for column, name in enumerate(COLUMNS):
        toggle = QAction(name, header, checkable=True, checked=True)
        toggle.toggled.connect(lambda on, c=column: table.setColumnHidden(c, not on))
        header.addAction(toggle)
    for column, width in ((0, 60), (1, 340), (2, 340), (3, 60), (4, 130), (5, 75), (6, 160)):
        table.setColumnWidth(column, width)
    return table
