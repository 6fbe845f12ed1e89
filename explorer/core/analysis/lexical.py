"""Lexical features, and the hybrid of them with sentence embeddings that the map and the clusters use.

Prompts of one task share their template words ("Premise: … Hypothesis: …", "请判断以下新闻的类别"), which a
sentence embedding, dominated by the topic of the text, hardly sees. Character 2–4-grams (within words; Chinese
runs are words too) see them in any language. They are hashed (no vocabulary to hold; `ngram_hash`), weighted by
TF-IDF and reduced by a truncated SVD fitted on a sample, then applied in chunks, so memory stays bounded at any size.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from explorer.core.analysis.ngram_hash import char_ngram_counts
from explorer.core.progress import CancelFn, ProgressFn, Ticker

DIMS = 256
FIT_SAMPLE = 20_000
CHUNK = 20_000
MAX_TERMS = 50_000
"""N-grams kept: those in at least two sampled texts, most frequent first (bounds the SVD's memory)."""
EXACT_SVD_ROWS = 3_500
"""Up to this many fitted texts the SVD is exact (an eigendecomposition of the texts' Gram matrix): faster there
than the randomized one (1.9 s against 4.7 s on the 2,667 texts of the example bank) and the same on every run."""
HEAD_TAIL = 600
"""Characters kept from each end of a long text: a task's wording is at its start or end, rarely in the middle."""


def _clip(text: str) -> str:
    return text if len(text) <= 2 * HEAD_TAIL else text[:HEAD_TAIL] + " " + text[-HEAD_TAIL:]


class LexicalModel:
    """Hashed character n-grams → TF-IDF → SVD, fitted on a sample of texts; `transform` maps any texts."""

    def __init__(self, texts: Sequence[str], dims: int = DIMS, sample: int = FIT_SAMPLE, seed: int = 0,
                 also: Sequence[str] = ()):
        """Fitted on a sample of `texts` plus every text of `also` (say the kinds' example bank, so that the
        reduced space can tell the examples apart, not only the records)."""
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfTransformer

        rng = np.random.default_rng(seed)
        pick = rng.choice(len(texts), sample, replace=False) if len(texts) > sample else range(len(texts))
        counts = char_ngram_counts([_clip(texts[i]) for i in pick] + [_clip(t) for t in also]).tocsc()
        df = np.diff(counts.indptr)
        shared = np.flatnonzero(df >= min(2, counts.shape[0]))
        if len(shared) == 0:  # a few texts with no n-gram in common (or all empty): every n-gram there is
            shared = np.flatnonzero(df >= 1) if df.any() else np.array([0])
        self.columns = np.sort(shared[np.argsort(-df[shared], kind="stable")[:MAX_TERMS]])
        counts = counts[:, self.columns].tocsr()
        self.tfidf = TfidfTransformer(sublinear_tf=True).fit(counts)
        weighted = self.tfidf.transform(counts)
        self.dims = max(1, min(dims, weighted.shape[0] - 1, weighted.nnz))
        self.svd = None
        if weighted.shape[0] > 2:
            with warnings.catch_warnings():  # texts with nothing in common: a variance ratio of 0/0, harmless
                warnings.simplefilter("ignore", RuntimeWarning)
                if weighted.shape[0] <= EXACT_SVD_ROWS:
                    self.svd = ExactSVD(self.dims, weighted)
                else:
                    self.svd = TruncatedSVD(self.dims, random_state=seed).fit(weighted)

    def transform(self, texts: Sequence[str], progress: ProgressFn | None = None, cancel: CancelFn | None = None,
                  dtype=np.float32, what: str = "Lexical features") -> np.ndarray:
        """(n, dims) unit rows (zero rows for texts with no n-gram); float16 halves what a million rows hold.
        `what`: the progress text."""
        return transform_together([self], texts, progress, cancel, [dtype], what)[0]


class ExactSVD:
    """The top `dims` right singular vectors of a sparse matrix with few rows, from the eigenvectors of its Gram
    matrix; `transform` projects rows on them, like scikit-learn's `TruncatedSVD`."""

    def __init__(self, dims: int, matrix):
        from scipy.linalg import eigh

        gram = (matrix @ matrix.T).toarray()
        rows = gram.shape[0]
        values, vectors = eigh(gram, subset_by_index=[rows - dims, rows - 1], driver="evr")
        values, vectors = values[::-1], vectors[:, ::-1]  # largest first
        kept = values > 1e-9 * max(values[0], 1e-30)  # a rank below `dims`: the rest stay zero
        scaled = np.zeros_like(vectors)
        scaled[:, kept] = vectors[:, kept] / np.sqrt(values[kept])
        self.components_ = np.asarray((matrix.T @ scaled).T)

    def transform(self, matrix) -> np.ndarray:
        return np.asarray(matrix @ self.components_.T)


def transform_together(models: Sequence[LexicalModel], texts: Sequence[str], progress: ProgressFn | None = None,
                       cancel: CancelFn | None = None, dtypes: Sequence | None = None,
                       what: str = "Lexical features") -> list[np.ndarray]:
    """Each model's features of the same texts, hashing every text once (the hashing is most of the time)."""
    dtypes = dtypes or [np.float32] * len(models)
    outs = [np.zeros((len(texts), m.dims), dtype=dt) for m, dt in zip(models, dtypes)]
    if all(m.svd is None for m in models):
        return outs
    ticker = Ticker(progress, cancel, len(texts), what)
    for start in range(0, len(texts), CHUNK):
        chunk = [_clip(t) for t in texts[start:start + CHUNK]]
        counts = char_ngram_counts(chunk).tocsc()
        for model, out in zip(models, outs):
            if model.svd is None:
                continue
            rows = model.svd.transform(model.tfidf.transform(counts[:, model.columns].tocsr())).astype(np.float32)
            norms = np.linalg.norm(rows, axis=1, keepdims=True)
            np.divide(rows, norms, out=rows, where=norms > 0)
            out[start:start + len(chunk)] = rows
        ticker.update(start + len(chunk))
    ticker.finish()
    return outs


def hybrid(embedding: np.ndarray, lexical: np.ndarray, weight: float) -> np.ndarray:
    """[√w · embedding, √(1−w) · lexical]: unit rows whose cosine is w·cos(embedding) + (1−w)·cos(lexical).
    Written straight into one float32 matrix (a million rows: 2.5 GB, no float64 temporaries)."""
    if weight >= 1.0:
        return embedding
    d = embedding.shape[1]
    out = np.empty((len(embedding), d + lexical.shape[1]), dtype=np.float32)
    out[:, :d] = embedding
    out[:, :d] *= np.float32(np.sqrt(weight))
    out[:, d:] = lexical
    out[:, d:] *= np.float32(np.sqrt(1.0 - weight))
    return out


class HybridRows:
    """The hybrid features of many records, made a slice at a time (`rows[a:b]`), so a classifier that reads them
    in chunks never holds a second full feature matrix."""

    def __init__(self, embedding: np.ndarray, lexical: np.ndarray, weight: float,
                 lexical_rows: np.ndarray | None = None):
        """`lexical_rows`: row i's lexical features are `lexical[lexical_rows[i]]` (some records' embeddings with
        the lexical features of all, not copied)."""
        self.embedding, self.lexical, self.weight, self.lexical_rows = embedding, lexical, weight, lexical_rows
        self.shape = (len(embedding), embedding.shape[1] + (0 if weight >= 1.0 else lexical.shape[1]))

    def __len__(self) -> int:
        return len(self.embedding)

    def __getitem__(self, rows: slice | np.ndarray) -> np.ndarray:
        lexical_rows = rows if self.lexical_rows is None else self.lexical_rows[rows]
        return hybrid(self.embedding[rows], self.lexical[lexical_rows], self.weight)
