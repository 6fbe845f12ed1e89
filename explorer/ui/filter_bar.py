"""The filter bar: one drop-down per facet (flag, kind, cluster, tag, metadata columns) with live counts, a token
range, saved filters and Clear. It only edits a `Filter` value; the window applies it to the map, table and panels."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QPushButton, QSpinBox, QToolButton, QWidget

from explorer.core.analysis.facets import FacetIndex, Filter

TOKEN_LIMIT = 1_000_000
TITLES = {"flag": "Flag", "kind": "Kind", "cluster": "Cluster", "tag": "Tag"}


class FilterBar(QWidget):
    changed = Signal(object)
    """The new Filter."""
    save_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.filter = Filter()
        self.index: FacetIndex | None = None
        self.value_text: Callable[[str, object], str] = lambda facet, value: str(value)
        """How a value reads in the menu (cluster numbers get their labels)."""
        self.saved: dict[str, Filter] = {}
        self.buttons: dict[str, QToolButton] = {}
        self.layout_ = QHBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.addWidget(QLabel("Filter"))
        self.facet_row = QHBoxLayout()
        self.layout_.addLayout(self.facet_row)
        self.min_tokens, self.max_tokens = QSpinBox(), QSpinBox()
        for box, tip in ((self.min_tokens, "at least this many tokens (0: no minimum)"),
                         (self.max_tokens, "at most this many tokens (0: no maximum)")):
            box.setRange(0, TOKEN_LIMIT)
            box.setSpecialValueText("any")
            box.setToolTip(tip)
            box.setKeyboardTracking(False)
            box.valueChanged.connect(self._tokens_changed)
        self.layout_.addWidget(QLabel("tokens"))
        self.layout_.addWidget(self.min_tokens)
        self.layout_.addWidget(QLabel("–"))
        self.layout_.addWidget(self.max_tokens)
        self.saved_button = QToolButton()
        self.saved_button.setText("Saved")
        self.saved_button.setPopupMode(QToolButton.InstantPopup)
        self.saved_menu = QMenu(self.saved_button)
        self.saved_menu.aboutToShow.connect(self._fill_saved)
        self.saved_button.setMenu(self.saved_menu)
        self.clear_button = QPushButton("Clear")
        self.clear_button.clicked.connect(lambda: self.set_filter(Filter()))
        self.count = QLabel()
        self.layout_.addWidget(self.saved_button)
        self.layout_.addWidget(self.clear_button)
        self.layout_.addWidget(self.count)
        self.layout_.addStretch(1)
        self.setEnabled(False)

    def set_index(self, index: FacetIndex | None) -> None:
        """The records to filter (None: no analysis yet); one button per facet."""
        self.index = index
        for button in self.buttons.values():
            button.deleteLater()
        self.buttons = {}
        names = index.facet_names() if index is not None else []
        for facet in names:
            button = QToolButton()
            button.setPopupMode(QToolButton.InstantPopup)
            menu = QMenu(button)
            menu.aboutToShow.connect(lambda f=facet, m=menu: self._fill(f, m))
            button.setMenu(menu)
            self.facet_row.addWidget(button)
            self.buttons[facet] = button
        self.setEnabled(index is not None)
        self._show_filter()

    def set_filter(self, flt: Filter) -> None:
        if flt == self.filter:
            return
        self.filter = flt
        self._show_filter()
        self.changed.emit(flt)

    def forget(self) -> None:
        """Show no filter, without emitting `changed`: the dataset it filtered was closed (the workspace's filter
        went with it)."""
        self.filter = Filter()
        self._show_filter()
        self.count.setText("")

    def set_count(self, shown: int, total: int) -> None:
        self.count.setText("" if self.filter.is_empty() else f"{shown:,} of {total:,} records")

    def _show_filter(self) -> None:
        for facet, button in self.buttons.items():
            chosen = self.filter.values(facet)
            title = TITLES.get(facet, facet)
            button.setText(f"{title}: {len(chosen)}" if chosen else title)
            button.setToolTip(", ".join(self.value_text(facet, v) for v in sorted(chosen)) or f"any {title.lower()}")
        for box, value in ((self.min_tokens, self.filter.min_tokens), (self.max_tokens, self.filter.max_tokens)):
            box.blockSignals(True)
            box.setValue(value or 0)
            box.blockSignals(False)
        self.clear_button.setEnabled(not self.filter.is_empty())

    def _fill(self, facet: str, menu: QMenu) -> None:
        """Counts are taken when the menu opens: each value under the other facets' filter."""
        menu.clear()
        if self.index is None:
            return
        counts = self.index.facet_counts(self.filter, facet)
        chosen = self.filter.values(facet)
        ordered = list(counts) if facet == "cluster" else sorted(counts, key=lambda v: (-counts[v], str(v)))
        for value in ordered:
            action = menu.addAction(f"{self.value_text(facet, value)}  ({counts[value]:,})")
            action.setCheckable(True)
            action.setChecked(value in chosen)
            action.toggled.connect(lambda on, v=value, f=facet: self._toggle(f, v, on))

    def _toggle(self, facet: str, value, on: bool) -> None:
        values = set(self.filter.values(facet))
        (values.add if on else values.discard)(value)
        self.set_filter(self.filter.with_values(facet, values))

    def _tokens_changed(self) -> None:
        lo, hi = self.min_tokens.value() or None, self.max_tokens.value() or None
        self.set_filter(replace(self.filter, min_tokens=lo, max_tokens=hi))

    def _fill_saved(self) -> None:
        self.saved_menu.clear()
        save = self.saved_menu.addAction("Save this filter…")
        save.setEnabled(not self.filter.is_empty())
        save.triggered.connect(self.save_requested.emit)
        if self.saved:
            self.saved_menu.addSeparator()
        for name, flt in sorted(self.saved.items()):
            action = self.saved_menu.addAction(name)
            action.setToolTip(flt.describe())
            action.triggered.connect(lambda _=False, f=flt: self.set_filter(f))
