"""Dock panels: clusters & balance, task-kind coverage (gaps), quality flags, legend (load problems: problems_panel)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QListWidget, QListWidgetItem,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from explorer.core.analysis.checks import FLAGS
from explorer.core.curation import edits as E

GAP = QColor("#fde2e1")


def _item(value, tooltip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem()
    item.setData(Qt.DisplayRole, value)
    item.setFlags(item.flags() & ~Qt.ItemIsEditable)
    if tooltip:
        item.setToolTip(tooltip.replace("<", "&lt;"))
    return item


class _TablePanel(QWidget):
    """A summary line above a read-only table; activating a row selects its records."""

    select_ids = Signal(object)

    def __init__(self, headers: list[str], parent=None):
        super().__init__(parent)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.PlainText)
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.cellClicked.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        self.document = None
        self.keys: list = []

    def _activated(self, row: int, _column: int) -> None:
        if 0 <= row < len(self.keys):
            self.select_ids.emit(self.ids_for(self.keys[row]))

    def ids_for(self, key) -> np.ndarray:
        raise NotImplementedError


class ClustersPanel(_TablePanel):
    """Clusters by size with label, share and flag counts; double-click a label to rename the cluster."""

    def __init__(self, parent=None):
        super().__init__(["cluster", "label", "size", "share", "flagged"], parent)
        self.table.itemChanged.connect(self._renamed)
        import pyqtgraph as pg

        self.chart = pg.PlotWidget(background=None)
        self.chart.setMaximumHeight(140)
        self.chart.setMenuEnabled(False)
        self.chart.setMouseEnabled(False, False)
        self.chart.getAxis("left").setLabel("records")
        self.chart.getAxis("bottom").setLabel("clusters by size")
        self.layout().insertWidget(1, self.chart)

    def refresh(self, document) -> None:
        self.document = document
        a = document.analysis
        if a is None:
            return
        b = a.balance
        self.summary.setText(f"{b['clusters']} clusters · evenness {b['normalized_entropy']:.2f} (1 = even) · "
                             f"largest {b['largest_share']:.0%} · noise {b['noise_share']:.0%}")
        ids, sizes = np.unique(a.clusters, return_counts=True)
        order = sorted(range(len(ids)), key=lambda k: (ids[k] < 0, -sizes[k]))
        flagged = np.array([bool(f) for f in a.flags])
        self._draw_bars([int(sizes[k]) for k in order], [int(ids[k]) for k in order])
        self.table.blockSignals(True)
        self.table.setRowCount(len(order))
        self.keys = [int(ids[k]) for k in order]
        n = len(a.clusters)
        for row, k in enumerate(order):
            c = int(ids[k])
            label = QTableWidgetItem(document.cluster_name(c))
            if c < 0:
                label.setFlags(label.flags() & ~Qt.ItemIsEditable)
            for col, item in enumerate([_item(c), label, _item(int(sizes[k])), _item(f"{sizes[k] / n:.1%}"),
                                        _item(int(flagged[a.clusters == c].sum()))]):
                self.table.setItem(row, col, item)
        self.table.blockSignals(False)

    def _draw_bars(self, sizes: list[int], ids: list[int]) -> None:
        import pyqtgraph as pg

        from explorer.ui.colors import PALETTE, QUIET

        self.chart.clear()
        brushes = [pg.mkBrush(QUIET if c < 0 else PALETTE[c % len(PALETTE)]) for c in ids]
        self.chart.addItem(pg.BarGraphItem(x=list(range(len(sizes))), height=sizes, width=0.8, brushes=brushes))

    def _renamed(self, item: QTableWidgetItem) -> None:
        if item.column() == 1 and self.document is not None:
            cluster = self.keys[item.row()]
            name = item.text().strip()
            self.document.apply(E.RenameCluster(cluster, name or None))

    def ids_for(self, key) -> np.ndarray:
        return np.flatnonzero(self.document.analysis.clusters == key)


class CoveragePanel(_TablePanel):
    """Coverage per task kind against its target share; gaps (under half the target) in red."""

    def __init__(self, parent=None):
        super().__init__(["kind", "名称", "records", "share", "target", "gap"], parent)
        self.table.itemChanged.connect(self._target_edited)
        self.table.setToolTip("Double-click a target to change it (for example 8%); the taxonomy is saved as your "
                              "own copy")

    def refresh(self, document) -> None:
        self.document = document
        a = document.analysis
        if a is None:
            return
        gaps = [r["kind"] for r in a.coverage if r["gap"]]
        self.summary.setText(f"{len(gaps)} gaps (kinds under half their target share). Click a kind to select "
                             "its records.")
        self.table.blockSignals(True)
        self.table.setRowCount(len(a.coverage))
        self.keys = [r["kind"] for r in a.coverage]
        for row, r in enumerate(a.coverage):
            target = "" if r["target"] is None else f"{r['target']:.1%}"
            target_item = QTableWidgetItem(target)
            if r["target"] is None:
                target_item.setFlags(target_item.flags() & ~Qt.ItemIsEditable)
            cells = [_item(r["name_en"]), _item(r["name_zh"]), _item(r["count"]), _item(f"{r['share']:.1%}"),
                     target_item, _item("GAP" if r["gap"] else "")]
            for col, item in enumerate(cells):
                if r["gap"]:
                    item.setBackground(QBrush(GAP))
                self.table.setItem(row, col, item)
        self.table.blockSignals(False)

    def ids_for(self, key) -> np.ndarray:
        return np.array([i for i, k in enumerate(self.document.analysis.kinds) if k == key], dtype=np.int64)

    def _target_edited(self, item: QTableWidgetItem) -> None:
        if item.column() != 4 or self.document is None:
            return
        text = item.text().strip().rstrip("%")
        try:
            value = float(text)
        except ValueError:
            return
        share = value / 100 if value >= 1 or item.text().strip().endswith("%") else value
        self.document.set_kind_target(self.keys[item.row()], share)


class QualityPanel(_TablePanel):
    """Counts per quality flag with its one-line explanation."""

    def __init__(self, parent=None):
        super().__init__(["flag", "records", "what it means"], parent)

    def refresh(self, document) -> None:
        self.document = document
        a = document.analysis
        if a is None:
            return
        counts = a.flag_counts()
        self.summary.setText(f"{sum(1 for f in a.flags if f)} of {len(a.flags)} records have at least one flag.")
        self.table.setRowCount(len(FLAGS))
        self.keys = list(FLAGS)
        for row, name in enumerate(FLAGS):
            for col, item in enumerate([_item(name), _item(counts[name]), _item(FLAGS[name])]):
                self.table.setItem(row, col, item)

    def ids_for(self, key) -> np.ndarray:
        return np.array([i for i, f in enumerate(self.document.analysis.flags) if key in f], dtype=np.int64)


class LegendPanel(QListWidget):
    """The colour legend; unchecking a group hides its points."""

    toggled = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.itemChanged.connect(lambda item: self.toggled.emit(item.data(Qt.UserRole)))

    def show_groups(self, groups, hidden: set[str]) -> None:
        self.blockSignals(True)
        self.clear()
        for name, color, count in zip(groups.names, groups.colors, groups.counts):
            item = QListWidgetItem(f"■ {name}  ({count:,})")
            item.setForeground(QBrush(QColor(color)))
            item.setData(Qt.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Unchecked if name in hidden else Qt.Checked)
            self.addItem(item)
        self.blockSignals(False)
