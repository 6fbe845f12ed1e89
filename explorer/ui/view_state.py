"""The one view state shared by the map, the table, the panels and the editor."""

from __future__ import annotations

from typing import Callable

import numpy as np
from PySide6.QtCore import QObject, Signal

COLOR_MODES = ("cluster", "kind", "flags", "tokens", "tags")


class ViewState(QObject):
    selection_changed = Signal()
    current_changed = Signal(int)
    """The current record id, or -1 for none (PySide6 on Python 3.11 miscounts None sent through Signal(object))."""
    coloring_changed = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.selection = np.zeros(0, dtype=np.int64)
        self.current: int | None = None
        self.color_by = "cluster"
        self.hidden_groups: set[str] = set()
        self.show_deleted = False
        self.can_leave_current: Callable[[], bool] = lambda: True
        """Asked before the current record changes; False keeps it (the editor has unapplied text: Cancel)."""

    def select(self, ids, mode: str = "replace") -> None:
        """Replace, add to (`add`) or subtract from (`subtract`) the selection."""
        ids = np.unique(np.asarray(list(ids) if not isinstance(ids, np.ndarray) else ids, dtype=np.int64))
        if mode == "add":
            ids = np.union1d(self.selection, ids)
        elif mode == "subtract":
            ids = np.setdiff1d(self.selection, ids)
        if not np.array_equal(ids, self.selection):
            self.selection = ids
            self.selection_changed.emit()

    def set_current(self, rid: int | None) -> None:
        if rid is not None and rid < 0:
            rid = None
        if rid != self.current and self.can_leave_current():
            self.current = rid
            self.current_changed.emit(-1 if rid is None else int(rid))

    def set_color_by(self, mode: str) -> None:
        if mode != self.color_by:
            self.color_by = mode
            self.hidden_groups.clear()
            self.coloring_changed.emit()

    def toggle_group(self, name: str) -> None:
        self.hidden_groups.symmetric_difference_update({name})
        self.coloring_changed.emit()

    def set_show_deleted(self, show: bool) -> None:
        if show != self.show_deleted:
            self.show_deleted = show
            self.coloring_changed.emit()
