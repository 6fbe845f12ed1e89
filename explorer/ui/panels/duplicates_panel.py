"""Near-duplicate review: groups of records whose instructions are nearly the same, at a threshold the user
slides; members side by side; "keep the first, delete the others" is one undoable step."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QListWidget, QListWidgetItem,
                               QPushButton, QSlider, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from explorer.app.workspace import DUPLICATE_THRESHOLD
from explorer.core.curation import edits as E


def _cell(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)  # QTableWidgetItem text is plain text
    item.setFlags(item.flags() & ~Qt.ItemIsEditable)
    return item


class DuplicatesPanel(QWidget):
    select_ids = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.document = None
        self.groups: list[list[int]] = []
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setRange(80, 100)
        self.slider.setValue(round(DUPLICATE_THRESHOLD * 100))
        self.value = QLabel("0.95")
        self.slider.setTracking(False)  # regroup once the slider is let go: a low threshold on big data takes seconds
        self.slider.sliderMoved.connect(lambda v: self.value.setText(f"{v / 100:.2f}"))
        self.slider.valueChanged.connect(self.regroup)
        self.list = QListWidget()
        # Browsing the list (arrow keys, regrouping) only shows a group's members; a click or Enter selects them.
        self.list.currentRowChanged.connect(lambda row: self.show_group(row, select=False))
        self.list.itemClicked.connect(lambda item: self.show_group(self.list.row(item), select=True))
        self.list.itemActivated.connect(lambda item: self.show_group(self.list.row(item), select=True))
        self.members = QTableWidget(0, 3)
        self.members.setHorizontalHeaderLabels(["id", "instruction", "response"])
        self.members.verticalHeader().setVisible(False)
        self.members.setWordWrap(True)
        self.members.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.members.horizontalHeader().setSectionResizeMode(1, QHeaderView.Stretch)
        self.members.horizontalHeader().setSectionResizeMode(2, QHeaderView.Stretch)
        self.keep = QPushButton("Keep the first, delete the others")
        self.keep.clicked.connect(self.keep_first)
        top = QHBoxLayout()
        top.addWidget(QLabel("Cosine ≥"))
        top.addWidget(self.slider, 1)
        top.addWidget(self.value)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.members, 2)
        layout.addWidget(self.keep)

    @property
    def threshold(self) -> float:
        return self.slider.value() / 100

    def refresh(self, document) -> None:
        self.document = document
        self.regroup()

    def bind(self, document) -> None:
        """Follow the document: regroup after each analysis and each edit (deleted records leave their groups)."""
        self.document = document
        document.analysis_ready.connect(self.regroup)
        document.duplicates_grouped.connect(self.regroup)
        document.records_changed.connect(lambda ids: self.regroup())

    def regroup(self) -> None:
        self.value.setText(f"{self.threshold:.2f}")
        doc = self.document
        a = doc.analysis if doc is not None else None
        shown = self.groups[self.list.currentRow()][0] if 0 <= self.list.currentRow() < len(self.groups) else None
        self.list.blockSignals(True)  # refilling the list must never touch the user's selection
        try:
            self._fill(doc, a)
            rows = [k for k, g in enumerate(self.groups) if g[0] == shown]
            row = rows[0] if rows else (0 if self.groups else -1)
            self.list.setCurrentRow(row)
        finally:
            self.list.blockSignals(False)
        self.show_group(row, select=False)

    def _fill(self, doc, a) -> None:
        self.list.clear()
        self.groups = []
        roots = doc.grouped_duplicates(self.threshold) if a is not None else None
        if roots is None:
            if a is not None and a.neighbors is not None:  # grouped in the background, then shown
                self.value.setText(f"{self.threshold:.2f} · grouping…")
                doc.group_duplicates(self.threshold)
            return
        alive = np.ones(len(roots), dtype=bool)
        alive[list(doc.session.state.deleted)] = False
        # records joined to an earlier one that is still there (one whose kept record was deleted is close to it,
        # not to the other members: it is shown again after the next analysis)
        members = np.flatnonzero(alive & alive[roots] & (roots != np.arange(len(roots))))
        candidates = np.union1d(roots[members], members)
        by_root: dict[int, list[int]] = {}
        for rid in candidates.tolist():
            by_root.setdefault(int(roots[rid]), []).append(rid)
        self.groups = sorted((g for g in by_root.values() if len(g) > 1), key=lambda g: (-len(g), g[0]))
        for group in self.groups:
            text = " ".join(doc.text(group[0], "instruction").split())[:90]
            self.list.addItem(QListWidgetItem(f"{len(group)} records · {text}"))

    def show_group(self, row: int, select: bool = True) -> None:
        if not 0 <= row < len(self.groups):
            self.members.setRowCount(0)
            return
        group = self.groups[row]
        self.members.setRowCount(len(group))
        for r, rid in enumerate(group):
            for c, value in enumerate([str(rid), self.document.text(rid, "instruction"),
                                       self.document.text(rid, "response")]):
                self.members.setItem(r, c, _cell(value))
        self.members.resizeRowsToContents()
        if select:
            self.select_ids.emit(np.array(group))

    def keep_first(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.groups):
            group = self.groups[row]
            self.document.apply(E.Batch((E.Delete(tuple(group[1:])),), f"keep #{group[0]}, delete {len(group) - 1} "
                                                                        "near-duplicates"))
