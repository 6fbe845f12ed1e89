"""Near-duplicate instructions: records close by embedding (cosine ≥ a threshold) whose own wording is alike too.

Records made from one template ("<headline>\\n请判断上述内容属于什么新闻？\\n选项：…", "Review: … Is it positive?")
share most of their text, so the embedding puts two of them at cosine ≥ 0.95 although their slots — what makes each
a different record — differ. So a pair the embedding finds is also compared on each text's *own* wording: its units
(words, or CJK characters) and unit bigrams (not across punctuation), less the dataset's common wording — those found
in more of its distinct texts than TEMPLATE_SHARE, TEMPLATE_MIN and TEMPLATE_COUNT say (the template's words, a
shuffled option list's options, the commonest words). Two texts are alike when
- both have at least MIN_OWN own words and bigrams, their own wording overlaps by at least MIN_OWN_OVERLAP (Dice),
  and it holds the same numbers ("What is 7311 + 7890?" is not "What is 7311 + 1111?");
- either has fewer: they use the same words, in any order and number, but for one more or less (the same
  options shuffled; a set written {x | x ∈ R} or {x ∈ R}; a prompt repeated in so many versions that its words
  became common, and a copy with "please"). Not a word other: "cat" and "dog" in one template are two records.
Units, not characters: two unrelated English passages share most character bigrams. A text with no word at all is
never alike to another.

Groups are not chains. The pairs found (each record's nearest neighbours) join records into candidate groups; in
each, records are taken in id order and each joins the most similar record *kept so far* that it is close to by
cosine, checked directly, and alike; otherwise it is kept. So deleting the records that are not their own root
leaves no two close, alike records of a group, each deleted record is close to the one kept for it (A ~ B ~ C with A
and C apart keeps A and C), and a group bigger than the neighbour lists (one prompt a hundred times) still keeps one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

from explorer.core.analysis.projection import Neighbors
from explorer.core.analysis.text_overlap import units
from explorer.core.progress import CancelFn, CancelledError

TEMPLATE_SHARE = 0.005
"""A unit or unit bigram in more than this share of the sampled texts (and in more than TEMPLATE_MIN) is common;
in more than TEMPLATE_COUNT records it is common whatever its share (a template among thousands in a big file).
Records are counted once per distinct text: a prompt repeated verbatim with other answers is not a template."""
TEMPLATE_MIN = 3
TEMPLATE_COUNT = 20
SAMPLE = 20_000
"""Records read to find the common wording (all of them in a smaller dataset)."""
MIN_OWN_OVERLAP = 0.45
"""Dice overlap of two texts' own wording from which they are alike. On 467 planted near-copies of nine real files
and their template instances (`benchmarks/bench_near_duplicates.py`, 2026-12-04), 0.35 and 0.45 kept every copy
the embedding found and joined no two instances of a template; 0.55 lost one copy."""
PUNCTUATION = re.compile(r"[^\w\s]+")
MIN_OWN = 3
"""Own words and bigrams a text needs for the overlap to say anything; with fewer (a one-word slot, the remnant of
a rare template) two texts are compared on all their words."""
CHUNK = 4096
"""Pairs compared at a time (each record's wording is read once per chunk, and dropped after it)."""

Alike = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""(ids a, ids b) → bool per pair: is the pair's wording alike."""


class OwnWording:
    """The dataset's common wording, and the check that compares two texts on what is left of them."""

    def __init__(self, common: frozenset[str]):
        self.common = common

    @classmethod
    def of(cls, texts: Sequence[str], seed: int = 0) -> "OwnWording":
        """The common wording of `texts`, found on a seeded sample of at most SAMPLE of them."""
        n = len(texts)
        rows = range(n) if n <= SAMPLE else np.sort(np.random.default_rng(seed).choice(n, SAMPLE, replace=False))
        distinct = {" ".join(texts[int(r)].split()) for r in rows}  # a prompt repeated verbatim counts once
        spread: Counter = Counter()
        for text in distinct:
            spread.update(_wording(text))
        limit = max(TEMPLATE_MIN, min(TEMPLATE_SHARE * len(distinct), TEMPLATE_COUNT))
        return cls(frozenset(w for w, count in spread.items() if count > limit))

    def alike(self, x: str, y: str) -> bool:
        """Whether two texts are alike on their own wording (see the module)."""
        return self._alike(_wording(x), _wording(y))

    def alike_pairs(self, texts: Sequence[str], a: np.ndarray, b: np.ndarray,
                    cancel: CancelFn | None = None) -> np.ndarray:
        """Per pair (texts[a[i]], texts[b[i]]): `alike`, a chunk of pairs at a time (`cancel` asked between)."""
        out = np.zeros(len(a), bool)
        for start in range(0, len(a), CHUNK):
            if cancel is not None and cancel():
                raise CancelledError("Grouping near-duplicates")
            read: dict[int, set[str]] = {}
            for i in range(start, min(start + CHUNK, len(a))):
                for r in (int(a[i]), int(b[i])):
                    if r not in read:
                        read[r] = _wording(texts[r])
                out[i] = self._alike(read[int(a[i])], read[int(b[i])])
        return out

    def checker(self, texts: Sequence[str], cancel: CancelFn | None = None) -> Alike:
        """`alike_pairs` on these texts, as `near_duplicate_groups` takes it."""
        return lambda a, b: self.alike_pairs(texts, a, b, cancel)

    def _alike(self, wx: set[str], wy: set[str]) -> bool:
        ux, uy = _words(wx), _words(wy)
        if not ux or not uy:
            return False
        ox, oy = wx - self.common, wy - self.common
        if len(ox) >= MIN_OWN and len(oy) >= MIN_OWN:
            return 2 * len(ox & oy) / (len(ox) + len(oy)) >= MIN_OWN_OVERLAP and _numbers(ox) == _numbers(oy)
        return len(ux ^ uy) <= 1


def _wording(text: str) -> set[str]:
    """A text's units and the bigrams of units not parted by punctuation ("a b": a unit holds no space), so that
    options in another order ("体育，财经" / "财经，体育") make no bigram of their own."""
    out: set[str] = set()
    for run in PUNCTUATION.split(text):
        u = units(run)
        out.update(u)
        out.update(f"{u[i]} {u[i + 1]}" for i in range(len(u) - 1))
    return out


def _words(wording: set[str]) -> set[str]:
    return {w for w in wording if " " not in w}


def _numbers(own: set[str]) -> set[str]:
    return {w for w in own if w.isdigit()}


def near_duplicate_groups(knn: Neighbors, vectors: np.ndarray, threshold: float,
                          alike: Alike | None = None) -> np.ndarray:
    """For each record, the earlier kept record it near-duplicates (cosine ≥ `threshold` and, when given, alike
    wording; the most similar such), or itself."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(knn.indices)
    root = np.arange(n, dtype=np.int64)
    sims = 1.0 - knn.distances
    rows, cols = np.nonzero(sims >= threshold)
    other = knn.indices[rows, cols]
    apart = rows != other
    a, b = np.minimum(rows, other)[apart], np.maximum(rows, other)[apart]
    pair = np.unique(a.astype(np.int64) * n + b)  # each pair once, found from either side
    a, b = pair // n, pair % n
    if alike is not None and len(a):
        keep = alike(a, b)
        a, b = a[keep], b[keep]
    if not len(a):
        return root
    _, component = connected_components(coo_matrix((np.ones(len(a), np.int8), (a, b)), shape=(n, n)), directed=False)
    members = np.unique(np.concatenate([a, b]))
    members = members[np.argsort(component[members], kind="stable")]  # by group, ids ascending within one
    starts = np.flatnonzero(np.diff(component[members], prepend=-1))
    for group in np.split(members, starts[1:]):
        _keep_first(group, vectors, threshold, alike, root)
    return root


def _keep_first(group: np.ndarray, vectors: np.ndarray, threshold: float, alike: Alike | None,
                root: np.ndarray) -> None:
    """Within one candidate group (ids ascending): each record joins the most similar kept record it is close to
    and alike, else it is kept."""
    kept = [int(group[0])]
    rows = np.empty((min(len(group), 64), vectors.shape[1]), np.float32)
    rows[0] = vectors[kept[0]]
    for y in group[1:].tolist():
        v = np.asarray(vectors[y], np.float32)
        sims = rows[:len(kept)] @ v
        close = np.flatnonzero(sims >= threshold)
        joined = False
        for j in close[np.argsort(-sims[close], kind="stable")].tolist():
            if alike is None or alike(np.array([kept[j]]), np.array([y]))[0]:
                root[y], joined = kept[j], True
                break
        if not joined:
            if len(kept) == len(rows):
                rows = np.concatenate([rows, np.empty_like(rows)])
            rows[len(kept)] = v
            kept.append(y)
