"""Dock panels: clusters & balance, task-kind coverage (gaps), quality flags, legend (load problems: problems_panel)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QListWidget, QListWidgetItem,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from explorer.core.analysis.checks import FLAGS
from explorer.core.analysis.kind_classifier import SURE
from explorer.core.curation import edits as E
from explorer.core.errors import DatasetError

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
        # Not ResizeToContents: that re-measures every row on each setItem (seconds for a few thousand cells).
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.cellClicked.connect(self._activated)
        self.table.itemChanged.connect(self._forget_row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        self.document = None
        self.keys: list = []
        self._shown: list = []
        """What `fill` last put in each row: (values, marked)."""

    def bind(self, document) -> None:
        """Follow the document: each analysis, edit (undo, redo) and filter change refreshes this panel."""
        self.document = document
        for signal in (document.analysis_ready, document.records_changed, document.filter_changed):
            signal.connect(lambda *_: self.refresh(document))

    def _forget_row(self, item: QTableWidgetItem) -> None:
        """The user typed into a cell: the next fill writes that row again, whatever it compares equal to."""
        if 0 <= item.row() < len(self._shown):
            self._shown[item.row()] = (None, None)

    def _activated(self, row: int, _column: int) -> None:
        if 0 <= row < len(self.keys):
            self.select_ids.emit(self.ids_for(self.keys[row]))

    def ids_for(self, key) -> np.ndarray:
        raise NotImplementedError

    def fill(self, keys: list, rows: list[list], editable: set[int] = frozenset(), marked: set[int] = frozenset()
             ) -> None:
        """Show `rows` of plain values; columns in `editable` can be edited, rows in `marked` are shaded as gaps.
        When the keys are the same as before only the cells whose value changed are replaced (the live counts
        after every edit), otherwise the table is rebuilt and its columns sized to their contents."""
        self.table.blockSignals(True)
        self.table.setUpdatesEnabled(False)
        same = keys == self.keys and self.table.rowCount() == len(rows)
        before = self._shown if same else [(None, None)] * len(rows)
        self.keys, self._shown = keys, [(list(row), r in marked) for r, row in enumerate(rows)]
        if not same:
            self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            if before[r] == self._shown[r]:
                continue  # compared as Python values: reading Qt items back costs more than the whole refresh
            old_values, old_marked = before[r]
            for c, value in enumerate(row):
                if old_values is not None and old_values[c] == value and old_marked == (r in marked):
                    continue
                item = QTableWidgetItem()
                item.setData(Qt.DisplayRole, value)
                if c not in editable or value is None:
                    item.setFlags(item.flags() & ~Qt.ItemIsEditable)
                if r in marked:
                    item.setBackground(QBrush(GAP))
                self.table.setItem(r, c, item)
        if not same:
            self.table.resizeColumnsToContents()
        self.table.setUpdatesEnabled(True)
        self.table.blockSignals(False)


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
        live = document.live
        if live is None:
            return
        within = document.filter_mask
        b = document.workspace.balance()
        n = live.count(within)
        self.summary.setText(f"{b.clusters} clusters · {n:,} records · evenness {b.evenness:.2f} "
                             f"(1 = even) · largest {b.largest_share:.1%} · noise {b.noise_share:.1%}")
        sizes, flagged = live.cluster_sizes(within), live.flagged_per_cluster(within)
        # rows in the analysed size order: they stay put while the user edits (only the numbers change)
        analysed = dict(zip(live.cluster_ids.tolist(), np.bincount(live.cluster_codes).tolist()))
        order = sorted(sizes, key=lambda c: (c < 0, -analysed[c], c))
        self._draw_bars([sizes[c] for c in order if c >= 0], [c for c in order if c >= 0])
        rows = [[c, document.cluster_name(c), sizes[c], f"{sizes[c] / max(n, 1):.1%}", flagged[c]] for c in order]
        self.fill(order, rows, editable={1})
        if order and order[-1] < 0:  # noise has no name to give
            noise = self.table.item(len(order) - 1, 1)
            self.table.blockSignals(True)
            noise.setFlags(noise.flags() & ~Qt.ItemIsEditable)
            self.table.blockSignals(False)

    def _draw_bars(self, sizes: list[int], ids: list[int]) -> None:
        import pyqtgraph as pg

        from explorer.ui.colors import PALETTE, QUIET

        if getattr(self, "_bars", None) == (sizes, ids):
            return
        self._bars = (sizes, ids)
        self.chart.clear()
        self.chart.getAxis("bottom").setTicks([[]])  # bars are ranks, not values: no fractional ticks
        brushes = [pg.mkBrush(QUIET if c < 0 else PALETTE[c % len(PALETTE)]) for c in ids]
        self.chart.addItem(pg.BarGraphItem(x=list(range(len(sizes))), height=sizes, width=0.8, brushes=brushes))

    def _renamed(self, item: QTableWidgetItem) -> None:
        if item.column() == 1 and self.document is not None:
            cluster = self.keys[item.row()]
            name = item.text().strip()
            if cluster < 0 or name == self.document.cluster_name(cluster):
                return
            self.document.apply(E.RenameCluster(cluster, name or None))

    def ids_for(self, key) -> np.ndarray:
        return np.flatnonzero((self.document.analysis.clusters == key) & self.document.live.mask(
            self.document.filter_mask))


class CoveragePanel(_TablePanel):
    """Coverage per task kind against its target share; gaps (under half the target) in red; how many records of
    each kind have an uncertain predicted kind (clicking that count selects them)."""

    TO_CHECK, TARGET = 3, 5
    message = Signal(str)
    """Why a target typed into the table was not taken (the window shows it in the status bar)."""

    def __init__(self, parent=None):
        super().__init__(["kind", "名称", "records", "to check", "share", "target", "gap"], parent)
        self.table.itemChanged.connect(self._target_edited)
        self.table.setToolTip("Click a kind to select its records, a 'to check' count to select those whose kind is "
                              "uncertain. Double-click a target to change it (for example 8%); the taxonomy is saved "
                              "as your own copy")

    def refresh(self, document) -> None:
        self.document = document
        live = document.live
        if live is None:
            return
        coverage = document.workspace.coverage()
        gaps = [r.kind for r in coverage if r.gap]
        total, unsure = live.count(document.filter_mask), sum(r.unsure for r in coverage)
        self.summary.setText(
            f"{len(gaps)} gaps (kinds under half their target share) among {total:,} records. {unsure:,} records "
            f"({unsure / max(total, 1):.0%}) have a predicted kind under {SURE:.2f} confidence, right about half the "
            f"time: click a 'to check' count to select them, then Edit → Set task kind (Ctrl+K) where it is wrong.")
        rows = [[r.name_en, r.name_zh, r.count, r.unsure, f"{r.share:.1%}",
                 None if r.target is None else f"{r.target:.1%}", "GAP" if r.gap else ""] for r in coverage]
        self.fill([r.kind for r in coverage], rows, editable={self.TARGET},
                  marked={k for k, r in enumerate(coverage) if r.gap})

    def _activated(self, row: int, column: int) -> None:
        if 0 <= row < len(self.keys) and self.document is not None:
            self.select_ids.emit(self.document.workspace.kind_ids(self.keys[row], column == self.TO_CHECK))

    def _target_edited(self, item: QTableWidgetItem) -> None:
        if item.column() != self.TARGET or self.document is None:
            return
        kind = self.keys[item.row()]
        try:  # the column shows percentages: "8", "8%" and "0.5" are 8 %, 8 % and 0.5 %
            self.document.set_kind_target(kind, float(item.text().strip().rstrip("%").strip()) / 100)
        except (ValueError, DatasetError) as e:
            reason = str(e) if isinstance(e, DatasetError) else f"{item.text()!r} is not a percentage"
            self.message.emit(f"Target of {kind} not changed: {reason}")
            self.refresh(self.document)  # the row the user typed into is written again, as it was


class QualityPanel(_TablePanel):
    """Counts per quality flag with its one-line explanation."""

    def __init__(self, parent=None):
        super().__init__(["flag", "records", "what it means"], parent)

    def refresh(self, document) -> None:
        self.document = document
        live = document.live
        if live is None:
            return
        within = document.filter_mask
        counts = live.flag_counts(within)
        self.summary.setText(f"{live.flagged(within):,} of {live.count(within):,} records have at least one flag.")
        self.fill(list(FLAGS), [[name, counts[name], FLAGS[name]] for name in FLAGS])

    def ids_for(self, key) -> np.ndarray:
        return self.document.live.ids_with_flag(key, self.document.filter_mask)


class LegendPanel(QListWidget):
    """The colour legend; unchecking a group hides its points."""

    toggled = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.itemChanged.connect(lambda item: self.toggled.emit(item.data(Qt.UserRole)))

    def show_groups(self, groups, hidden: set[str]) -> None:
        self.blockSignals(True)
        if [self.item(k).data(Qt.UserRole) for k in range(self.count())] == list(groups.names):
            for k, count in enumerate(groups.counts):  # same groups: only the counts change (after an edit)
                item = self.item(k)
                text = f"■ {groups.names[k]}  ({count:,})"
                if item.text() != text:
                    item.setText(text)
                item.setCheckState(Qt.Unchecked if groups.names[k] in hidden else Qt.Checked)
            self.blockSignals(False)
            return
        self.clear()
        for name, color, count in zip(groups.names, groups.colors, groups.counts):
            item = QListWidgetItem(f"■ {name}  ({count:,})")
            item.setForeground(QBrush(QColor(color)))
            item.setData(Qt.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Unchecked if name in hidden else Qt.Checked)
            self.addItem(item)
        self.blockSignals(False)
