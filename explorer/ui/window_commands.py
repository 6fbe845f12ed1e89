"""What the window's commands do (the rows of `actions.ACTIONS` call these): edits on the selection, search,
filters, export, preferences. Mixed into `MainWindow`, which provides the widgets they use."""

from __future__ import annotations

import hashlib
import json

import numpy as np
from PySide6.QtWidgets import QFileDialog, QInputDialog

from explorer.core.analysis.facets import Filter
from explorer.core.curation import edits as E
from explorer.core.curation.curated import Selection
from explorer.ui.dialogs.export_dialog import ExportDialog
from explorer.ui.dialogs.preferences import PreferencesDialog, save_params
from explorer.ui.start_page import DEMO

PREDICTED = "(predicted: let the analysis decide)"


class WindowCommands:
    # -- opening ------------------------------------------------------------------------------------------
    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open dataset", "", "Datasets (*.jsonl *.json *.gz *.csv *.tsv "
                                              "*.parquet *.arrow);;All files (*)")
        if path:
            self.open_path(path)

    def open_folder_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open a Hugging Face or hub-style dataset folder")
        if path:
            self.open_path(path)

    def open_demo(self) -> None:
        self.open_path(DEMO)

    # -- edits on the selection -----------------------------------------------------------------------------
    def _highlighted_ids(self) -> list[int]:
        """Records of the table rows the user highlighted, when two or more (one row is just the open record)."""
        rows = self.table.selectionModel().selectedRows()
        return sorted(int(self.model.rows[r.row()]) for r in rows) if len(rows) > 1 else []

    def _has_targets(self) -> bool:
        """Whether `_target_ids` would name any record, without listing a big selection (run on every change)."""
        return (len(self.state.selection) > 0 or self.state.current is not None
                or len(self.table.selectionModel().selectedRows()) > 1)

    def _target_ids(self) -> tuple[int, ...]:
        """What an action applies to: the highlighted table rows, else the selection, else the open record."""
        highlighted = self._highlighted_ids()
        if highlighted:
            return tuple(highlighted)
        if len(self.state.selection):
            return tuple(int(i) for i in self.state.selection)
        return (self.state.current,) if self.state.current is not None else ()

    def undo(self) -> None:
        self.document.undo()

    def redo(self) -> None:
        self.document.redo()

    def delete_selection(self) -> None:
        ids = self._target_ids()
        if ids:
            self.document.apply(E.Delete(ids))

    def restore_selection(self) -> None:
        ids = self._target_ids()
        if ids:
            self.document.apply(E.Restore(ids))

    def tag_selection(self, tag: str) -> None:
        ids = self._target_ids()
        if ids and tag.strip():
            self.document.apply(E.Tag(ids, tag.strip()))

    def tag_dialog(self) -> None:
        tag, ok = QInputDialog.getText(self, "Tag", f"Tag for {len(self._target_ids()):,} records:")
        if ok:
            self.tag_selection(tag)

    def untag_dialog(self) -> None:
        tag, ok = QInputDialog.getText(self, "Untag", "Tag to remove:")
        if ok and tag.strip() and self._target_ids():
            self.document.apply(E.Untag(self._target_ids(), tag.strip()))

    def set_kind_dialog(self) -> None:
        """Say which task kind the selected records are; similar records follow when the kinds are predicted
        again (right after, in the background)."""
        from explorer.core.analysis.taxonomy import load_taxonomy

        ids = self._target_ids()
        if not ids or self.document.analysis is None:
            return
        kinds = [k.id for k in load_taxonomy(self.document.params.taxonomy_path).kinds]
        choice, ok = QInputDialog.getItem(self, "Set task kind", f"Task kind of {len(ids):,} records:",
                                          kinds + [PREDICTED], 0, False)
        if ok:
            self.set_kind(ids, None if choice == PREDICTED else choice)

    def new_kind_dialog(self) -> None:
        """Make a new task kind from the selected records (names, target share), saved in the user's taxonomy."""
        from explorer.core.errors import DatasetError
        from explorer.ui.dialogs.new_kind_dialog import NewKindDialog

        ids = self._target_ids()
        if not ids or self.document.analysis is None:
            return
        dialog = NewKindDialog(len(ids), self)
        if dialog.exec():
            try:
                kind = self.document.workspace.add_kind_from(ids, dialog.name_en.text(), dialog.name_zh.text(),
                                                             dialog.share.value() / 100)
            except DatasetError as e:
                self.statusBar().showMessage(str(e), 8000)
                return
            self.statusBar().showMessage(
                f"New task kind {kind!r}: {len(ids):,} records set; saved in your copy of the taxonomy "
                f"({self.document.workspace.params.taxonomy_path}), used from now on; predicting kinds again", 12000)

    def set_kind(self, ids, kind: str | None) -> None:
        self.document.apply(E.SetKind(tuple(int(i) for i in ids), kind))

    # -- selecting and searching ----------------------------------------------------------------------------
    def select_all(self) -> None:
        self.state.select(np.arange(len(self.document)))  # every record the user can see (`ViewState.select`)

    def clear_selection(self) -> None:
        self.state.select([])

    def select_current_cluster(self) -> None:
        a, rid = self.document.analysis, self.state.current
        if a is not None and rid is not None:
            live = self.document.live
            self.state.select(np.flatnonzero((a.clusters == a.clusters[rid]) & live.mask(self.document.filter_mask)))

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def run_search(self) -> None:
        """Substring or regular-expression search over instructions and responses, in the background."""
        self.document.search(self.search.text())

    def semantic_search(self) -> None:
        if not self.search.text().strip():
            self.focus_search()
            self.statusBar().showMessage("Type what you are looking for, then press Ctrl+Enter", 5000)
            return
        self.document.semantic_search(self.search.text())

    def reset_zoom(self) -> None:
        self.map.reset_view()

    # -- filters -------------------------------------------------------------------------------------------
    def apply_filter(self, flt: Filter) -> None:
        """Show only the records inside the filter on the map, in the table and in every count."""
        if self.filter_bar.filter != flt:
            self.filter_bar.set_filter(flt)  # emits changed, which comes back here
            return
        self.document.workspace.set_filter(flt)
        self.model.set_rows(self.document.workspace.shown_ids())
        self.restyle()
        self.refresh_counts()
        self._update_actions()
        self.statusBar().showMessage(f"Filter: {flt.describe()}", 5000)

    def _filters_key(self) -> str:
        path = str(self.document.dataset.path) if self.document.dataset is not None else ""
        return "savedFilters/" + hashlib.sha1(path.encode()).hexdigest()[:16]

    def _saved_filters(self) -> dict[str, Filter]:
        try:
            raw = json.loads(self.settings.value(self._filters_key(), "{}") or "{}")
            return {name: Filter.from_json(data) for name, data in raw.items()}
        except (ValueError, TypeError, AttributeError):
            return {}

    def save_filter(self, name: str) -> None:
        saved = dict(self._saved_filters(), **{name: self.filter_bar.filter})
        self.settings.setValue(self._filters_key(), json.dumps({k: f.to_json() for k, f in saved.items()}))
        self.filter_bar.saved = saved

    def save_filter_dialog(self) -> None:
        name, ok = QInputDialog.getText(self, "Save filter", "Name for this filter:",
                                        text=self.filter_bar.filter.describe()[:40])
        if ok and name.strip():
            self.save_filter(name.strip())

    # -- export --------------------------------------------------------------------------------------------
    def export_all_dialog(self) -> None:
        self.export_dialog()

    def export_selection_dialog(self) -> None:
        self.export_dialog(selection_only=True)

    def export_filtered_dialog(self) -> None:
        self.export_dialog(filtered=True)

    def export_dialog(self, selection_only: bool = False, filtered: bool = False) -> None:
        """Scope, format, caps and a before/after preview; the export runs in the background."""
        doc = self.document
        if doc.session is None:
            return
        selected = [int(i) for i in self.state.selection]
        analysis = doc.analysis
        view = self.state.view_ids()  # what the map shows: the filter and the legend, deleted records left out
        view = view.tolist() if view is not None else None
        self.export_window = ExportDialog(
            doc.dataset, doc.session.state, doc.export_rows(), selected_ids=selected or None,
            filtered_ids=view,
            taxonomy_path=doc.params.taxonomy_path,
            cluster_names={c: doc.cluster_name(c) for c in set(analysis.clusters.tolist()) if c >= 0}
            if analysis is not None else None, parent=self)
        self.export_window.choose_scope("selection" if selection_only and selected else
                                        "filtered" if filtered and view is not None else "all")

        def accepted() -> None:
            o = self.export_window.options()
            if o.selection.ids is not None and view is not None and o.selection.ids == view:
                o.selection.view_filter = self.filter_bar.filter.to_json()
            doc.export(o.out, o.to, o.selection, o.rebalance)

        self.export_window.accepted.connect(accepted)
        self.export_window.open()

    def export_to(self, path: str, selection_only: bool, to: str | None = None, filtered: bool = False) -> None:
        """Export without the dialog: the selection, the filtered view or everything (tests, scripts)."""
        selection = Selection()
        if selection_only:
            selection.ids = [int(i) for i in self.state.selection]
        elif filtered and self.state.view_ids() is not None:
            selection.ids = self.state.view_ids().tolist()
            selection.view_filter = self.filter_bar.filter.to_json()
        self.document.export(path, to, selection)

    # -- analysis ------------------------------------------------------------------------------------------
    def preferences_dialog(self) -> None:
        self.preferences = PreferencesDialog(self.document.params, self, self.document.workspace.eval_paths)
        self.preferences.accepted.connect(lambda: self.apply_preferences(self.preferences.params(),
                                                                         self.preferences.eval_paths()))
        self.preferences.open()

    def apply_preferences(self, params, eval_paths: list[str] | None = None) -> None:
        """Save the analysis parameters (and eval sets) and re-run what depends on the ones that changed."""
        save_params(self.settings, params)
        self.document.params = params
        if eval_paths is not None and eval_paths != self.document.workspace.eval_paths:
            self.document.set_eval_sets(eval_paths)  # re-runs the analysis with the new params too
            return
        self.document.analyze(params)

    # -- vectors folders -----------------------------------------------------------------------------------
    def vectors_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Use vectors from folder (made by sft-explorer embed)")
        if folder:
            self.use_vectors_folder(folder)

    def use_vectors_folder(self, folder: str) -> None:
        """Re-analyse with the records' vectors from `folder` instead of embedding them."""
        if self.document.use_vectors_folder(folder):
            self.statusBar().showMessage(f"Analysing with the vectors in {folder}…", 5000)

    def embed_again(self) -> None:
        if self.document.use_vectors_folder(None):
            self.statusBar().showMessage("Embedding the records again…", 5000)

    # -- comparing -----------------------------------------------------------------------------------------
    def compare_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Compare with another version", "", "Datasets (*.jsonl *.json "
                                              "*.gz *.csv *.tsv *.parquet *.arrow);;All files (*)")
        if path:
            self.compare_with(path)

    def compare_with(self, path: str) -> None:
        """Compare the open dataset (A) with `path` (B) in the background; the Changes panel shows the result."""
        self.document.compare(path)
        self.docks["Changes"].raise_()
        self.statusBar().showMessage(f"Comparing with {path}…", 5000)

    def close_comparison(self) -> None:
        self.document.workspace.close_comparison()

    def color_by_change(self) -> None:
        self.color_by.setCurrentText("change")

    def recompute(self) -> None:
        if self.document.pipeline is not None:
            self.document.pipeline.invalidate()
            self.document.analyze()
