"""The cell index that places a million records: right topic where NN-descent strayed, near-exact neighbours."""

import numpy as np

from explorer.core.analysis.cell_index import CellIndex
from explorer.core.analysis.nearest import exact


def planted(n: int, topics: int, dim: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors around `topics` random centres (cosine within a topic ≈ 0.5, across ≈ 0)."""
    rng = np.random.default_rng(seed)
    topic = rng.integers(0, topics, n)
    v = np.random.default_rng(0).normal(size=(topics, dim))[topic] + rng.normal(0, 0.9, (n, dim))
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32), topic


def test_every_query_finds_its_topic_and_nearly_the_exact_neighbours():
    base, base_topic = planted(4000, 40, 64, 1)
    query, query_topic = planted(3000, 40, 64, 2)
    index = CellIndex(base, seed=0)
    idx, sim, cell = index.query(query, 10)
    assert idx.shape == sim.shape == (3000, 10) and np.all(np.diff(sim, axis=1) <= 0)
    assert np.array_equal(base_topic[idx[:, 0]], query_topic)
    truth, truth_sim = exact(query, base, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(idx, truth)])
    assert recall >= 0.9
    assert np.allclose(sim, np.take_along_axis(query @ base.T, idx, axis=1), atol=1e-5)
    assert np.array_equal(cell, (query @ index.centroids.T).argmax(axis=1))


def test_a_query_whose_cells_hold_fewer_than_k_records_gets_the_exact_answer():
    base, _ = planted(12, 3, 8, 1)  # 7 cells of about 2 records: 6 probed cells may hold fewer than 10
    query, _ = planted(20, 3, 8, 2)
    idx, sim, _ = CellIndex(base, seed=0).query(query, 10, probes=1)
    truth, truth_sim = exact(query, base, 10)
    assert np.array_equal(idx, truth) and np.allclose(sim, truth_sim)


def test_an_empty_query_gives_empty_answers():
    base, _ = planted(100, 3, 8, 1)
    idx, sim, cell = CellIndex(base).query(np.zeros((0, 8), np.float32), 5)
    assert idx.shape == (0, 5) and sim.shape == (0, 5) and cell.shape == (0,)
