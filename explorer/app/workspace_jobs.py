"""The workspace's long work, handed out as jobs — `job(progress, cancel)` — to run off the GUI thread (or inline
in the CLI and tests): search, placing edited records on the map, curated export."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from explorer.core.curation.curated import Rebalance, Selection, curated_export, rows_from_analysis
from explorer.core.search import FIELDS, search_texts

Job = Callable[[Callable, Callable], object]
"""`job(progress, cancel) -> result`, run off the GUI thread."""


class WorkspaceJobs:
    """Mixed into `Workspace` (which provides the dataset, session, analysis and pipeline these read)."""

    def search_job(self, text: str, fields: tuple[str, ...] = FIELDS) -> Job:
        """Substring or regular-expression search over the records as edited (ids, in order)."""
        n, text_of = len(self), self.text
        return lambda progress, cancel: search_texts(text, n, text_of, progress, cancel, fields)

    def semantic_search_job(self, query: str, k: int = 50) -> Job | None:
        """The `k` records whose embedded text is nearest to `query`, nearest first."""
        analysis, pipeline, params = self.analysis, self.pipeline, self.params
        if analysis is None or not query.strip():
            return None

        def job(progress, cancel):
            vector = pipeline.embed_texts([query], params, progress, cancel)[0]
            return np.argsort(-(analysis.vectors @ vector))[:k].astype(np.int64)
        return job

    def place_job(self, ids: list[int]) -> Job | None:
        """Re-embed edited records and put them on the existing map (no re-layout)."""
        if self.analysis is None or not ids:
            return None
        from explorer.core.analysis.projection import place

        analysis, pipeline, params = self.analysis, self.pipeline, self.params
        texts = [self.record(i).instruction for i in ids]

        def job(progress, cancel):
            vectors = pipeline.embed_texts(texts, params, progress, cancel)
            return np.array(ids), place(vectors, analysis.vectors, analysis.xy)
        return job

    def place_done(self, result) -> None:
        ids, points = result
        if self.analysis is None:
            return
        self.analysis.xy[ids] = points
        self.pipeline.set_positions(ids, points)  # the next run keeps them, in-process or in the helper
        self.positions_changed.emit(list(ids))

    def export_rows(self) -> list[dict] | None:
        """Per-record cluster, kind and current flags for curated export (None before the analysis)."""
        if self.live is None:
            return None
        return rows_from_analysis(self.analysis, self.session.state.deleted, self.live.flags, self.live.kinds())

    def export_job(self, out: str, to: str | None, selection: Selection, rebalance: Rebalance = Rebalance(),
                   overwrite_source: bool = False) -> Job:
        dataset, state, rows, count = self.dataset, self.session.state, self.export_rows(), self.session.edit_count()
        return lambda progress, cancel: curated_export(dataset, state, out, to, selection, rebalance, rows, count,
                                                       progress, cancel, overwrite_source=overwrite_source)

