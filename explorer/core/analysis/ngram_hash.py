"""Hashed counts of character n-grams within words, computed with numpy for many texts at once.

The features of scikit-learn's `HashingVectorizer(analyzer="char_wb")`: each whitespace-separated word, lowercased
and padded with a space on both sides, gives its 2–4-character windows (Chinese runs are words too). scikit-learn
builds one Python string per window and hashes them one by one, most of the lexical stage's time at a million
records; here the windows of a batch of texts are hashed as arrays of code points. The same windows, counted alike;
only the hash function differs (so do the columns that collide).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

N_FEATURES = 2 ** 20
BATCH_CHARS = 1_000_000
"""Code points hashed at once (bounds the temporaries: about a hundred bytes per code point)."""
_STEP = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SPACE = 32


def char_ngram_counts(texts: Sequence[str], ngram_range: tuple[int, int] = (2, 4), n_features: int = N_FEATURES):
    """(len(texts), n_features) sparse float64 counts of each text's hashed within-word character n-grams."""
    import scipy.sparse as sp

    if n_features & (n_features - 1):
        raise ValueError("n_features must be a power of two")
    padded = [_padded_words(t) for t in texts]
    lengths = np.fromiter(map(len, padded), np.int64, len(padded))
    chars_before = np.concatenate([[0], np.cumsum(lengths)])
    parts = [sp.csr_matrix((0, n_features))]
    start = 0
    while start < len(padded):
        fits = int(np.searchsorted(chars_before, chars_before[start] + BATCH_CHARS, side="right")) - 1
        end = max(start + 1, fits)
        codes = np.frombuffer("".join(padded[start:end]).encode("utf-32-le"), np.uint32)
        text_of_char = np.repeat(np.arange(end - start, dtype=np.int32), lengths[start:end])
        windows = list(_window_buckets(codes, ngram_range, n_features))
        rows = np.concatenate([text_of_char[at] for _, at in windows]) if windows else np.zeros(0, np.int32)
        cols = np.concatenate([buckets for buckets, _ in windows]) if windows else np.zeros(0, np.int32)
        batch = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(end - start, n_features))
        batch.sum_duplicates()  # one entry per distinct n-gram of a text: what the batches keep is small
        parts.append(batch)
        start = end
    return sp.vstack(parts, format="csr")


def _padded_words(text: str) -> str:
    words = text.lower().split()
    return " " + " ".join(words) + " " if words else ""


def _window_buckets(codes: np.ndarray, ngram_range: tuple[int, int], n_features: int):
    """(bucket of each valid n-window, its start) for each n: a window is valid when it lies within one padded
    word — no space inside it, only (optionally) at its ends, and not all spaces. Texts are joined with their pads,
    so the two spaces between texts make every window across them invalid."""
    lo, hi = ngram_range
    shift = np.uint64(64 - (n_features.bit_length() - 1))
    values = codes.astype(np.uint64)
    spaces_before = np.concatenate([[0], np.cumsum(codes == _SPACE)])
    rolling = values.copy()
    for n in range(1, hi + 1):
        count = len(codes) - n + 1
        if count <= 0:
            return
        if n > 1:
            rolling = rolling[:count] * _STEP + values[n - 1:n - 1 + count]
        if n < lo:
            continue
        starts = np.arange(count)
        inner_spaces = spaces_before[starts + n - 1] - spaces_before[starts + 1] if n > 2 else 0
        all_spaces = spaces_before[starts + n] - spaces_before[starts] == n
        at = np.flatnonzero((inner_spaces == 0) & ~all_spaces)
        salted = (rolling[at] ^ np.uint64(n)) * _MIX
        yield (salted >> shift).astype(np.int32), at
