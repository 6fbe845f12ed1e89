"""A cell index (inverted file): the base set is split into cells by spherical k-means, and a query is compared
exactly with the base records of its few nearest cells.

Used to place a million records on a map fitted on a sample. An NN-descent index placed about one record in ten
with the wrong topic on data of well-separated topics (its search graph has no path between topics, so a query that
starts in the wrong one stays there); a cell index finds the right cells from the centroids first, and costs one
matrix product per cell.
"""

from __future__ import annotations

import numpy as np

from explorer.core.analysis.nearest import exact

PROBES = 6
"""Cells each query is compared with."""
QUERY_BATCH = 20_000
"""Queries compared at once (bounds the query-to-centroid matrix)."""
KMEANS_ROUNDS = 8
KMEANS_SAMPLE = 50_000
"""Base records the centroids are fitted on (every base record is then assigned)."""


def cell_count(n_base: int) -> int:
    """About 2·√n cells: a few hundred base records each, so a query meets ~PROBES·√n/2 candidates."""
    return max(1, int(round(2 * np.sqrt(n_base))))


class CellIndex:
    """Exact cosine search within the PROBES cells nearest to each query (unit vectors)."""

    def __init__(self, base: np.ndarray, seed: int | None = 0):
        base = np.asarray(base, dtype=np.float32)
        self.centroids = _spherical_kmeans(base, cell_count(len(base)), seed)
        cells = self.assign(base)
        self.order = np.argsort(cells, kind="stable")
        """Base ids in cell order: `sorted_base[i]` is `base[order[i]]`."""
        self.bounds = np.searchsorted(cells[self.order], np.arange(len(self.centroids) + 1))
        self.sorted_base = base[self.order]  # the one copy kept: each cell's records side by side

    def assign(self, rows: np.ndarray) -> np.ndarray:
        """Each row's nearest centroid."""
        return np.asarray(rows @ self.centroids.T).argmax(axis=1)

    def query(self, rows: np.ndarray, k: int, probes: int = PROBES) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(indices into base, cosine similarities), both (len(rows), k) best first, and each row's nearest cell."""
        rows = np.asarray(rows, dtype=np.float32)
        k = max(1, min(k, len(self.order)))
        probes = min(probes, len(self.centroids))
        parts = [self._query(rows[start:start + QUERY_BATCH], k, probes) for start in range(0, len(rows), QUERY_BATCH)]
        if not parts:
            return np.zeros((0, k), np.int64), np.zeros((0, k), np.float32), np.zeros(0, np.int64)
        return tuple(np.concatenate(column) for column in zip(*parts))

    def _query(self, rows: np.ndarray, k: int, probes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        to_centroids = rows @ self.centroids.T
        probe = np.argpartition(-to_centroids, probes - 1, axis=1)[:, :probes]
        first = to_centroids.argmax(axis=1)
        cand_idx = np.full((len(rows), probes * k), -1, np.int64)
        cand_sim = np.full((len(rows), probes * k), -np.inf, np.float32)
        who, slot = np.divmod(np.arange(probe.size), probes)
        by_cell = np.argsort(probe.ravel(), kind="stable")
        cell_of = probe.ravel()[by_cell]
        splits = np.searchsorted(cell_of, np.arange(len(self.centroids) + 1))
        for c in np.flatnonzero(np.diff(splits)):
            lo, hi = self.bounds[c], self.bounds[c + 1]
            if lo == hi:
                continue
            pick = by_cell[splits[c]:splits[c + 1]]
            q, s = who[pick], slot[pick]
            sims = rows[q] @ self.sorted_base[lo:hi].T
            kk = min(k, hi - lo)
            if kk < hi - lo:
                top = np.argpartition(-sims, kk - 1, axis=1)[:, :kk]
            else:
                top = np.tile(np.arange(kk), (len(q), 1))
            cols = s[:, None] * k + np.arange(kk)
            cand_idx[q[:, None], cols] = self.order[lo + top]
            cand_sim[q[:, None], cols] = np.take_along_axis(sims, top, axis=1)
        best = np.argsort(-cand_sim, axis=1)[:, :k]
        idx, sim = np.take_along_axis(cand_idx, best, axis=1), np.take_along_axis(cand_sim, best, axis=1)
        short = np.flatnonzero((idx < 0).any(axis=1))  # fewer than k base records in the probed cells
        if len(short):
            found, sim[short] = exact(rows[short], self.sorted_base, k)
            idx[short] = self.order[found]
        return idx, sim, first


def _spherical_kmeans(base: np.ndarray, cells: int, seed: int | None) -> np.ndarray:
    """(cells, d) unit centroids: k-means by cosine on a sample, started from random base records."""
    from scipy import sparse

    rng = np.random.default_rng(seed or 0)
    sample = base[rng.choice(len(base), KMEANS_SAMPLE, replace=False)] if len(base) > KMEANS_SAMPLE else base
    cells = min(cells, len(sample))
    centroids = sample[rng.choice(len(sample), cells, replace=False)].copy()
    for _ in range(KMEANS_ROUNDS):
        labels = (sample @ centroids.T).argmax(axis=1)
        members = sparse.csr_matrix((np.ones(len(sample), np.float32), (labels, np.arange(len(sample)))),
                                    shape=(cells, len(sample)))
        sums = np.asarray(members @ sample)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        empty = norms[:, 0] == 0  # a cell that lost every record keeps its old centroid
        centroids[~empty] = sums[~empty] / norms[~empty]
    return centroids
