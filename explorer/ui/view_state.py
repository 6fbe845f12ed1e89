"""The view state shared by the map, the table, the panels and the editor.

Selection and current record belong to the `Workspace` (the CLI and tests use them too); this object re-emits
them as Qt signals and adds what only the window has: colour mode, hidden legend groups, showing deleted records.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal

from explorer.app.workspace import Workspace

COLOR_MODES = ("cluster", "kind", "flags", "tokens", "tags", "change")


class ViewState(QObject):
    selection_changed = Signal()
    current_changed = Signal(int)
    """The current record id, or -1 for none (PySide6 on Python 3.11 miscounts None sent through Signal(object))."""
    coloring_changed = Signal()

    def __init__(self, workspace: Workspace, parent: QObject | None = None):
        super().__init__(parent)
        self.workspace = workspace
        self.color_by = "cluster"
        self.hidden_groups: set[str] = set()
        self.show_deleted = False
        self.legend_hidden: np.ndarray | None = None
        """Records in hidden legend groups: like those outside the filter, never selected."""
        workspace.closed.connect(self._forget_dataset)
        workspace.selection_changed.connect(self.selection_changed.emit)
        workspace.current_changed.connect(lambda rid: self.current_changed.emit(-1 if rid is None else int(rid)))

    def _forget_dataset(self) -> None:
        """What the legend hid was the closed dataset's: the next one starts with every group shown."""
        self.legend_hidden = None
        self.hidden_groups.clear()

    @property
    def selection(self) -> np.ndarray:
        return self.workspace.selection

    @property
    def current(self) -> int | None:
        return self.workspace.current

    def select(self, ids, mode: str = "replace") -> None:
        """Replace, add to (`add`) or subtract from (`subtract`) the selection (records the map hides are left
        out: see `Workspace.select`, and the legend's hidden groups)."""
        hidden = self.legend_hidden
        if hidden is not None and mode != "subtract":
            ids = np.asarray(list(ids) if not isinstance(ids, np.ndarray) else ids, dtype=np.int64)
            ids = ids[(ids >= 0) & (ids < len(hidden))]
            ids = ids[~hidden[ids]]
        self.workspace.select(ids, mode)

    def view_mask(self) -> np.ndarray | None:
        """The records the map shows (inside the filter, not in a hidden legend group), or None when it shows all."""
        mask, hidden = self.workspace.filter_mask, self.legend_hidden
        if hidden is None:
            return mask
        return ~hidden if mask is None else mask & ~hidden

    def view_ids(self) -> np.ndarray | None:
        """The records of `view_mask` that are not deleted (what 'Export filtered view' writes); None: no view."""
        mask = self.view_mask()
        return None if mask is None else self.workspace.visible(np.flatnonzero(mask))

    def set_legend_hidden(self, hidden: np.ndarray | None) -> None:
        """The records the legend hides now; selected ones among them leave the selection."""
        self.legend_hidden = hidden
        if hidden is not None and len(self.selection) and hidden[self.selection].any():
            self.workspace.select(self.selection[~hidden[self.selection]])

    def set_current(self, rid: int | None) -> None:
        self.workspace.set_current(rid)

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
            self.workspace.keep_deleted_selected = show
            self.coloring_changed.emit()
