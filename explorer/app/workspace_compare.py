"""Comparing the open dataset (A) with another version (B), and the eval sets looked for in it — the workspace's
part of issue 12. Qt-free: the app draws what these give; the CLI's `diff` and `analyze --eval` call the same core.

The comparison is of the files on disk: A is the open dataset as its source file holds it (the session's own edits
are not part of A), B the file picked. B's records are placed on A's map; A's map never moves. A new analysis of A
closes the comparison (its placements and shifts were of the old map).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from explorer.app.workspace_jobs import Job
from explorer.core import mappings
from explorer.core.compare.diff import MapOfA, VersionDiff, compare_datasets, pairs_for
from explorer.core.compare.versions import STATUSES
from explorer.core.dataset import load
from explorer.core.errors import DatasetError


class WorkspaceCompare:
    """Mixed into `Workspace` (which provides dataset, analysis, live, pipeline, params, selection)."""

    comparison: VersionDiff | None = None

    def compare_job(self, path: str | Path) -> Job | None:
        """Load B, pair its records with A's, place them on A's map and predict the kinds of the new ones."""
        if self.analysis is None or self.dataset is None:
            return None
        a, analysis, pipeline = self.dataset, self.analysis, self.pipeline
        params = analysis.params  # B is embedded and classified as A's map was made
        map_of_a = MapOfA(analysis.vectors, analysis.xy.copy(), analysis.clusters, self.live.kinds(),
                          {c: self.cluster_name(c) for c in np.unique(analysis.clusters).tolist() if c >= 0},
                          params.embed_field)

        def job(progress, cancel) -> VersionDiff:
            b = load(path, mapping=mappings.remembered(path) or a.mapping, progress=progress, cancel=cancel)
            if len(b) == 0:
                raise DatasetError("no records to compare with", str(path))
            return compare_datasets(
                a, b, lambda texts: pipeline.embed_texts(texts, params, progress, cancel), map_of_a,
                lambda texts, turns: pipeline.predict_kinds(texts, params, progress, cancel, turns),
                pairs=pairs_for(a, b),
                progress=progress, cancel=cancel)
        return job

    def compare_done(self, diff: VersionDiff) -> None:
        if diff.a is not self.dataset:  # another dataset was opened meanwhile
            return
        self.comparison = diff
        self.comparison_changed.emit()

    def close_comparison(self) -> None:
        if self.comparison is not None:
            self.comparison = None
            self.comparison_changed.emit()

    def change_status(self) -> np.ndarray | None:
        """Per A record, its index in STATUSES (unchanged, edited, removed); None without a comparison."""
        return None if self.comparison is None else self.comparison.matching.a_status

    def changed_ids(self, status: str | None = None, kind: str | None = None, cluster: int | None = None
                    ) -> np.ndarray:
        """A's records that B changed (edited or removed; or exactly `status`), within a task kind or a cluster."""
        codes = self.change_status()
        if codes is None:
            return np.zeros(0, np.int64)
        mask = codes == STATUSES.index(status) if status else codes != STATUSES.index("unchanged")
        if kind is not None:
            mask &= np.array([k == kind for k in self.live.kinds()], dtype=bool)
        if cluster is not None:
            mask &= self.analysis.clusters == cluster
        return np.flatnonzero(mask)

    def other_version(self, rid: int) -> tuple[str, list]:
        """What B did to A's record `rid`: its status and, when edited, the fields that differ (FieldDiffs)."""
        if self.comparison is None:
            return "", []
        status = STATUSES[int(self.comparison.matching.a_status[rid])]
        return status, self.comparison.fields(rid) if status == "edited" else []

    # -- eval sets -------------------------------------------------------------------------------------
    def set_eval_sets(self, paths: list[str]) -> None:
        """Look for these eval files' items in the records from the next analysis run on (saved for next time)."""
        from explorer.core.settings import save_eval_sets

        from explorer.core.analysis.eval_overlap import load_eval_sets

        missing = [p for p in paths if not Path(p).exists()]
        if missing:
            raise DatasetError(f"eval set not found: {', '.join(missing)}")
        load_eval_sets(paths)  # a file with no items is refused now, not after a whole analysis
        save_eval_sets(paths)
        self.eval_paths = list(paths)
        if self.pipeline is not None:
            self.pipeline.set_eval_sets(self.eval_paths)
