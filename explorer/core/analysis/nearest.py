"""Nearest neighbours of one set of unit vectors among another (placing records, matching versions, eval overlap).

Exact (chunked matrix products) while the query × base product is small; a cell index on the base set beyond
(`cell_index`), so a million queries against 100k items stays far from quadratic.
"""

from __future__ import annotations

import numpy as np

EXACT_PAIRS_MAX = 2_000_000_000
"""Query × base pairs up to which the answer is computed exactly (a few seconds of matrix products)."""
CHUNK_CELLS = 16_000_000
"""Similarities held at once (64 MB of float32) by the exact search."""


def nearest(query: np.ndarray, base: np.ndarray, k: int = 1, seed: int | None = 0,
            exact_pairs_max: int = EXACT_PAIRS_MAX) -> tuple[np.ndarray, np.ndarray]:
    """For each query row, the indices of its `k` most similar base rows and their cosine similarities (both
    (n_query, k), best first; vectors are unit length). `k` is capped at the base size."""
    query = np.asarray(query, dtype=np.float32)
    base = np.asarray(base, dtype=np.float32)
    k = max(1, min(k, len(base)))
    if len(query) == 0 or len(base) == 0:
        return np.zeros((len(query), 0 if len(base) == 0 else k), np.int64), np.zeros((len(query), 0), np.float32)
    if len(query) * len(base) <= exact_pairs_max:
        return exact(query, base, k)
    from explorer.core.analysis.cell_index import CellIndex

    return CellIndex(base, seed).query(query, k)[:2]


def exact(query: np.ndarray, base: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-k by cosine, CHUNK_CELLS similarities at a time."""
    rows = max(1, CHUNK_CELLS // len(base))
    idx = np.empty((len(query), k), np.int64)
    sim = np.empty((len(query), k), np.float32)
    for start in range(0, len(query), rows):
        sims = query[start:start + rows] @ base.T
        if k == 1:
            part = sims.argmax(axis=1)[:, None]
        elif k < len(base):
            part = np.argpartition(sims, kth=len(base) - k, axis=1)[:, len(base) - k:]
        else:
            part = np.broadcast_to(np.arange(len(base)), (len(sims), len(base))).copy()
        top = np.take_along_axis(sims, part, axis=1)
        order = np.argsort(-top, axis=1)
        idx[start:start + rows] = np.take_along_axis(part, order, axis=1)
        sim[start:start + rows] = np.take_along_axis(top, order, axis=1)
    return idx, sim
