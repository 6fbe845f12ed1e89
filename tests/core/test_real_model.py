"""Checks with the real bundled all-MiniLM-L6-v2 (offline, CPU)."""

import numpy as np

from explorer.core.analysis.embedding import SentenceTransformerEmbedder

SENTENCES = ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]


def test_reference_similarities():
    embedder = SentenceTransformerEmbedder(device="cpu")
    assert embedder.dim == 384 and embedder.device == "cpu"
    v = embedder.encode(SENTENCES)
    assert np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-5)
    sims = v @ v.T
    assert abs(sims[0, 1] - 0.6660) < 0.001
    assert abs(sims[0, 2] - 0.1046) < 0.001
    assert abs(sims[1, 2] - 0.1411) < 0.001


def test_a_model_that_cannot_load_is_a_clear_error(tmp_path):
    import pytest

    from explorer.core.errors import DatasetError

    with pytest.raises(DatasetError, match="cannot load embedding model"):
        SentenceTransformerEmbedder(str(tmp_path / "no-such-model"), "cpu")