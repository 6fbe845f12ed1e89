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

def test_shipped_example_bank_vectors_are_this_bank_with_this_model():
    """Editing the bank without `python scripts/embed_kind_bank.py` fails here (the app would embed it itself)."""
    from explorer.core.analysis import kind_classifier, taxonomy
    from explorer.core.analysis.embedding import model_id_for

    texts, kinds = kind_classifier.all_examples(taxonomy.load_taxonomy())
    shipped = kind_classifier.shipped_vectors(model_id_for("all-MiniLM-L6-v2"), texts, kinds)
    assert shipped is not None and shipped.shape == (len(texts), 384)
    assert kind_classifier.shipped_vectors("another-model", texts, kinds) is None
    picks = [0, len(texts) // 2, len(texts) - 1]
    fresh = SentenceTransformerEmbedder(device="cpu").encode([texts[i] for i in picks])
    assert np.allclose(fresh, shipped[picks], atol=2e-3)  # stored as float16


def test_shipped_gloss_vectors_are_the_glosses_of_this_bank_with_this_model():
    """The English glosses of the bank's Chinese examples, embedded (`gloss`): stale after a bank, jieba or
    CC-CEDICT change until `python scripts/embed_kind_bank.py` runs (the app would embed them itself)."""
    from explorer.core.analysis import gloss, kind_classifier, taxonomy
    from explorer.core.analysis.embedding import model_id_for

    texts, _ = kind_classifier.all_examples(taxonomy.load_taxonomy())
    glosses = [gloss.english_gloss(texts[i]) for i in gloss.chinese_rows(texts)]
    shipped = kind_classifier.shipped_gloss_vectors(model_id_for("all-MiniLM-L6-v2"), glosses)
    assert shipped is not None and shipped.shape == (len(glosses), 384) and len(glosses) > 1000
    assert kind_classifier.shipped_gloss_vectors(model_id_for("all-MiniLM-L6-v2"), glosses[1:]) is None
    picks = [0, len(glosses) - 1]
    fresh = SentenceTransformerEmbedder(device="cpu").encode([glosses[i] for i in picks])
    assert np.allclose(fresh, shipped[picks], atol=2e-3)
