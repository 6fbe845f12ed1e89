"""Near-duplicate instructions: neighbours by embedding (cosine ≥ a threshold) whose own wording is alike too.

Records made from one template ("<headline>\n请判断上述内容属于什么新闻？\n选项：…", "Review: … Is it positive?")
share most of their text, so the embedding puts two of them at cosine ≥ 0.95 although their slots — what makes each
a different record — differ. So a pair the embedding finds is also compared on each text's *own* wording: its units
(words, or CJK characters) and unit bigrams, less those found in more than TEMPLATE_SHARE of a sample of the records
(the template's words, a shuffled option list's options, the commonest words). Two texts are alike when their own
wording overlaps by at least MIN_OWN_OVERLAP (Dice); two texts made only of common wording are alike when they hold
the same words (options shuffled). Units, not characters: two unrelated English passages share most character
bigrams.

Groups are not chains: records are taken in id order and each joins the most similar *earlier kept* record it is
close to, so deleting every record that is not its own root leaves none of the pairs found, and each deleted record
is close to the one kept for it (A ~ B ~ C with A and C apart keeps A and C).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

from explorer.core.analysis.projection import Neighbors
from explorer.core.analysis.text_overlap import units

TEMPLATE_SHARE = 0.005
"""A unit or unit bigram in more than this share of the sampled records (and in more than TEMPLATE_MIN) is common."""
TEMPLATE_MIN = 3
SAMPLE = 20_000
"""Records read to find the common wording (all of them in a smaller dataset)."""
MIN_OWN_OVERLAP = 0.45
"""Dice overlap of two texts' own wording from which they are alike. On 399 planted near-copies (one small edit each)
and the near-duplicate candidates of five templated sets (`benchmarks/bench_near_duplicates.py`, 2026-12-04) every
threshold from 0.35 to 0.55 kept every copy and rejected every pair of different template instances."""

Alike = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""(ids a, ids b) → bool per pair: is the pair's wording alike."""


class OwnWording:
    """Each text's wording less the dataset's common wording, and the check that compares two texts on it."""

    def __init__(self, texts: Sequence[str], common: frozenset):
        self.texts = texts
        self.common = common
        self._own: dict[int, frozenset] = {}

    @classmethod
    def of(cls, texts: Sequence[str], seed: int = 0) -> "OwnWording":
        """The common wording of `texts`, found on a seeded sample of at most SAMPLE of them."""
        n = len(texts)
        rows = range(n) if n <= SAMPLE else np.sort(np.random.default_rng(seed).choice(n, SAMPLE, replace=False))
        spread: Counter = Counter()
        for r in rows:
            spread.update(_wording(texts[int(r)]))
        limit = max(TEMPLATE_MIN, TEMPLATE_SHARE * len(rows))
        return cls(texts, frozenset(w for w, count in spread.items() if count > limit))

    def own(self, rid: int) -> frozenset:
        """The units and unit bigrams of record `rid`'s text that are not common in the dataset."""
        hit = self._own.get(rid)
        if hit is None:
            hit = self._own[rid] = frozenset(_wording(self.texts[rid]) - self.common)
        return hit

    def alike(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Per pair (a[i], b[i]): is their own wording alike (the same words, when neither has any of its own)."""
        out = np.zeros(len(a), bool)
        for i, (x, y) in enumerate(zip(a.tolist(), b.tolist())):
            ox, oy = self.own(x), self.own(y)
            if ox or oy:
                out[i] = bool(ox) and bool(oy) and 2 * len(ox & oy) / (len(ox) + len(oy)) >= MIN_OWN_OVERLAP
            else:
                out[i] = sorted(units(self.texts[x])) == sorted(units(self.texts[y]))
        return out


def _wording(text: str) -> set:
    """A text's units (words lower-cased, CJK characters) and unit bigrams."""
    u = units(text)
    return set(u) | {(u[i], u[i + 1]) for i in range(len(u) - 1)}


def near_duplicate_groups(knn: Neighbors, threshold: float, alike: Alike | None = None) -> np.ndarray:
    """For each record, the earlier kept record it near-duplicates (cosine ≥ `threshold` and, when given, alike
    wording; the most similar such), or itself."""
    n = len(knn.indices)
    sims = 1.0 - knn.distances
    rows, cols = np.nonzero(sims >= threshold)
    other = knn.indices[rows, cols]
    apart = rows != other
    a, b, s = np.minimum(rows, other)[apart], np.maximum(rows, other)[apart], sims[rows, cols][apart]
    _, first = np.unique(a.astype(np.int64) * n + b, return_index=True)  # each pair once (found from either side)
    a, b, s = a[first], b[first], s[first]
    if alike is not None and len(a):
        keep = alike(a, b)
        a, b, s = a[keep], b[keep], s[keep]
    root = np.arange(n, dtype=np.int64)
    order = np.lexsort((-s, b))
    for x, y in zip(a[order].tolist(), b[order].tolist()):
        if root[y] == y and root[x] == x:
            root[y] = x
    return root
