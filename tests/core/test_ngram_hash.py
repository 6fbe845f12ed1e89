"""The numpy n-gram hasher counts the same within-word windows as scikit-learn's char_wb analyzer."""

from collections import Counter

import numpy as np
import pytest
import scipy.sparse as sp

from explorer.core.analysis import ngram_hash
from explorer.core.analysis.ngram_hash import char_ngram_counts

TEXTS = [
    "Hello  World, this is\ta TEST of the hasher",
    "",
    "   \n ",
    "请判断以下新闻的类别：体育、财经 还是 娱乐？",
    "a b c",
    "Premise: the cat sat. Hypothesis: a cat sat. True, false or neither?",
    "İstanbul ÇOK güzel",  # lowercasing that changes the length
    "emoji 🙂🙂 and\u3000ideographic space",
]


def _sklearn_windows(text: str) -> Counter:
    from sklearn.feature_extraction.text import HashingVectorizer

    analyzer = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 4)).build_analyzer()
    return Counter(analyzer(text))


def test_windows_match_scikit_learn_per_text_and_between_texts():
    """Equal counts per text, and the same shared windows between any two texts (their dot products agree)."""
    n_features = 2 ** 30  # collisions all but impossible for a few hundred windows
    ours = char_ngram_counts(TEXTS, n_features=n_features)
    reference = [_sklearn_windows(t) for t in TEXTS]
    assert ours.shape == (len(TEXTS), n_features)
    np.testing.assert_array_equal(ours.sum(axis=1).A1, [sum(c.values()) for c in reference])
    np.testing.assert_array_equal(ours.getnnz(axis=1), [len(c) for c in reference])
    dots = [[sum(a[g] * b[g] for g in a) for b in reference] for a in reference]
    used, column = np.unique(ours.indices, return_inverse=True)  # the 2**30-wide matrix narrowed to used columns
    narrow = sp.csr_matrix((ours.data, column, ours.indptr), shape=(len(TEXTS), len(used))).toarray()
    np.testing.assert_array_equal(narrow @ narrow.T, dots)


def test_texts_split_over_batches_count_alike(monkeypatch):
    whole = char_ngram_counts(TEXTS * 3)
    monkeypatch.setattr(ngram_hash, "BATCH_CHARS", 20)  # about one text a batch
    split = char_ngram_counts(TEXTS * 3)
    assert (whole != split).nnz == 0


def test_empty_input_and_bad_width():
    assert char_ngram_counts([]).shape == (0, ngram_hash.N_FEATURES)
    assert char_ngram_counts(["", " "]).nnz == 0
    with pytest.raises(ValueError):
        char_ngram_counts(["x"], n_features=1000)
