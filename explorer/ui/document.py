"""The open dataset as the UI sees it: dataset, session (edits), analysis; all changes go through here."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable

import numpy as np
from PySide6.QtCore import QObject, Signal

from explorer.core import formats, tokens
from explorer.core.analysis.embed_cache import EmbeddingCache
from explorer.core.analysis.embedding import embed, model_id_for
from explorer.core.analysis.facets import FacetIndex, metadata_columns
from explorer.core.analysis.live import LiveAnalysis
from explorer.core.analysis.pipeline import Analysis, AnalysisParams, Pipeline
from explorer.core.analysis.remote import RemotePipeline
from explorer.core.analysis.projection import place
from explorer.core.curation.curated import Rebalance, Selection, curated_export, rows_from_analysis
from explorer.core.analysis.labels import carry_renames
from explorer.core.curation import edits as E
from explorer.core.curation.edits import Edit
from explorer.core.curation.session import Session
from explorer.core.dataset import Dataset, load
from explorer.core.errors import DatasetError
from explorer.core.formats import ColumnMapping
from explorer.core.record import Record
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
    failed = Signal(str, str)
    """(what failed, message) — the window shows it; nothing is lost."""
    exported = Signal(object)
    found = Signal(object)
    """Record ids of a semantic search, nearest first."""

    def __init__(self, runner: JobRunner, embedder_factory: Callable | None = None,
                 params: AnalysisParams = AnalysisParams(), parent: QObject | None = None):
        super().__init__(parent)
        self.runner = runner
        self.embedder_factory = embedder_factory
        self.params = params
        self.dataset: Dataset | None = None
        self.session: Session | None = None
        self.pipeline: Pipeline | None = None
        self.analysis: Analysis | None = None
        self.live: LiveAnalysis | None = None
        """The analysis as the records stand now (deleted left out, edited re-checked): what every count shows."""
        self.columns: dict = {}
        """Categorical metadata columns of the source records (facets.metadata_columns)."""
        self.filter_mask: np.ndarray | None = None
        """Records inside the filter bar's filter (None: no filter); panels count within it."""
        runner.finished.connect(self._on_finished)
        runner.failed.connect(lambda kind, msg: self.failed.emit(kind, msg))

    # -- opening and analysis ---------------------------------------------------------------------
    def open(self, path: str | Path, mapping: ColumnMapping | None = None) -> None:
        self.close()

        def job(progress, cancel):
            dataset = load(path, mapping=mapping, progress=progress, cancel=cancel)
            tokens.encoding()  # load the BPE table here, not on the GUI thread when the editor counts tokens
            columns = metadata_columns(dataset.source_object(i) for i in range(len(dataset)))
            return dataset, columns

        self.runner.submit("load", job)

    def analyze(self, params: AnalysisParams | None = None) -> None:
        if self.pipeline is None:
            return
        self.params = params or self.params
        pipeline, p = self.pipeline, self.params
        self.runner.submit("analysis", lambda progress, cancel: pipeline.run(p, progress, cancel))

    def _on_finished(self, kind: str, result: object) -> None:
        if kind == "load":
            self._loaded(*result)  # type: ignore[misc]
        elif kind == "analysis":
            previous, self.analysis = self.analysis, result  # type: ignore[assignment]
            self.live = LiveAnalysis(result)  # type: ignore[arg-type]
            state = self.session.state
            self.live.update(set(state.deleted) | set(state.objects), state.deleted, self._edited_record)
            self._carry_cluster_names(previous)
            self.analysis_ready.emit()
        elif kind == "place" and self.analysis is not None:
            ids, points = result  # type: ignore[misc]
            self.analysis.xy[ids] = points
            self.positions_changed.emit(list(ids))
        elif kind == "export":
            self.exported.emit(result)
        elif kind == "search":
            self.found.emit(result)

    def _loaded(self, dataset: Dataset, columns: dict) -> None:
        try:
            self.session = Session(dataset)
        except DatasetError as e:
            self.failed.emit("load", str(e))
            return
        self.dataset = dataset
        self.columns = columns
        if self.embedder_factory is not None:  # tests and custom embedders: in this process
            self.pipeline = Pipeline(dataset, self.embedder_factory, EmbeddingCache())
        else:  # the real thing: in a helper process, so the window never waits on torch/numba
            self.pipeline = RemotePipeline(dataset.path, dataset.mapping)
        self.loaded.emit()
        self.analyze()

    def _carry_cluster_names(self, previous: Analysis | None) -> None:
        """After re-clustering, user-given cluster names follow the clusters that clearly persist (one undo step)."""
        names = self.session.state.cluster_names if self.session is not None else {}
        if previous is None or not names or np.array_equal(previous.clusters, self.analysis.clusters):
            return
        old_members = {c: set(np.flatnonzero(previous.clusters == c).tolist()) for c in names}
        carried = carry_renames(old_members, names, self.analysis.clusters)
        edits = [E.RenameCluster(c, None) for c in names if c not in carried]
        edits += [E.RenameCluster(c, name) for c, name in carried.items() if names.get(c) != name]
        if edits:
            self.apply(E.Batch(tuple(edits), "carry cluster names to the new clusters"))

    def close(self) -> None:
        self.runner.cancel()
        if self.session is not None:
            self.session.close()
        if isinstance(self.pipeline, RemotePipeline):
            self.pipeline.close()
        had = self.dataset is not None
        self.dataset = self.session = self.pipeline = self.analysis = self.live = self.filter_mask = None
        self.columns = {}
        if had:
            self.closed.emit()

    # -- reading ----------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.dataset) if self.dataset is not None else 0

    def record(self, rid: int) -> Record:
        """The record as the user sees it: with the session's edits."""
        assert self.dataset is not None and self.session is not None
        obj = self.session.state.objects.get(rid)
        if obj is None:
            return self.dataset.record(rid)
        return formats.to_record(self.dataset.format_of(rid), obj, rid, self.dataset.mapping)

    def text(self, rid: int, field: str) -> str:
        if self.session is not None and rid in self.session.state.objects:
            return getattr(self.record(rid), field)
        if self.analysis is not None:
            return getattr(self.analysis.texts, field)[rid]
        return getattr(self.record(rid), field)

    def is_deleted(self, rid: int) -> bool:
        return self.session is not None and rid in self.session.state.deleted

    def tags(self, rid: int) -> set[str]:
        return self.session.state.tags.get(rid, set()) if self.session else set()

    def cluster_name(self, cluster: int) -> str:
        if self.session is not None and cluster in self.session.state.cluster_names:
            return self.session.state.cluster_names[cluster]
        return self.analysis.cluster_label(cluster) if self.analysis else ""

    # -- changing ---------------------------------------------------------------------------------
    def apply(self, edit: Edit) -> bool:
        """Commit an edit durably; on failure the window is told and nothing changed."""
        if self.session is None:
            return False
        try:
            self.session.apply(edit)
        except DatasetError as e:
            self.failed.emit("edit", str(e))
            return False
        self._changed(edit)
        return True

    def undo(self) -> None:
        if self.session is not None:
            edit = self.session.undo()
            if edit is not None:
                self._changed(edit)

    def redo(self) -> None:
        if self.session is not None:
            edit = self.session.redo()
            if edit is not None:
                self._changed(edit)

    def facet_index(self) -> FacetIndex | None:
        """What the filter bar filters: the live analysis, the tags as they are, the metadata columns."""
        if self.live is None:
            return None
        return FacetIndex(self.live, self.session.state.tags, self.columns)

    def _edited_record(self, rid: int) -> Record | None:
        return self.record(rid) if rid in self.session.state.objects else None

    def _changed(self, edit: Edit) -> None:
        ids = edit.ids()
        if self.live is not None:
            self.live.update(ids, self.session.state.deleted, self._edited_record)
        self.records_changed.emit(ids)
        self.history_changed.emit()
        content = [i for i in ids if self.session is not None and i in self.session.state.objects]
        if content and self.analysis is not None and len(content) <= 1000:
            self._place(content)

    def _place(self, ids: list[int]) -> None:
        """Re-embed edited records and put them on the existing map (no re-layout)."""
        analysis, pipeline = self.analysis, self.pipeline
        texts = [self.record(i).instruction for i in ids]
        params = self.params

        def job(progress, cancel):
            vectors = embed(lambda: pipeline.embedder(params), model_id_for(params.model), texts,
                            pipeline.cache, progress, cancel).vectors
            return np.array(ids), place(vectors, analysis.vectors, analysis.xy)

        self.runner.submit("place", job)

    def semantic_search(self, query: str, k: int = 50) -> None:
        """Find the records whose embedded text is nearest to `query` (in the background)."""
        analysis, pipeline, params = self.analysis, self.pipeline, self.params
        if analysis is None or not query.strip():
            return

        def job(progress, cancel):
            vector = embed(lambda: pipeline.embedder(params), model_id_for(params.model), [query],
                           pipeline.cache, progress, cancel).vectors[0]
            sims = analysis.vectors @ vector
            top = np.argsort(-sims)[:k]
            return top.astype(np.int64)

        self.runner.submit("search", job)

    def set_kind_target(self, kind: str, share: float) -> None:
        """Give a task kind a target share; the taxonomy is saved as the user's own copy and coverage re-run."""
        from explorer.core.analysis.taxonomy import set_target

        path = set_target(self.params.taxonomy_path, kind, share)
        self.params = dataclasses.replace(self.params, taxonomy_path=str(path))
        self.analyze()

    def export_rows(self) -> list[dict] | None:
        """Per-record cluster, kind and current flags for curated export (None before the analysis)."""
        if self.live is None:
            return None
        return rows_from_analysis(self.analysis, self.session.state.deleted, self.live.flags)

    def export(self, out: str, to: str | None, selection: Selection, rebalance: Rebalance = Rebalance()) -> None:
        """Write the curated file and its manifest in the background (`exported` when done)."""
        dataset, state, rows = self.dataset, self.session.state, self.export_rows()
        count = self.session.edit_count()
        self.runner.submit("export", lambda progress, cancel: curated_export(
            dataset, state, out, to, selection, rebalance, rows, count, progress, cancel))
