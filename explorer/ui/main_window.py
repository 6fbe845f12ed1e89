"""The main window: map in the centre, editor, table and summary panels in docks, every long job in the background."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDockWidget, QFileDialog, QHBoxLayout, QInputDialog, QLabel,
                               QLineEdit, QListWidget, QMainWindow, QMessageBox, QProgressBar, QPushButton,
                               QStackedWidget, QTableView, QToolBar, QVBoxLayout, QWidget)

from explorer.core import mappings
from explorer.core.analysis.checks import FLAGS
from explorer.core.curation import edits as E
from explorer.ui.colors import argb_table, groups_for
from explorer.core.curation.curated import Selection
from explorer.ui.dialogs.export_dialog import ExportDialog
from explorer.ui.dialogs.mapping_dialog import MappingDialog
from explorer.ui.dialogs.preferences import PreferencesDialog, load_params, save_params
from explorer.ui.document import Document
from explorer.ui.editor.record_editor import RecordEditor
from explorer.ui.filter_bar import FilterBar
from explorer.ui.panels.duplicates_panel import DuplicatesPanel
from explorer.ui.panels.problems_panel import ProblemsPanel
from explorer.ui.panels.summary_panels import ClustersPanel, CoveragePanel, LegendPanel, QualityPanel
from explorer.ui.scatter.map_view import MapView
from explorer.ui.start_page import DEMO, StartPage
from explorer.ui.table.record_model import COLUMNS, RecordTableModel
from explorer.ui.view_state import COLOR_MODES, ViewState

MAX_RECENT = 10
ICON = Path(__file__).resolve().parents[2] / "resources" / "icons" / "sft-explorer.svg"
DELETED_ARGB = 0xFFE2E2E2


class MainWindow(QMainWindow):
    def __init__(self, document: Document, settings: QSettings | None = None):
        super().__init__()
        self.document = document
        self.settings = settings or QSettings()
        self.state = ViewState(self)
        document.params = load_params(self.settings, document.params)
        self.groups = None
        self.mapping_dialog: MappingDialog | None = None
        self._style: tuple | None = None
        self._cluster_centres: list[tuple[int, float, float, int]] = []
        self.setWindowTitle("SFT Explorer")
        self.setWindowIcon(QIcon(str(ICON)))
        self._build_central()
        self._build_docks()
        self._build_actions()
        self._build_status()
        self._connect()
        self.restoreGeometry(self.settings.value("geometry", b""))
        if not self.restoreState(self.settings.value("windowState", b"")):
            self._default_layout()
        self.start.show_recent(self.recent_files())
        self._update_actions()

    # -- building ---------------------------------------------------------------------------------
    def _build_central(self) -> None:
        self.map = MapView()
        self.map.hover_text = lambda rid: " ".join(self.document.text(rid, "instruction").split())[:300]
        self.color_by = QComboBox()
        self.color_by.addItems(list(COLOR_MODES) + [f"flag:{name}" for name in FLAGS])
        self.lasso = QCheckBox("Lasso")
        self.lasso.setToolTip("Drag to draw a lasso (Alt-drag works too). Shift adds, Ctrl subtracts.")
        self.show_deleted = QCheckBox("Show deleted")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search text (regex allowed) — Enter; Ctrl+Enter: semantic search")
        self.search.setClearButtonEnabled(True)
        self.semantic_button = QPushButton("By meaning")
        self.semantic_button.setToolTip("Select the 50 records nearest in meaning to the search text (Ctrl+Enter in "
                                        "the search box)")
        bar = QHBoxLayout()
        for w in (QLabel("Colour by"), self.color_by, self.lasso, self.show_deleted):
            bar.addWidget(w)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.semantic_button)
        self.filter_bar = FilterBar()
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(bar)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.map, 1)
        self.start = StartPage()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.start)
        self.stack.addWidget(page)
        self.setCentralWidget(self.stack)

    def _dock(self, title: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(title)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.docks[title] = dock
        return dock

    def _build_docks(self) -> None:
        self.docks: dict[str, QDockWidget] = {}
        self.editor = RecordEditor()
        self.editor.set_document(self.document)
        self.model = RecordTableModel(self.document, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QTableView.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.sortByColumn(0, Qt.AscendingOrder)
        header = self.table.horizontalHeader()
        header.setContextMenuPolicy(Qt.ActionsContextMenu)  # right-click the header to choose columns
        for column, name in enumerate(COLUMNS):
            toggle = QAction(name, header, checkable=True, checked=True)
            toggle.toggled.connect(lambda on, c=column: self.table.setColumnHidden(c, not on))
            header.addAction(toggle)
        for column, width in ((0, 60), (1, 340), (2, 340), (3, 60), (4, 130), (5, 160)):
            self.table.setColumnWidth(column, width)
        self.clusters = ClustersPanel()
        self.coverage = CoveragePanel()
        self.quality = QualityPanel()
        self.problems = ProblemsPanel()
        self.duplicates = DuplicatesPanel()
        self.legend = LegendPanel()
        self.history = QListWidget()
        record = self._dock("Record", self.editor, Qt.RightDockWidgetArea)
        self._dock("Table", self.table, Qt.BottomDockWidgetArea)
        left = [self._dock(t, w, Qt.LeftDockWidgetArea) for t, w in
                (("Clusters", self.clusters), ("Task kinds", self.coverage), ("Quality", self.quality),
                 ("Near-duplicates", self.duplicates), ("Problems", self.problems))]
        for dock in left[1:]:
            self.tabifyDockWidget(left[0], dock)
        left[0].raise_()
        self._dock("Legend", self.legend, Qt.LeftDockWidgetArea)
        history = self._dock("History", self.history, Qt.RightDockWidgetArea)
        self.splitDockWidget(record, history, Qt.Vertical)
        self.resizeDocks([record, history], [700, 120], Qt.Vertical)

    def _default_layout(self) -> None:
        """First start: the map takes the space; panels and editor narrow, the table short (all remembered)."""
        d = self.docks
        self.resizeDocks([d["Clusters"], d["Legend"]], [260, 260], Qt.Horizontal)
        self.resizeDocks([d["Record"]], [360], Qt.Horizontal)
        self.resizeDocks([d["Table"]], [190], Qt.Vertical)
        self.resizeDocks([d["Clusters"], d["Legend"]], [420, 160], Qt.Vertical)

    def _action(self, text: str, slot, shortcut=None, menu=None, toolbar: QToolBar | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        if menu is not None:
            menu.addAction(action)
        if toolbar is not None:
            toolbar.addAction(action)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        file, edit, select, view = (self.menuBar().addMenu(t) for t in ("&File", "&Edit", "&Select", "&View"))
        tools = QToolBar("Main")
        tools.setObjectName("Main toolbar")
        self.addToolBar(tools)
        self.act_open = self._action("Open…", self.open_dialog, QKeySequence.Open, file, tools)
        self._action("Open folder…", self.open_folder_dialog, "Ctrl+Shift+O", file)
        self._action("Open demo dataset", lambda: self.open_path(DEMO), None, file)
        self.act_export = self._action("Export…", lambda: self.export_dialog(False), "Ctrl+E", file, tools)
        self.act_export_sel = self._action("Export selection…", lambda: self.export_dialog(True), "Ctrl+Shift+S",
                                           file)
        self.act_export_filtered = self._action("Export filtered view…", lambda: self.export_dialog(False, True),
                                                None, file)
        file.addSeparator()
        self._action("Quit", self.close, QKeySequence.Quit, file)
        self.act_undo = self._action("Undo", self.document.undo, QKeySequence.Undo, edit, tools)
        self.act_redo = self._action("Redo", self.document.redo, QKeySequence.Redo, edit, tools)
        edit.addSeparator()
        self.act_delete = self._action("Delete selected", self.delete_selection, QKeySequence.Delete, edit, tools)
        self._action("Restore selected", self.restore_selection, "Ctrl+Shift+R", edit)
        self.act_tag = self._action("Tag selected…", self.tag_dialog, "Ctrl+T", edit, tools)
        self._action("Untag selected…", self.untag_dialog, "Ctrl+Shift+T", edit)
        self._action("Select all", lambda: self.state.select(np.arange(len(self.document))), QKeySequence.SelectAll,
                     select)
        self._action("Clear selection", lambda: self.state.select([]), "Esc", select)
        self._action("Select current cluster", self.select_current_cluster, "Ctrl+L", select)
        self._action("Find…", self.focus_search, QKeySequence.Find, select)
        self._action("Search by meaning", self.semantic_search, None, select)
        self._action("Reset zoom", self.map.reset_view, "Ctrl+0", view)
        self._action("Preferences…", self.preferences_dialog, QKeySequence.Preferences, file)
        self.act_recompute = self._action("Recompute map", self.recompute, "F5", view, tools)

    def _build_status(self) -> None:
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(260)
        self.progress_text = QLabel()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(lambda: self.document.runner.cancel())
        self.selection_label = QLabel()
        bar = self.statusBar()
        bar.addWidget(self.selection_label, 1)
        bar.addPermanentWidget(self.progress_text)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)
        self._set_busy(False)

    def _connect(self) -> None:
        doc, st = self.document, self.state
        doc.loaded.connect(self._on_loaded)
        doc.closed.connect(self._on_closed)
        doc.analysis_ready.connect(self._on_analysis)
        doc.records_changed.connect(self._on_records_changed)
        doc.history_changed.connect(self._update_actions)
        doc.positions_changed.connect(lambda ids: self.map.set_points(doc.analysis.xy, reset_view=False))
        doc.failed.connect(self._on_failed)
        doc.exported.connect(lambda r: self.statusBar().showMessage(f"Wrote {r.written:,} records to {r.out}", 8000))
        runner = doc.runner
        runner.progress.connect(self._on_progress)
        runner.busy_changed.connect(self._set_busy)
        runner.cancelled.connect(lambda kind: self.statusBar().showMessage(f"{kind} cancelled", 5000))
        self.map.selected.connect(st.select)
        self.map.clicked.connect(lambda rid: st.set_current(rid) if rid >= 0 else None)
        st.selection_changed.connect(self._on_selection)
        st.current_changed.connect(lambda rid: self.editor.show_record(rid if rid >= 0 else None))
        st.coloring_changed.connect(self.restyle)
        self.table.clicked.connect(lambda index: st.set_current(self.model.data(index, Qt.UserRole)))
        self.editor.submitted.connect(doc.apply)
        for panel in (self.clusters, self.coverage, self.quality, self.problems, self.duplicates):
            panel.select_ids.connect(st.select)
        self.legend.toggled.connect(st.toggle_group)
        self.color_by.currentTextChanged.connect(st.set_color_by)
        self.show_deleted.toggled.connect(st.set_show_deleted)
        self.lasso.toggled.connect(lambda on: setattr(self.map, "lasso_mode", on))
        self.search.returnPressed.connect(self.run_search)
        by_meaning = QShortcut(QKeySequence("Ctrl+Return"), self.search, activated=self.semantic_search)
        by_meaning.setContext(Qt.WidgetShortcut)  # the editor's Ctrl+Return (Apply) owns the key elsewhere
        self.semantic_button.clicked.connect(self.semantic_search)
        st.can_leave_current = self.editor.confirm_leave
        doc.found.connect(self._on_found)
        self.filter_bar.changed.connect(self.apply_filter)
        self.filter_bar.save_requested.connect(self.save_filter_dialog)
        self.start.open_requested.connect(self.open_path)
        self.start.browse_requested.connect(self.open_dialog)

    # -- opening ----------------------------------------------------------------------------------
    def leave_record(self) -> bool:
        """Ask about unapplied text in the editor (Apply / Discard / Cancel); False when the user cancels."""
        if not self.editor.confirm_leave():
            return False
        self.editor.show_record(None)
        return True

    def open_path(self, path, mapping=None) -> None:
        if not self.leave_record():
            return
        mapping = mapping or mappings.remembered(path)
        self.document.open(path, mapping)
        self.stack.setCurrentIndex(1)
        self.setWindowTitle(f"{Path(path).name} — SFT Explorer")
        self._remember(str(path))

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open dataset", "", "Datasets (*.jsonl *.json *.gz *.csv *.tsv "
                                              "*.parquet *.arrow);;All files (*)")
        if path:
            self.open_path(path)

    def ask_mapping(self) -> None:
        """No format fits: ask which fields hold what (non-blocking), then reopen with that mapping."""
        dataset = self.document.dataset
        samples = [dataset.source_object(i) for i in range(min(len(dataset), 20))]
        self.mapping_dialog = MappingDialog(samples, self)

        def accepted() -> None:
            mapping = self.mapping_dialog.mapping()
            if mapping is not None:
                mappings.remember(dataset.path, mapping)
                self.open_path(dataset.path, mapping)

        self.mapping_dialog.accepted.connect(accepted)
        self.mapping_dialog.open()

    def open_folder_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open a Hugging Face or hub-style dataset folder")
        if path:
            self.open_path(path)

    def recent_files(self) -> list[str]:
        value = self.settings.value("recentFiles", [])
        files = [value] if isinstance(value, str) else list(value or [])
        return [f for f in files if Path(f).exists()][:MAX_RECENT]

    def _remember(self, path: str) -> None:
        files = [path] + [f for f in self.recent_files() if f != path]
        self.settings.setValue("recentFiles", files[:MAX_RECENT])

    def _on_loaded(self) -> None:
        doc = self.document
        if doc.dataset.format == "unknown" and doc.dataset.mapping is None:
            self.ask_mapping()
        self.problems.refresh(doc)
        self.model.set_rows(np.arange(len(doc)))
        self.state.select([])
        self.state.set_current(0 if len(doc) else None)
        self.editor.show_record(self.state.current)
        replay = doc.session.replay
        note = f"; session restored: {replay.edits} edits" if replay.edits else ""
        self.statusBar().showMessage(f"Opened {doc.dataset.path}: {len(doc):,} records{note}", 8000)
        self._update_actions()

    def _on_closed(self) -> None:
        self._style = None
        self.model.set_rows(np.zeros(0, dtype=np.int64))
        self.state.select([])
        self.state.set_current(None)
        self.map.set_points(np.zeros((0, 2), dtype=np.float32))
        self.map.set_style(np.zeros(0, np.uint32), np.zeros(0, bool), np.zeros(0, bool), [])
        self._update_actions()

    def _on_analysis(self) -> None:
        a = self.document.analysis
        save_params(self.settings, self.document.params)  # what this analysis used is what the next one uses
        self._cluster_centres = self._centres_of_clusters()
        self.map.set_points(a.xy)
        doc = self.document
        self.filter_bar.value_text = lambda facet, v: (("noise" if v < 0 else f"{v}: {doc.cluster_name(v)}")
                                                       if facet == "cluster" else str(v))
        self.filter_bar.set_index(doc.facet_index())
        self.filter_bar.saved = self._saved_filters()
        self._update_filter_mask()
        self.restyle()
        for panel in (self.clusters, self.coverage, self.quality, self.duplicates):
            panel.refresh(self.document)
        self.model.refresh()
        self.editor.show_record(self.state.current)
        e = a.embedding
        self.statusBar().showMessage(f"Analysis done: {a.balance['clusters']} clusters; embeddings on {e['device']} "
                                     f"({e['computed']:,} new, {e['cached']:,} cached)", 8000)

    def _on_failed(self, kind: str, message: str) -> None:
        box = QMessageBox(QMessageBox.Warning, "SFT Explorer", "", QMessageBox.Close, self)
        box.setTextFormat(Qt.PlainText)
        box.setText(f"{kind} failed:\n{message}")
        box.open()  # window-modal and non-blocking: tests and the event loop carry on

    # -- drawing ----------------------------------------------------------------------------------
    def restyle(self) -> None:
        """Recompute colours, visibility and labels (colour mode, legend, deletions or names changed)."""
        doc, st = self.document, self.state
        if doc.analysis is None:
            return
        self.groups = groups_for(st.color_by, doc)
        colors = argb_table(self.groups)[self.groups.index]
        hidden = np.array([name in st.hidden_groups for name in self.groups.names], dtype=bool)
        visible = ~hidden[self.groups.index]
        if doc.filter_mask is not None:
            visible &= doc.filter_mask
        deleted = list(doc.session.state.deleted) if doc.session is not None else []
        if deleted:
            if st.show_deleted:
                colors[deleted] = DELETED_ARGB  # shown, but greyed out
            else:
                visible[deleted] = False
        labels = []
        if st.color_by == "cluster":
            labels = [(doc.cluster_name(c), x, y, size) for c, x, y, size in self._cluster_centres]
        unchanged = self._style is not None and len(self._style[0]) == len(colors) and \
            np.array_equal(self._style[0], colors) and np.array_equal(self._style[1], visible) and \
            self._style[2] == labels
        self._style = (colors, visible, labels)
        if not unchanged:  # an edit that changes no colour, visibility or label leaves the map image alone
            self._restyle_selection()
        self.legend.show_groups(self.groups, st.hidden_groups)

    def _restyle_selection(self) -> None:
        """Only the selection changed: reuse colours, visibility and labels."""
        if self.document.analysis is None or self._style is None:
            return
        selected = np.zeros(len(self.document), dtype=bool)
        selected[self.state.selection] = True
        colors, visible, labels = self._style
        self.map.set_style(colors, visible, selected, labels)

    def _centres_of_clusters(self) -> list[tuple[int, float, float, int]]:
        """(cluster, median x, median y, size), largest first — computed once per analysis."""
        a = self.document.analysis
        clusters = a.clusters
        order = np.argsort(clusters, kind="stable")
        ids, starts, sizes = np.unique(clusters[order], return_index=True, return_counts=True)
        out = []
        for c, start, size in zip(ids.tolist(), starts.tolist(), sizes.tolist()):
            if c >= 0:
                x, y = np.median(a.xy[order[start:start + size]], axis=0)
                out.append((c, float(x), float(y), size))
        return sorted(out, key=lambda item: -item[3])

    def _shown_rows(self) -> np.ndarray:
        """The table's rows: the selection, else the filtered view, else every record."""
        sel, mask = self.state.selection, self.document.filter_mask
        if len(sel):
            return sel
        return np.flatnonzero(mask) if mask is not None else np.arange(len(self.document))

    def _on_selection(self) -> None:
        sel = self.state.selection
        self.model.set_rows(self._shown_rows())
        self.selection_label.setText(f"{len(sel):,} selected" if len(sel) else "")
        if len(sel) and self.state.current not in set(sel[:1000].tolist()):
            self.state.set_current(int(sel[0]))
        self._restyle_selection()
        self._update_actions()

    def _on_records_changed(self, ids: list) -> None:
        deleted = self.document.session.state.deleted if self.document.session is not None else set()
        if deleted and not self.state.show_deleted and len(self.state.selection):
            # deleted records drop out of the selection; nothing else ever comes in
            self.state.select([i for i in self.state.selection.tolist() if i not in deleted])
        if self.document.filter_mask is not None:
            self._update_filter_mask()  # flags, tags and tokens of the changed records may have moved them
        self.model.refresh(ids)
        self.restyle()
        if self.document.analysis is not None:
            self.refresh_counts()
            self.duplicates.regroup()
        if self.state.current in ids or not ids:
            self.editor.show_record(self.state.current)
        self._update_actions()

    def refresh_counts(self) -> None:
        """Every count shown (clusters, kinds and gaps, quality) from the records as they are now."""
        for panel in (self.clusters, self.coverage, self.quality):
            panel.refresh(self.document)
        live = self.document.live
        if live is not None:
            self.filter_bar.set_count(live.count(self.document.filter_mask), live.count())

    # -- filtering --------------------------------------------------------------------------------
    def _update_filter_mask(self) -> None:
        index, flt = self.document.facet_index(), self.filter_bar.filter
        self.document.filter_mask = None if index is None or flt.is_empty() else index.mask(flt)

    def apply_filter(self, flt) -> None:
        """Show only the records inside the filter on the map, in the table and in every count; selected records
        outside it leave the selection (so no action reaches a record the user cannot see)."""
        if self.filter_bar.filter != flt:
            self.filter_bar.set_filter(flt)  # emits changed, which comes back here
            return
        self._update_filter_mask()
        mask = self.document.filter_mask
        if mask is not None and len(self.state.selection):
            self.state.select(self.state.selection[mask[self.state.selection]])
        self.model.set_rows(self._shown_rows())
        self.restyle()
        self.refresh_counts()
        self.statusBar().showMessage(f"Filter: {flt.describe()}", 5000)

    def _filters_key(self) -> str:
        import hashlib

        path = str(self.document.dataset.path) if self.document.dataset is not None else ""
        return "savedFilters/" + hashlib.sha1(path.encode()).hexdigest()[:16]

    def _saved_filters(self) -> dict:
        import json

        from explorer.core.analysis.facets import Filter

        try:
            raw = json.loads(self.settings.value(self._filters_key(), "{}") or "{}")
            return {name: Filter.from_json(data) for name, data in raw.items()}
        except (ValueError, TypeError, AttributeError):
            return {}

    def save_filter(self, name: str) -> None:
        import json

        saved = dict(self._saved_filters(), **{name: self.filter_bar.filter})
        self.settings.setValue(self._filters_key(), json.dumps({k: f.to_json() for k, f in saved.items()}))
        self.filter_bar.saved = saved

    def save_filter_dialog(self) -> None:
        name, ok = QInputDialog.getText(self, "Save filter", "Name for this filter:",
                                        text=self.filter_bar.filter.describe()[:40])
        if ok and name.strip():
            self.save_filter(name.strip())

    # -- actions ----------------------------------------------------------------------------------
    def _target_ids(self) -> tuple[int, ...]:
        if len(self.state.selection):
            return tuple(int(i) for i in self.state.selection)
        return (self.state.current,) if self.state.current is not None else ()

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

    def select_current_cluster(self) -> None:
        a, rid = self.document.analysis, self.state.current
        if a is not None and rid is not None:
            self.state.select(np.flatnonzero(a.clusters == a.clusters[rid]))

    def preferences_dialog(self) -> None:
        self.preferences = PreferencesDialog(self.document.params, self)
        self.preferences.accepted.connect(lambda: self.apply_preferences(self.preferences.params()))
        self.preferences.open()

    def apply_preferences(self, params) -> None:
        """Save the analysis parameters and re-run what depends on the ones that changed."""
        save_params(self.settings, params)
        self.document.params = params
        self.document.analyze(params)

    def recompute(self) -> None:
        if self.document.pipeline is not None:
            self.document.pipeline.invalidate()
            self.document.analyze()

    def run_search(self) -> None:
        """Substring or regular-expression search over instructions and responses; the hits become the selection."""
        text = self.search.text().strip()
        a = self.document.analysis
        if not text or a is None:
            return
        try:
            pattern = re.compile(text, re.I)
        except re.error:
            pattern = re.compile(re.escape(text), re.I)
        hits = [i for i in range(len(self.document))
                if pattern.search(self.document.text(i, "instruction")) or pattern.search(
                    self.document.text(i, "response"))]
        self.state.select(hits)
        self.statusBar().showMessage(f"{len(hits):,} records match", 5000)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def semantic_search(self) -> None:
        if not self.search.text().strip():
            self.focus_search()
            self.statusBar().showMessage("Type what you are looking for, then press Ctrl+Enter", 5000)
            return
        self.document.semantic_search(self.search.text())

    def _on_found(self, ids) -> None:
        self.state.select(ids)
        if len(ids):
            self.state.set_current(int(ids[0]))
        self.statusBar().showMessage(f"{len(ids)} nearest records by meaning; the closest is shown", 5000)

    def export_dialog(self, selection_only: bool = False, filtered: bool = False) -> None:
        """Scope, format, caps and a before/after preview; the export runs in the background."""
        doc = self.document
        if doc.session is None:
            return
        selected = [int(i) for i in self.state.selection]
        mask = doc.filter_mask
        analysis = doc.analysis
        self.export_window = ExportDialog(
            doc.dataset, doc.session.state, doc.export_rows(), selected_ids=selected or None,
            filtered_ids=np.flatnonzero(mask).tolist() if mask is not None else None,
            taxonomy_path=doc.params.taxonomy_path,
            cluster_names={c: doc.cluster_name(c) for c in set(analysis.clusters.tolist()) if c >= 0}
            if analysis is not None else None, parent=self)
        self.export_window.choose_scope("selection" if selection_only and selected else
                                        "filtered" if filtered and mask is not None else "all")

        def accepted() -> None:
            o = self.export_window.options()
            if o.selection.ids is not None and mask is not None and o.selection.ids == np.flatnonzero(mask).tolist():
                o.selection.view_filter = self.filter_bar.filter.to_json()
            doc.export(o.out, o.to, o.selection, o.rebalance)

        self.export_window.accepted.connect(accepted)
        self.export_window.open()

    def export_to(self, path: str, selection_only: bool, to: str | None = None, filtered: bool = False) -> None:
        """Export without the dialog: the selection, the filtered view or everything (tests, scripts)."""
        selection = Selection()
        if selection_only:
            selection.ids = [int(i) for i in self.state.selection]
        elif filtered and self.document.filter_mask is not None:
            selection.ids = np.flatnonzero(self.document.filter_mask).tolist()
            selection.view_filter = self.filter_bar.filter.to_json()
        self.document.export(path, to, selection)

    # -- state ------------------------------------------------------------------------------------
    def _update_actions(self) -> None:
        session = self.document.session
        has = session is not None
        self.act_undo.setEnabled(has and bool(session.undo_stack))
        self.act_redo.setEnabled(has and bool(session.redo_stack))
        self.act_undo.setText(session.undo_label if has and session.undo_label else "Undo")
        self.act_redo.setText(session.redo_label if has and session.redo_label else "Redo")
        for action in (self.act_export, self.act_export_sel, self.act_export_filtered, self.act_delete, self.act_tag,
                       self.act_recompute):
            action.setEnabled(has)
        self.history.clear()
        if has:
            self.history.addItems([edit.label for edit, _ in session.undo_stack[-200:]])
            self.history.scrollToBottom()

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.progress_text.setVisible(busy)

    def _on_progress(self, kind: str, done: int, total: int, text: str) -> None:
        self.progress.setMaximum(max(total, 0) if total else 0)
        self.progress.setValue(min(done, total) if total else 0)
        self.progress_text.setText(text)

    def closeEvent(self, event) -> None:
        if not self.leave_record():
            event.ignore()
            return
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("windowState", self.saveState())
        self.document.close()
        self.document.runner.wait(5000)
        super().closeEvent(event)
