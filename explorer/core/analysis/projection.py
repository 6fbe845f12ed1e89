"""Nearest neighbours, UMAP projections (2-D for the map, n-D for clustering) and placing new points."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass

import numpy as np

from explorer.core.paths import user_dir
from explorer.core.progress import CancelFn, ProgressFn, Ticker

EXACT_NEIGHBORS_MAX = 5000
"""Up to this many points, neighbours come from one exact matrix product; beyond, from NN-descent."""


def use_numba_cache() -> None:
    """Keep numba's compiled UMAP code in the user cache dir so the JIT cost is paid once per install."""
    if "NUMBA_CACHE_DIR" not in os.environ:
        os.environ["NUMBA_CACHE_DIR"] = str(user_dir("cache") / "numba")


@dataclass
class Neighbors:
    indices: np.ndarray
    """(n, k) int64; column 0 is the point itself."""
    distances: np.ndarray
    """(n, k) float32 cosine distances (1 − cosine similarity)."""


def neighbors(vectors: np.ndarray, k: int, seed: int | None = None) -> Neighbors:
    """k nearest neighbours by cosine of normalized vectors (exact when small, NN-descent when large)."""
    n = len(vectors)
    k = max(1, min(k, n))
    if n <= EXACT_NEIGHBORS_MAX:
        sims = vectors @ vectors.T
        np.fill_diagonal(sims, 2.0)  # self first
        idx = np.argpartition(-sims, kth=k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(sims, idx, axis=1), axis=1)
        idx = np.take_along_axis(idx, order, axis=1)
        dist = 1.0 - np.take_along_axis(sims, idx, axis=1)
        dist[:, 0] = 0.0
        return Neighbors(idx.astype(np.int64), np.clip(dist, 0, 2).astype(np.float32))
    use_numba_cache()
    from umap.umap_ import nearest_neighbors

    idx, dist, _ = nearest_neighbors(vectors, k, "cosine", {}, False,
                                         np.random.RandomState(seed) if seed is not None else None,
                                         low_memory=True, n_jobs=-1 if seed is None else 1)
    return Neighbors(idx.astype(np.int64), dist.astype(np.float32))


def fuzzy_graph(vectors: np.ndarray, knn: Neighbors, seed: int | None = None):
    """UMAP's fuzzy neighbour graph, built once and shared by the 2-D map and the clustering space."""
    if len(vectors) < 4:
        return None
    use_numba_cache()
    from sklearn.utils import check_random_state
    from umap.umap_ import fuzzy_simplicial_set

    graph, _, _ = fuzzy_simplicial_set(vectors, knn.indices.shape[1], check_random_state(seed), "cosine",
                                       knn_indices=knn.indices, knn_dists=knn.distances)
    return graph


def project(vectors: np.ndarray, graph, n_components: int, min_dist: float = 0.1, seed: int | None = None,
            n_epochs: int | None = None, progress: ProgressFn | None = None,
            cancel: CancelFn | None = None) -> np.ndarray:
    """A UMAP layout of the fuzzy graph in `n_components` dimensions (spectral start, UMAP's defaults).

    Same result as `umap.UMAP(metric="cosine").fit_transform`, minus rebuilding the graph for every layout.
    """
    ticker = Ticker(progress, cancel, 1, f"Projecting to {n_components}-D")
    if graph is None:
        ticker.finish()
        return _pca(vectors, n_components)
    use_numba_cache()
    from sklearn.utils import check_random_state
    from umap.spectral import spectral_layout
    from umap.umap_ import find_ab_params, noisy_scale_coords, simplicial_set_embedding

    random_state = check_random_state(seed)
    a, b = find_ab_params(1.0, min_dist)
    with warnings.catch_warnings():  # UMAP warns when a tiny graph is disconnected; it copes
        warnings.simplefilter("ignore")
        if len(vectors) > 2 * (n_components + 2):
            start = spectral_layout(vectors, graph, n_components, random_state, metric="cosine")
        else:  # too few points for an eigen-solve
            start = random_state.uniform(-10, 10, size=(len(vectors), n_components))
        start = noisy_scale_coords(start, random_state, max_coord=10, noise=0.0001)
        out, _ = simplicial_set_embedding(
            vectors, graph.copy(), n_components, 1.0, a, b, 1.0, 5, n_epochs, start, random_state, "cosine", {},
            False, {}, False, parallel=seed is None)
    ticker.finish()
    return np.asarray(out, dtype=np.float32)


def _pca(vectors: np.ndarray, n_components: int) -> np.ndarray:
    centered = vectors - vectors.mean(axis=0)
    if len(vectors) < 2:
        return np.zeros((len(vectors), n_components), dtype=np.float32)
    _, _, vt = np.linalg.svd(centered, full_matrices=False)
    out = centered @ vt[:n_components].T
    if out.shape[1] < n_components:
        out = np.hstack([out, np.zeros((len(out), n_components - out.shape[1]))])
    return out.astype(np.float32)


def place(new_vectors: np.ndarray, base_vectors: np.ndarray, base_points: np.ndarray, k: int = 10) -> np.ndarray:
    """Positions for new/edited records on an existing map: the similarity-weighted mean of their k nearest
    existing neighbours' positions (UMAP's own starting point for `transform`), so the layout never moves."""
    from explorer.core.analysis.nearest import nearest

    if len(base_vectors) == 0:
        return np.zeros((len(new_vectors), base_points.shape[1]), dtype=np.float32)
    idx, sims = nearest(new_vectors, base_vectors, k)
    weights = np.clip(sims, 1e-3, None) ** 4
    weights /= weights.sum(axis=1, keepdims=True)
    return np.einsum("nk,nkd->nd", weights, base_points[idx]).astype(np.float32)
