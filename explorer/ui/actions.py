"""Every command of the window as data: text, shortcut, menu, toolbar, what it calls, and when it is enabled.

Menus, the toolbar and enablement are built from `ACTIONS`; adding a command is one row here plus its method on
the window. `enabled(spec, context)` is the whole enablement rule, so a test can walk every row in every context.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence

MENUS = ("&File", "&Edit", "&Select", "&View")


@dataclass(frozen=True)
class Context:
    """What enablement depends on."""

    dataset_open: bool = False
    analysed: bool = False
    has_targets: bool = False
    """A selection, or a current record, for the bulk actions to act on."""
    can_undo: bool = False
    can_redo: bool = False
    filtered: bool = False
    comparing: bool = False
    vectors_folder: bool = False
    """A comparison with another version is open."""


@dataclass(frozen=True)
class ActionSpec:
    id: str
    text: str
    method: str
    """Name of the window's method that runs it (no arguments)."""
    menu: str
    shortcut: str | QKeySequence.StandardKey | None = None
    toolbar: bool = False
    needs: tuple[str, ...] = ()
    """Context fields that must all be true for the action to be enabled."""
    separator_before: bool = False


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("open", "Open…", "open_dialog", "&File", QKeySequence.Open, toolbar=True),
    ActionSpec("open_folder", "Open folder…", "open_folder_dialog", "&File", "Ctrl+Shift+O"),
    ActionSpec("open_demo", "Open demo dataset", "open_demo", "&File"),
    ActionSpec("export", "Export…", "export_all_dialog", "&File", "Ctrl+E", toolbar=True, needs=("dataset_open",)),
    ActionSpec("export_selection", "Export selection…", "export_selection_dialog", "&File", "Ctrl+Shift+S",
               needs=("dataset_open", "has_targets")),
    ActionSpec("export_filtered", "Export filtered view…", "export_filtered_dialog", "&File",
               needs=("dataset_open", "filtered")),
    ActionSpec("use_vectors", "Use vectors from folder…", "vectors_folder_dialog", "&File", needs=("dataset_open",),
               separator_before=True),
    ActionSpec("embed_again", "Embed instead of using the vectors folder", "embed_again", "&File",
               needs=("vectors_folder",)),
    ActionSpec("compare", "Compare with…", "compare_dialog", "&File", "Ctrl+Shift+D", needs=("analysed",),
               separator_before=True),
    ActionSpec("close_comparison", "Close comparison", "close_comparison", "&File", needs=("comparing",)),
    ActionSpec("preferences", "Preferences…", "preferences_dialog", "&File", QKeySequence.Preferences,
               separator_before=True),
    ActionSpec("quit", "Quit", "close", "&File", QKeySequence.Quit, separator_before=True),
    ActionSpec("undo", "Undo", "undo", "&Edit", QKeySequence.Undo, toolbar=True, needs=("can_undo",)),
    ActionSpec("redo", "Redo", "redo", "&Edit", QKeySequence.Redo, toolbar=True, needs=("can_redo",)),
    ActionSpec("delete", "Delete selected", "delete_selection", "&Edit", QKeySequence.Delete, toolbar=True,
               needs=("dataset_open", "has_targets"), separator_before=True),
    ActionSpec("restore", "Restore selected", "restore_selection", "&Edit", "Ctrl+Shift+R",
               needs=("dataset_open", "has_targets")),
    ActionSpec("tag", "Tag selected…", "tag_dialog", "&Edit", "Ctrl+T", toolbar=True,
               needs=("dataset_open", "has_targets")),
    ActionSpec("untag", "Untag selected…", "untag_dialog", "&Edit", "Ctrl+Shift+T",
               needs=("dataset_open", "has_targets")),
    ActionSpec("set_kind", "Set task kind…", "set_kind_dialog", "&Edit", "Ctrl+K",
               needs=("analysed", "has_targets")),
    ActionSpec("new_kind", "New task kind from selection…", "new_kind_dialog", "&Edit", "Ctrl+Shift+K",
               needs=("analysed", "has_targets")),
    ActionSpec("select_all", "Select all", "select_all", "&Select", QKeySequence.SelectAll,
               needs=("dataset_open",)),
    ActionSpec("clear_selection", "Clear selection", "clear_selection", "&Select", "Esc", needs=("dataset_open",)),
    ActionSpec("select_cluster", "Select current cluster", "select_current_cluster", "&Select", "Ctrl+L",
               needs=("analysed", "has_targets")),
    ActionSpec("find", "Find…", "focus_search", "&Select", QKeySequence.Find, needs=("dataset_open",),
               separator_before=True),
    ActionSpec("search_meaning", "Search by meaning", "semantic_search", "&Select", needs=("analysed",)),
    ActionSpec("reset_zoom", "Reset zoom", "reset_zoom", "&View", "Ctrl+0", needs=("analysed",)),
    ActionSpec("recompute", "Recompute map", "recompute", "&View", "F5", toolbar=True, needs=("dataset_open",)),
)


def enabled(spec: ActionSpec, context: Context) -> bool:
    return all(getattr(context, need) for need in spec.needs)


def build_actions(window, menus: dict, toolbar) -> dict[str, QAction]:
    """QActions for `ACTIONS`, added to `menus` (by menu title) and `toolbar`, triggering the window's methods."""
    out = {}
    for spec in ACTIONS:
        action = QAction(spec.text, window)
        action.setObjectName(spec.id)
        if spec.shortcut is not None:
            action.setShortcut(QKeySequence(spec.shortcut))
        action.triggered.connect(lambda _=False, m=spec.method: getattr(window, m)())
        if spec.separator_before:
            menus[spec.menu].addSeparator()
        menus[spec.menu].addAction(action)
        if spec.toolbar:
            toolbar.addAction(action)
        window.addAction(action)
        out[spec.id] = action
    return out


def update_enabled(actions: dict[str, QAction], context: Context) -> None:
    for spec in ACTIONS:
        actions[spec.id].setEnabled(enabled(spec, context))
