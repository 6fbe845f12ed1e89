"""Big datasets: the map and the clusters are fitted on a sample, and every other record is placed by its nearest
fitted records.

UMAP and HDBSCAN on a million records would take hours on a laptop. Above `fit_sample` records, a seeded random
sample is laid out and clustered as usual; each record then finds its nearest fitted records (a cell index on the
sample, queried in batches with progress and cancel) and takes their similarity-weighted position (UMAP's own
starting point for `transform`) and the cluster most of their weight votes for. Near-duplicates are looked for
exactly, by cosine, among the records of the same cell (~n/(2·√sample) records; a cell over CELL_MAX records is
split by nearest fitted record).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.core.analysis.cell_index import CellIndex
from explorer.core.analysis.nearest import EXACT_PAIRS_MAX, exact
from explorer.core.analysis.projection import Neighbors
from explorer.core.progress import CancelFn, ProgressFn, Ticker

PLACE_K = 10
"""Fitted records each record is placed by."""
QUERY_BATCH = 50_000
CELL_MAX = 20_000
"""Records above which a cell is searched for near-duplicates by parts (records sharing a nearest fitted record)."""


def is_sampled(n: int, fit_sample: int | None) -> bool:
    """Whether n records are fitted on a sample (more than fit_sample of them)."""
    return bool(fit_sample) and n > fit_sample


def fit_indices(n: int, fit_sample: int | None, seed: int | None) -> np.ndarray | None:
    """The records the map is fitted on (sorted), or None when all of them are (n ≤ fit_sample, or no sample)."""
    if not is_sampled(n, fit_sample):
        return None
    return np.sort(np.random.default_rng(seed or 0).choice(n, fit_sample, replace=False))


@dataclass
class Placement:
    fit: np.ndarray
    """(m,) record ids of the fitted sample."""
    nearest: np.ndarray
    """(n, k) positions in `fit` of each record's nearest fitted records, best first."""
    similarity: np.ndarray
    """(n, k) their cosine similarities."""
    cell: np.ndarray
    """(n,) each record's cell: the records near-duplicates are looked for among."""

    def weights(self) -> np.ndarray:
        w = np.clip(self.similarity, 1e-3, None) ** 4
        return w / w.sum(axis=1, keepdims=True)


def nearest_fitted(features: np.ndarray, fit: np.ndarray, seed: int | None, progress: ProgressFn | None = None,
                   cancel: CancelFn | None = None) -> Placement:
    """Each record's PLACE_K nearest fitted records in feature space (a fitted record finds itself first)."""
    ticker = Ticker(progress, cancel, len(features), "Placing records on the map")
    base = features[fit]
    k = min(PLACE_K, len(fit))
    found = np.empty((len(features), k), np.int64)
    similarity = np.empty((len(features), k), np.float32)
    index = CellIndex(base, seed) if len(features) * len(fit) > EXACT_PAIRS_MAX else None
    cell = np.empty(len(features), np.int64)
    for start in range(0, len(features), QUERY_BATCH):
        ticker.update(start)
        stop = min(len(features), start + QUERY_BATCH)
        if index is None:
            found[start:stop], similarity[start:stop] = exact(features[start:stop], base, k)
        else:
            found[start:stop], similarity[start:stop], cell[start:stop] = index.query(features[start:stop], k)
    found[fit, 0], similarity[fit, 0] = np.arange(len(fit)), 1.0  # a fitted record is its own nearest
    ticker.finish()
    if index is None:  # small enough for exact search: a record's cell is its nearest fitted record
        cell = found[:, 0]
    return Placement(fit, found, similarity, _split_big_cells(cell, found[:, 0]))


def _split_big_cells(cell: np.ndarray, nearest_fit: np.ndarray) -> np.ndarray:
    """Cells of over CELL_MAX records split by nearest fitted record (bounds the quadratic near-duplicate search)."""
    sizes = np.bincount(cell)
    big = sizes[cell] > CELL_MAX
    if not big.any():
        return cell
    out = cell.copy()
    out[big] = len(sizes) + nearest_fit[big]
    return out


def place(placement: Placement, fit_points: np.ndarray) -> np.ndarray:
    """Every record's position: fitted records keep theirs, the others the weighted mean of their neighbours'."""
    out = np.einsum("nk,nkd->nd", placement.weights(), fit_points[placement.nearest]).astype(np.float32)
    out[placement.fit] = fit_points
    return out


def vote_clusters(placement: Placement, fit_clusters: np.ndarray) -> np.ndarray:
    """Every record's cluster: fitted records keep theirs, the others take the cluster (or noise) with most weight
    among their nearest fitted records."""
    labels = fit_clusters[placement.nearest] + 1  # noise −1 → 0
    scores = np.zeros((len(labels), int(labels.max()) + 1), np.float32)
    np.add.at(scores, (np.arange(len(labels))[:, None], labels), placement.weights())
    out = scores.argmax(axis=1).astype(np.int64) - 1
    out[placement.fit] = fit_clusters
    return out


def neighbour_ids(placement: Placement) -> np.ndarray:
    """(n, 1 + k) record ids: each record itself, then its nearest fitted records (kinds agree with neighbours)."""
    return np.hstack([np.arange(len(placement.nearest))[:, None], placement.fit[placement.nearest]])


def cell_neighbors(vectors: np.ndarray, placement: Placement, k: int, progress: ProgressFn | None = None,
                   cancel: CancelFn | None = None) -> Neighbors:
    """Each record's k nearest records by cosine among those of its cell (column 0 is itself; a small cell is
    padded with the record itself at distance 1, never a near-duplicate)."""
    n = len(vectors)
    cell = placement.cell
    order = np.argsort(cell, kind="stable")
    bounds = np.flatnonzero(np.diff(cell[order])) + 1
    indices = np.repeat(np.arange(n, dtype=np.int64)[:, None], k, axis=1)
    distances = np.ones((n, k), np.float32)
    distances[:, 0] = 0.0
    ticker = Ticker(progress, cancel, n, "Near-duplicates within cells")
    done = 0
    for members in np.split(order, bounds):
        done += len(members)
        if len(members) > 1:
            _exact_within(vectors, members, k, indices, distances)
        if done % 20_000 < len(members):
            ticker.update(done)
    ticker.finish()
    return Neighbors(indices, distances)


def _exact_within(vectors: np.ndarray, members: np.ndarray, k: int, indices: np.ndarray,
                  distances: np.ndarray) -> None:
    for start in range(0, len(members), 2000):
        rows = members[start:start + 2000]
        sims = vectors[rows] @ vectors[members].T
        sims[np.arange(len(rows)), start + np.arange(len(rows))] = -np.inf  # itself is column 0 already
        take = min(k - 1, len(members) - 1)
        part = np.argpartition(-sims, kth=take - 1, axis=1)[:, :take]
        top = np.take_along_axis(sims, part, axis=1)
        order = np.argsort(-top, axis=1)
        indices[rows, 1:1 + take] = members[np.take_along_axis(part, order, axis=1)]
        distances[rows, 1:1 + take] = np.clip(1.0 - np.take_along_axis(top, order, axis=1), 0, 2)
