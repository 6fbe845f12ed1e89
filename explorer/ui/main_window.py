"""The main window: map in the centre, editor, table and summary panels in docks, every long job in the background.

Mostly wiring: the commands live in `window_commands`, their menu rows in `actions`, the state in the workspace.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import QDockWidget, QListWidget, QMainWindow, QMessageBox, QStackedWidget, QToolBar, QWidget

from explorer.core import mappings
from explorer.core.analysis.notices import model_language_notice
from explorer.ui.actions import MENUS, Context, build_actions, update_enabled
from explorer.ui.dialogs.mapping_dialog import MappingDialog
from explorer.ui.dialogs.preferences import load_params, save_params
from explorer.ui.document import Document
from explorer.ui.editor.record_editor import RecordEditor
from explorer.ui.map_page import MapPage
from explorer.ui.map_style import MapStyle, map_style
from explorer.ui.scatter.map_view import Markers
from explorer.ui.colors import ADDED_COLOR, EVAL_COLOR
from explorer.ui.panels.changes_panel import ChangesPanel
from explorer.ui.panels.duplicates_panel import DuplicatesPanel
from explorer.ui.panels.problems_panel import ProblemsPanel
from explorer.ui.panels.summary_panels import ClustersPanel, CoveragePanel, LegendPanel, QualityPanel
from explorer.ui.start_page import StartPage
from explorer.ui.status_area import StatusArea
from explorer.ui.table.record_model import RecordTableModel, record_table
from explorer.ui.view_state import ViewState
from explorer.ui.window_commands import WindowCommands

MAX_RECENT = 10
ICON = Path(__file__).resolve().parents[2] / "resources" / "icons" / "sft-explorer.svg"


class MainWindow(WindowCommands, QMainWindow):
    def __init__(self, document: Document, settings: QSettings | None = None):
        super().__init__()
        self.document = document
        self.settings = settings or QSettings()
        self.state = ViewState(document.workspace, self)
        document.params = load_params(self.settings, document.params)
        self.groups = None
        self.mapping_dialog: MappingDialog | None = None
        self._style: MapStyle | None = None
        self.setWindowTitle("SFT Explorer")
        self.setWindowIcon(QIcon(str(ICON)))
        self.page = MapPage()
        for name in ("map", "color_by", "lasso", "show_deleted", "search", "semantic_button", "filter_bar"):
            setattr(self, name, getattr(self.page, name))
        self.map.hover_text = lambda rid: " ".join(self.document.text(rid, "instruction").split())[:300]
        self.start = StartPage()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.start)
        self.stack.addWidget(self.page)
        self.setCentralWidget(self.stack)
        self._build_docks()
        tools = QToolBar("Main")
        tools.setObjectName("Main toolbar")
        self.addToolBar(tools)
        self.actions = build_actions(self, {title: self.menuBar().addMenu(title) for title in MENUS}, tools)
        self.act_undo, self.act_redo = self.actions["undo"], self.actions["redo"]
        self.status = StatusArea(self.statusBar(), document.runner)
        self.cancel_button, self.selection_label = self.status.cancel_button, self.status.selection_label
        self._connect()
        self.restoreGeometry(self.settings.value("geometry", b""))
        if not self.restoreState(self.settings.value("windowState", b"")):
            self._default_layout()
        self.start.show_recent(self.recent_files())
        self._update_actions()

    # -- building ---------------------------------------------------------------------------------
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
        self.table = record_table(self.model)
        self.clusters, self.coverage, self.quality = ClustersPanel(), CoveragePanel(), QualityPanel()
        self.problems, self.duplicates, self.legend = ProblemsPanel(), DuplicatesPanel(), LegendPanel()
        self.changes = ChangesPanel()
        self.history = QListWidget()
        record = self._dock("Record", self.editor, Qt.RightDockWidgetArea)
        self._dock("Table", self.table, Qt.BottomDockWidgetArea)
        left = [self._dock(t, w, Qt.LeftDockWidgetArea) for t, w in
                (("Clusters", self.clusters), ("Task kinds", self.coverage), ("Quality", self.quality),
                 ("Near-duplicates", self.duplicates), ("Problems", self.problems), ("Changes", self.changes))]
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

    def _connect(self) -> None:
        doc, st, ws = self.document, self.state, self.document.workspace
        doc.loaded.connect(self._on_loaded)
        doc.closed.connect(self._on_closed)
        doc.analysis_ready.connect(self._on_analysis)
        doc.records_changed.connect(self._on_records_changed)
        doc.history_changed.connect(self._update_actions)
        doc.positions_changed.connect(lambda ids: self.map.set_points(doc.analysis.xy, reset_view=False))
        doc.failed.connect(self._on_failed)
        doc.exported.connect(lambda r: self.statusBar().showMessage(_export_message(r), 12000))
        doc.found.connect(self._on_found)
        doc.matched.connect(self._on_matched)
        doc.comparison_changed.connect(self._on_comparison)
        self.changes.select_ids.connect(st.select)
        self.changes.compare_requested.connect(self.compare_dialog)
        self.changes.close_requested.connect(self.close_comparison)
        self.changes.color_requested.connect(self.color_by_change)
        self.map.selected.connect(st.select)
        self.map.clicked.connect(lambda rid: st.set_current(rid) if rid >= 0 else None)
        st.selection_changed.connect(self._on_selection)
        st.current_changed.connect(lambda rid: self.editor.show_record(rid if rid >= 0 else None))
        st.current_changed.connect(self._update_actions)
        st.coloring_changed.connect(self.restyle)
        ws.can_leave_current = self.editor.confirm_leave
        self.table.clicked.connect(lambda index: st.set_current(self.model.data(index, Qt.UserRole)))
        self.table.selectionModel().selectionChanged.connect(self._on_rows_highlighted)
        self.editor.submitted.connect(doc.apply)
        for panel in (self.clusters, self.coverage, self.quality, self.duplicates):
            panel.bind(doc)  # each panel refreshes on the events it needs
        self.coverage.message.connect(lambda text: self.statusBar().showMessage(text, 10000))
        for panel in (self.clusters, self.coverage, self.quality, self.problems, self.duplicates):
            panel.select_ids.connect(self._select_from_panel)
        self.legend.toggled.connect(st.toggle_group)
        self.color_by.currentTextChanged.connect(st.set_color_by)
        self.show_deleted.toggled.connect(st.set_show_deleted)
        self.lasso.toggled.connect(lambda on: setattr(self.map, "lasso_mode", on))
        self.search.returnPressed.connect(self.run_search)
        by_meaning = QShortcut(QKeySequence("Ctrl+Return"), self.search, activated=self.semantic_search)
        by_meaning.setContext(Qt.WidgetShortcut)  # the editor's Ctrl+Return (Apply) owns the key elsewhere
        self.semantic_button.clicked.connect(self.semantic_search)
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
        self.document.open(path, mapping or mappings.remembered(path))
        self.stack.setCurrentIndex(1)
        self.setWindowTitle(f"{Path(path).name} — SFT Explorer")
        self._remember(str(path))

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

    def recent_files(self) -> list[str]:
        value = self.settings.value("recentFiles", [])
        files = [value] if isinstance(value, str) else list(value or [])
        return [f for f in files if Path(f).exists()][:MAX_RECENT]

    def _remember(self, path: str) -> None:
        files = [path] + [f for f in self.recent_files() if f != path]
        self.settings.setValue("recentFiles", files[:MAX_RECENT])

    # -- what the workspace tells ---------------------------------------------------------------------
    def _on_loaded(self) -> None:
        doc = self.document
        if doc.workspace.needs_mapping():
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
        self.editor.show_record(None)
        self.filter_bar.set_index(None)
        self.filter_bar.forget()
        self.map.set_points(np.zeros((0, 2), dtype=np.float32))
        self.map.set_style(np.zeros(0, np.uint32), np.zeros(0, bool), np.zeros(0, bool), [])
        self.map.set_markers([])
        self.changes.refresh(None)
        self._update_actions()

    def _on_analysis(self) -> None:
        doc = self.document
        save_params(self.settings, doc.params)  # what this analysis used is what the next one uses
        self.map.set_points(doc.analysis.xy)
        self.filter_bar.value_text = lambda facet, v: (("noise" if v < 0 else f"{v}: {doc.cluster_name(v)}")
                                                       if facet == "cluster" else str(v))
        self.filter_bar.set_index(doc.facet_index())
        self.filter_bar.saved = self._saved_filters()
        self.page.set_columns(sorted(doc.columns))
        self.restyle()
        self.refresh_counts()
        self.model.refresh()
        self.editor.show_record(self.state.current)
        self._update_markers()
        self.changes.refresh(doc.workspace)
        self._update_actions()
        e = doc.analysis.embedding
        prompts = " · prompts only, no responses" if doc.analysis.facts.get("prompt_only_share") == 1 else ""
        notice = model_language_notice(doc.analysis.facts, doc.analysis.params.model, doc.analysis.params.kind_model,
                                       e.get("vectors_folder"))
        missing = doc.workspace.missing_eval_paths
        if e.get("note") and not notice:
            notice = f"Vectors from {e['vectors_folder']}: {e['note']}"
        if doc.workspace.vectors_problem and not notice:
            notice = f"Vectors folder beside the file not used: {doc.workspace.vectors_problem}"
        if missing and not notice:
            notice = f"Eval sets not found, skipped: {', '.join(missing)} (Preferences → Eval sets)"
        source = f"vectors from {e['vectors_folder']}" if e.get("vectors_folder") else \
            f"embeddings on {e['device']} ({e['computed']:,} new, {e['cached']:,} cached)"
        self.statusBar().showMessage(notice or f"Analysis done: {doc.workspace.balance().clusters} clusters; "
                                     f"{source}{prompts}", 30_000 if notice else 8000)

    def _on_comparison(self) -> None:
        ws = self.document.workspace
        self.changes.refresh(ws)
        self.restyle()
        self._update_markers()
        self.editor.show_record(self.state.current)
        self._update_actions()
        if ws.comparison is not None:
            c = ws.comparison.counts()
            self.docks["Changes"].raise_()
            self.statusBar().showMessage(f"Compared with {Path(ws.comparison.b.path).name}: unchanged "
                                         f"{c['unchanged']:,} · edited {c['edited']:,} · removed {c['removed']:,} · "
                                         f"added {c['added']:,}", 15000)

    def _update_markers(self) -> None:
        """Eval items (×) and the compared version's added records (+) on top of the map."""
        ws = self.document.workspace
        markers = []
        items = ws.analysis.eval_items if ws.analysis is not None else None
        if items is not None:
            markers.append(Markers("Eval item", items.xy, EVAL_COLOR, "x",
                                   lambda i: f"{items.names[items.set_of[i]]}: {' '.join(items.texts[i].split())}"))
        diff = ws.comparison
        if diff is not None and diff.b_xy is not None:
            added = diff.matching.ids("added", "b")
            markers.append(Markers(f"Added in {Path(diff.b.path).name}", diff.b_xy[added], ADDED_COLOR, "+",
                                   lambda i: " ".join(diff.b.record(int(added[i])).instruction.split())))
        self.map.set_markers(markers)

    def _on_failed(self, kind: str, message: str) -> None:
        box = QMessageBox(QMessageBox.Warning, "SFT Explorer", "", QMessageBox.Close, self)
        box.setTextFormat(Qt.PlainText)
        box.setText(f"{kind} failed:\n{message}")
        box.open()  # window-modal and non-blocking: tests and the event loop carry on

    def _on_records_changed(self, ids: list) -> None:
        self.model.refresh(ids)
        self.restyle()
        self.refresh_counts()
        if self.state.current in ids or not ids:
            self.editor.show_record(self.state.current)
        self._update_actions()

    def _on_selection(self) -> None:
        sel = self.state.selection
        self.model.set_rows(self.document.workspace.shown_ids())
        self._show_selection_count()
        if len(sel) and self.state.current not in set(sel[:1000].tolist()):
            self.state.set_current(int(sel[0]))
        self._restyle_selection()
        self._update_actions()

    def _show_selection_count(self) -> None:
        sel, rows = self.state.selection, self._highlighted_ids()
        text = f"{len(sel):,} selected" if len(sel) else ""
        if rows:
            text += f"{' · ' if text else ''}{len(rows):,} rows highlighted: actions apply to them"
        self.selection_label.setText(text)

    def _on_rows_highlighted(self, *_) -> None:
        self._show_selection_count()
        self._update_actions()

    def _on_found(self, ids) -> None:
        self.state.select(ids)
        shown = set(self.state.selection.tolist())
        closest = next((int(i) for i in ids if int(i) in shown), None)
        if closest is not None:
            self.state.set_current(closest)
        self.statusBar().showMessage(f"{len(ids)} nearest records by meaning{self._hidden_note(len(ids))}" +
                                     ("; the closest shown is open" if closest is not None else ""), 8000)

    def _on_matched(self, ids) -> None:
        self.state.select(ids)
        self.statusBar().showMessage(f"{len(ids):,} records match{self._hidden_note(len(ids))}", 8000)

    def _select_from_panel(self, ids) -> None:
        """A panel's row or count picked these records: select those shown, and say how many were left out."""
        self.state.select(ids)
        note = self._hidden_note(len(ids))
        if note:
            self.statusBar().showMessage(f"{len(self.state.selection):,} records selected{note}", 8000)

    def _hidden_note(self, found: int) -> str:
        """Search results the map hides (filter, legend, deleted) are not selected: say how many."""
        hidden = found - len(self.state.selection)
        return f", {hidden:,} of them hidden by the filter, the legend or deletion and not selected" if hidden else ""

    # -- drawing and counting ---------------------------------------------------------------------------
    def restyle(self) -> None:
        """Recompute colours, visibility and labels (colour mode, legend, deletions, filter or names changed)."""
        index = self.color_by.findText(self.state.color_by)
        if index >= 0 and index != self.color_by.currentIndex():  # the mode was set by code, not by the combo
            self.color_by.blockSignals(True)
            self.color_by.setCurrentIndex(index)
            self.color_by.blockSignals(False)
        if self.document.analysis is None:
            return
        style = map_style(self.document, self.state)
        unchanged = style.same_picture(self._style)
        self._style, self.groups = style, style.groups
        self.state.set_legend_hidden(style.legend_hidden)  # hidden records leave the selection
        self.refresh_counts()
        self._update_actions()  # 'Export filtered view' follows the legend too
        if not unchanged:  # an edit that changes no colour, visibility or label leaves the map image alone
            self._restyle_selection()
        self.legend.show_groups(style.groups, self.state.hidden_groups)

    def _restyle_selection(self) -> None:
        """Only the selection changed: reuse colours, visibility and labels."""
        if self.document.analysis is None or self._style is None:
            return
        selected = np.zeros(len(self.document), dtype=bool)
        selected[self.state.selection] = True
        self.map.set_style(self._style.colors, self._style.visible, selected, self._style.labels)

    def refresh_counts(self) -> None:
        """The filter bar's count (the panels follow the document themselves: `bind`)."""
        live = self.document.live
        if live is not None:
            self.filter_bar.set_count(live.count(self.state.view_mask()), live.count())

    # -- state ------------------------------------------------------------------------------------
    def _update_actions(self) -> None:
        ws = self.document.workspace
        session = ws.session
        has = session is not None
        update_enabled(self.actions, Context(
            dataset_open=has, analysed=ws.analysis is not None,
            has_targets=has and self._has_targets(),
            can_undo=has and bool(session.undo_stack), can_redo=has and bool(session.redo_stack),
            filtered=self.state.view_mask() is not None, comparing=ws.comparison is not None,
            vectors_folder=ws.vectors_folder is not None))
        self.act_undo.setText(session.undo_label if has and session.undo_label else "Undo")
        self.act_redo.setText(session.redo_label if has and session.redo_label else "Redo")
        self.history.clear()
        if has:
            self.history.addItems([edit.label for edit, _ in session.undo_stack[-200:]])
            self.history.scrollToBottom()

    def closeEvent(self, event) -> None:
        if not self.leave_record():
            event.ignore()
            return
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("windowState", self.saveState())
        self.document.close()
        self.document.runner.wait(5000)
        super().closeEvent(event)


def _export_message(result) -> str:
    text = f"Wrote {result.written:,} records to {result.out}"
    if result.unreadable_kept:
        text += f"; {result.unreadable_kept:,} unreadable source lines kept as they were"
    if result.unreadable_dropped:
        text += f"; {result.unreadable_dropped:,} unreadable source lines left out"
    if result.skipped:
        text += f"; {len(result.skipped):,} records the target format cannot express were not written"
    return text
