"""The Changes panel: what the compared version (B) did to the open dataset (A) — counts per change, and the shift
in share per task kind and per cluster as bars. Clicking a row selects A's records that B changed there."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton, QStyledItemDelegate,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

SHIFT_ROLE = Qt.UserRole + 1
GROW, SHRINK = QColor("#59a14f"), QColor("#e15759")
ROWS = 30


class ShiftBar(QStyledItemDelegate):
    """A diverging bar: right and green when the share grew, left and red when it shrank (scaled to the largest)."""

    def paint(self, painter: QPainter, option, index) -> None:
        super().paint(painter, option, index)
        shift, top = index.data(SHIFT_ROLE) or (0.0, 1.0)
        r = option.rect.adjusted(4, 4, -4, -4)
        mid = r.left() + r.width() / 2
        width = r.width() / 2 * min(abs(shift) / (top or 1.0), 1.0)
        painter.save()
        painter.fillRect(QRectF(mid - 0.5, r.top(), 1, r.height()), QColor("#999"))
        painter.fillRect(QRectF(mid if shift > 0 else mid - width, r.top(), width, r.height()),
                         GROW if shift > 0 else SHRINK)
        painter.restore()


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectRows)
    table.setEditTriggers(QAbstractItemView.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _item(value, tooltip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem()
    item.setData(Qt.DisplayRole, value)
    if tooltip:
        item.setToolTip(tooltip)
    return item


class ChangesPanel(QWidget):
    select_ids = Signal(object)
    compare_requested = Signal()
    close_requested = Signal()
    color_requested = Signal()
    """Colour the map by change."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.workspace = None
        self.summary = QLabel("Compare the open dataset with another version of it: File → Compare with…")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.PlainText)
        self.compare_button = QPushButton("Compare with…")
        self.color_button = QPushButton("Colour map by change")
        self.close_button = QPushButton("Close comparison")
        self.compare_button.clicked.connect(self.compare_requested.emit)
        self.color_button.clicked.connect(self.color_requested.emit)
        self.close_button.clicked.connect(self.close_requested.emit)
        self.status = _table(["change", "records"])
        self.kinds = _table(["task kind", "A → B share", "shift"])
        self.clusters = _table(["cluster", "A → B share", "shift"])
        for table in (self.kinds, self.clusters):
            table.setItemDelegateForColumn(2, ShiftBar(table))
        rows = self.status.verticalHeader().defaultSectionSize()
        self.status.setFixedHeight(4 * rows + self.status.horizontalHeader().sizeHint().height() + 4)
        self.status.cellClicked.connect(lambda row, _c: self._pick("status", row))
        self.kinds.cellClicked.connect(lambda row, _c: self._pick("kind", row))
        self.clusters.cellClicked.connect(lambda row, _c: self._pick("cluster", row))
        buttons = QHBoxLayout()
        for b in (self.compare_button, self.color_button, self.close_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(QLabel("Task kinds (click: A's records B changed there)"))
        layout.addWidget(self.kinds, 3)
        layout.addWidget(QLabel("Clusters (B placed on A's map)"))
        layout.addWidget(self.clusters, 2)
        self._keys: dict[str, list] = {"status": [], "kind": [], "cluster": []}
        self.refresh(None)

    def refresh(self, workspace) -> None:
        self.workspace = workspace
        diff = workspace.comparison if workspace is not None else None
        for b in (self.color_button, self.close_button):
            b.setEnabled(diff is not None)
        self.compare_button.setEnabled(workspace is not None and workspace.analysis is not None)
        for table in (self.status, self.kinds, self.clusters):
            table.setRowCount(0)
        if diff is None:
            self.summary.setText("Compare the open dataset (A) with another version of it (B): File → Compare "
                                 "with… (Ctrl+Shift+D). B's records are placed on this map; it does not move.")
            return
        c = diff.counts()
        self.summary.setText(f"A: {Path(diff.a.path).name} ({len(diff.a):,}) · B: {Path(diff.b.path).name} "
                             f"({len(diff.b):,}). Added records are B's: drawn as green + on the map.")
        self._keys["status"] = ["unchanged", "edited", "removed", "added"]
        self._fill(self.status, [[k, f"{c[k]:,}"] for k in self._keys["status"]], None)
        kinds = (diff.kind_shift or [])[:ROWS]
        self._keys["kind"] = [r["group"] for r in kinds]
        self._fill(self.kinds, [[r["group"], f"{r['a_share']:.1%} → {r['b_share']:.1%}", ""] for r in kinds], kinds)
        clusters = (diff.cluster_shift or [])[:ROWS]
        self._keys["cluster"] = [r["group"] for r in clusters]
        names = diff.cluster_labels or {}
        self._fill(self.clusters, [["noise" if r["group"] < 0 else f"{r['group']}: {names.get(r['group'], '')}",
                                    f"{r['a_share']:.1%} → {r['b_share']:.1%}", ""] for r in clusters], clusters)

    @staticmethod
    def _fill(table: QTableWidget, rows: list[list], shifts: list[dict] | None) -> None:
        table.setRowCount(len(rows))
        top = max((abs(r["shift"]) for r in shifts or []), default=1.0)
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                item = _item(value)
                if shifts is not None and c == 2:
                    s = shifts[r]
                    item.setData(SHIFT_ROLE, (s["shift"], top))
                    item.setToolTip(f"{s['shift'] * 100:+.1f} points ({s['a']:,} → {s['b']:,} records)")
                table.setItem(r, c, item)
        table.resizeColumnsToContents()

    def _pick(self, what: str, row: int) -> None:
        ws = self.workspace
        if ws is None or ws.comparison is None or row >= len(self._keys[what]):
            return
        key = self._keys[what][row]
        if what == "status":
            ids = np.zeros(0, np.int64) if key == "added" else ws.changed_ids(status=key)
        elif what == "kind":
            ids = ws.changed_ids(kind=key)
        else:
            ids = ws.changed_ids(cluster=key)
        if ws.filter_mask is not None:
            ids = ids[ws.filter_mask[ids]]
        self.select_ids.emit(ids)
