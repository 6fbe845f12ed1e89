"""The exact SVD used for small fits: the same subspace as numpy's full SVD, and no NaN when the rank is low."""

import numpy as np
import scipy.sparse as sp

from explorer.core.analysis.lexical import EXACT_SVD_ROWS, ExactSVD, LexicalModel


def test_exact_svd_matches_numpys_singular_values_and_subspace():
    matrix = sp.random(120, 900, density=0.05, random_state=3, format="csr")
    svd = ExactSVD(20, matrix)
    _, values, right = np.linalg.svd(matrix.toarray(), full_matrices=False)
    projected = svd.transform(matrix)
    assert np.allclose(np.linalg.norm(projected, axis=0), values[:20], rtol=1e-6)
    overlap = np.abs(svd.components_ @ right[:20].T)  # the same 20 directions, up to sign
    assert np.allclose(np.sort(overlap.max(axis=1)), 1.0, atol=1e-6)


def test_exact_svd_of_a_low_rank_matrix_leaves_the_missing_directions_zero():
    rank2 = sp.csr_matrix(np.outer([1, 2, 3, 4, 5, 6], [1, 0, 2, 0, 1]) + np.outer([0, 1, 0, 1, 0, 1], [0, 3, 0, 1, 0]))
    svd = ExactSVD(4, rank2)
    out = svd.transform(rank2)
    assert np.isfinite(out).all() and np.count_nonzero(np.linalg.norm(out, axis=0) > 1e-9) == 2


def test_small_fits_are_exact_and_the_same_on_every_seed():
    texts = [f"Translate sentence number {i} into French: the {w} is on the table." for i, w in
             enumerate(["cat", "dog", "book", "cup", "pen", "lamp"] * 10)]
    assert len(texts) <= EXACT_SVD_ROWS
    first, second = LexicalModel(texts, dims=8, seed=0), LexicalModel(texts, dims=8, seed=5)
    assert isinstance(first.svd, ExactSVD)
    a, b = first.transform(texts), second.transform(texts)
    assert np.allclose(a @ a.T, b @ b.T, atol=1e-5)
