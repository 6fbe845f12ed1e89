"""The Qt face of the `Workspace`: its jobs run on the `JobRunner`, its events become signals."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, Signal

from explorer.app.workspace import Workspace
from explorer.core.analysis.embed_cache import EmbeddingCache
from explorer.core.analysis.pipeline import AnalysisParams, Pipeline
from explorer.core.analysis.remote import RemotePipeline
from explorer.core.curation.curated import Rebalance, Selection
from explorer.core.curation.edits import Edit
from explorer.core.errors import DatasetError
from explorer.core.formats import ColumnMapping
from explorer.workers.jobs import JobRunner


class Document(QObject):
    loaded = Signal()
    closed = Signal()
    analysis_ready = Signal()
    records_changed = Signal(list)
    """Ids whose content, tags or deletion changed (after an edit, undo or redo)."""
    history_changed = Signal()
    positions_changed = Signal(list)
    """Edited records were placed again on the map (their counts were already updated)."""
    filter_changed = Signal()
    """The filter bar's filter changed (the panels count within it)."""
    failed = Signal(str, str)
    """(what failed, message) — the window shows it; nothing is lost."""
    exported = Signal(object)
    found = Signal(object)
    """Record ids of a search by meaning, nearest first."""
    matched = Signal(object)
    """Record ids whose text matches a text search, in id order."""
    comparison_changed = Signal()
    """A comparison with another version arrived or was closed."""
    duplicates_grouped = Signal()
    """Near-duplicate groups at a new threshold are ready (`group_duplicates`)."""

    def __init__(self, runner: JobRunner, embedder_factory: Callable | None = None,
                 params: AnalysisParams = AnalysisParams(), parent: QObject | None = None):
        super().__init__(parent)
        self.runner = runner
        if embedder_factory is not None:  # tests and custom embedders: in this process
            factory = lambda dataset: Pipeline(dataset, embedder_factory, EmbeddingCache())  # noqa: E731
        else:  # the real thing: in a helper process, so the window never waits on torch/numba
            factory = lambda dataset: RemotePipeline(dataset.path, dataset.mapping)  # noqa: E731
        self.workspace = ws = Workspace(factory, params)
        ws.opened.connect(self.loaded.emit)
        ws.closed.connect(self.closed.emit)
        ws.analysis_changed.connect(self.analysis_ready.emit)
        ws.records_changed.connect(self._records_changed)
        ws.history_changed.connect(self.history_changed.emit)
        ws.positions_changed.connect(self.positions_changed.emit)
        ws.filter_changed.connect(self.filter_changed.emit)
        ws.comparison_changed.connect(self.comparison_changed.emit)
        ws.kinds_taught.connect(lambda: self.analyze())  # cached stages are reused: only the kinds stage re-runs
        self._done: dict[str, Callable[[object], None]] = {}
        runner.finished.connect(lambda kind, result: self._done.pop(kind, lambda r: None)(result))
        runner.failed.connect(lambda kind, msg: self.failed.emit(kind, msg))

    def _submit(self, kind: str, job, done: Callable[[object], None]) -> None:
        """Run a workspace job in the background; `done(result)` runs on the GUI thread if it is still current."""
        if job is not None:
            self._done[kind] = done
            self.runner.submit(kind, job)

    # -- what the widgets read (the workspace's state) ---------------------------------------------------
    def __getattr__(self, name: str):
        if name in ("dataset", "session", "pipeline", "analysis", "live", "columns", "filter_mask", "params",
                    "record", "text", "is_deleted", "tags", "cluster_name", "facet_index", "export_rows",
                    "grouped_duplicates"):
            return getattr(self.__dict__["workspace"], name)
        raise AttributeError(name)

    @property
    def params(self) -> AnalysisParams:
        return self.workspace.params

    @params.setter
    def params(self, value: AnalysisParams) -> None:
        self.workspace.params = value

    def __len__(self) -> int:
        return len(self.workspace)

    # -- opening and analysis -----------------------------------------------------------------------------
    def open(self, path, mapping: ColumnMapping | None = None) -> None:
        self.close()
        self._submit("load", self.workspace.load_job(path, mapping), self._loaded)

    def _loaded(self, loaded) -> None:
        try:
            self.workspace.load_done(loaded)
        except DatasetError as e:
            self.failed.emit("load", str(e))
            return
        self.analyze()

    def analyze(self, params: AnalysisParams | None = None) -> None:
        self._submit("analysis", self.workspace.analysis_job(params), self.workspace.analysis_done)

    def close(self) -> None:
        self.runner.cancel()
        self._done.clear()
        self.workspace.close()

    # -- changing ------------------------------------------------------------------------------------------
    def apply(self, edit: Edit) -> bool:
        """Commit an edit durably; on failure the window is told and nothing changed."""
        if self.workspace.session is None:
            return False
        try:
            self.workspace.apply(edit)
        except DatasetError as e:
            self.failed.emit("edit", str(e))
            return False
        return True

    def undo(self) -> None:
        self.workspace.undo()

    def redo(self) -> None:
        self.workspace.redo()

    def _records_changed(self, ids: list[int]) -> None:
        self.records_changed.emit(ids)
        edited = self.workspace.edited_ids(ids)
        if len(edited) <= 1000:
            self._submit("place", self.workspace.place_job(edited), self.workspace.place_done)

    def group_duplicates(self, threshold: float) -> None:
        """Group near-duplicates at `threshold` in the background; `duplicates_grouped` says when."""
        self._submit("duplicates", self.workspace.duplicates_job(threshold),
                     lambda result: self.workspace.duplicates_done(result) and self.duplicates_grouped.emit())

    def set_kind_target(self, kind: str, share: float) -> None:
        self.workspace.set_kind_target(kind, share)
        self.analyze()

    # -- comparing ------------------------------------------------------------------------------------------
    def compare(self, path: str) -> None:
        """Compare the open dataset with another version of it in the background (`comparison_changed`)."""
        self._submit("compare", self.workspace.compare_job(path), self.workspace.compare_done)

    def use_vectors_folder(self, folder: str | None) -> bool:
        """Analyse with the vectors in `folder` (None: embed again); the analysis re-runs."""
        try:
            self.workspace.use_vectors_folder(folder)
        except DatasetError as e:
            self.failed.emit("vectors", str(e))
            return False
        self.analyze()
        return True

    def set_eval_sets(self, paths: list[str]) -> None:
        """Look for these eval sets' items in the records; the analysis re-runs (only the eval stages)."""
        try:
            self.workspace.set_eval_sets(paths)
        except DatasetError as e:
            self.failed.emit("eval sets", str(e))
            return
        self.analyze()

    # -- search and export ---------------------------------------------------------------------------------
    def search(self, text: str) -> None:
        """Substring or regular-expression search, off the GUI thread; `matched` carries the ids."""
        if text.strip() and self.workspace.dataset is not None:
            self._submit("search", self.workspace.search_job(text), self.matched.emit)

    def semantic_search(self, query: str, k: int = 50) -> None:
        """The records nearest in meaning to `query`, in the background; `found` carries the ids."""
        self._submit("search", self.workspace.semantic_search_job(query, k), self.found.emit)

    def export(self, out: str, to: str | None, selection: Selection, rebalance: Rebalance = Rebalance()) -> None:
        """Write the curated file and its manifest in the background (`exported` when done)."""
        self._submit("export", self.workspace.export_job(out, to, selection, rebalance), self.exported.emit)
