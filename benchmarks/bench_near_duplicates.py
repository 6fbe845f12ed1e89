"""Near-duplicate flags on real data: planted near-copies found, and records of one template not taken for copies.

    python benchmarks/bench_near_duplicates.py --data FILE [FILE ...] [--copies 0.03] [--threshold 0.95] [--show 5]

Each FILE is a dataset in any format the app opens (none is in the repository). To its instructions are appended
near-copies of a seeded 3 % of them, each with one small edit (punctuation, spacing, "please"/"请", a word or
character dropped, two neighbouring words or characters swapped, a "Question:"/"问题：" prefix, lower case, two
letters swapped, full-width punctuation), and two *big groups*: two records copied 30 times each (a third verbatim —
the same prompt with other answers —, the rest edited), more than the 15 neighbours each record has. The texts are
embedded with the model the app's 'auto' picks for the file and their nearest neighbours found, as the analysis
does. Two rules flag near-duplicates on that same neighbour graph:

- `embedding only`: the rule before 2026-12-04 — groups of records joined by cosine ≥ threshold, chains included
  (a record's group root may be far from it);
- `product`: `near_duplicates.near_duplicate_groups` with `OwnWording` (common wording left out, no chains).

Per file and rule it prints: the original records flagged (for `embedding only` counted without the copies, which
could bridge two originals; on a templated file these are different instances of one template — false positives
unless the source repeats itself), the single copies found and those grouped with their source, the records of
each big group left standing (1 is right), the flagged records less similar than the threshold to the record they
are said to repeat (chains), and the seconds the rule took (after the shared embedding and neighbour steps); then
the single copies found per kind of edit. `--show N` prints N pairs flagged by one rule and not the other.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CJK = re.compile(r"[\u3400-\u9fff]")
K = 15


def edit(text: str, rng: random.Random) -> tuple[str, str]:
    """(kind of edit, the text with one small edit of the kind near-duplicates differ by)."""
    zh = len(CJK.findall(text)) > len(text) / 4
    words = text.split(" ")
    how = rng.choice(["punct", "space", "polite", "drop", "swap", "prefix"] + (["width"] if zh else ["case", "typo"]))
    if how == "punct":
        return how, text.rstrip("。？！.?! \n") + rng.choice(["？", "。", "！"] if zh else ["?", ".", "!", ""])
    if how == "space":
        return how, " ".join(text.split()) if "\n" in text or "  " in text else text.replace(" ", "  ", 1) + " "
    if how == "polite":
        return how, ("请" + text) if zh else ("Please " + text[:1].lower() + text[1:])
    if how == "prefix":
        return how, ("问题：" if zh else "Question: ") + text
    if how == "width":
        swapped = text.translate(str.maketrans("，？！：", ",?!:"))
        return how, swapped if swapped != text else text + "。"
    if how == "case":
        return how, text.lower() if text != text.lower() else text.capitalize() + "."
    if zh:
        spots = [i for i, c in enumerate(text) if CJK.match(c)][1:-1]
        if len(spots) < 8:
            return how, text + "谢谢"
        i = rng.choice(spots)
        if how == "swap" and CJK.match(text[i + 1]):
            return how, text[:i] + text[i + 1] + text[i] + text[i + 2:]
        return how, text[:i] + text[i + 1:]
    if len(words) < 6:
        return how, text + " please"
    if how == "drop":
        del words[rng.randrange(1, len(words))]
    elif how == "swap":
        i = rng.randrange(1, len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    else:  # typo
        long_words = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()] or [0]
        i = rng.choice(long_words)
        w = words[i]
        j = rng.randrange(max(1, len(w) - 1))
        words[i] = w[:j] + w[j + 1:j + 2] + w[j:j + 1] + w[j + 2:]
    return how, " ".join(words)


BIG_GROUPS, BIG_COPIES = 2, 30


def old_groups(knn, threshold: float, among: int | None = None) -> np.ndarray:
    """The rule before: connected components of cosine ≥ threshold, each record's root the group's lowest id
    (`among`: only records below this id are joined)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(knn.indices)
    rows, cols = np.nonzero((1.0 - knn.distances) >= threshold)
    other = knn.indices[rows, cols]
    if among is not None:
        inside = (rows < among) & (other < among)
        rows, other = rows[inside], other[inside]
    pairs = coo_matrix((np.ones(len(rows), np.int8), (rows, other)), shape=(n, n))
    _, group = connected_components(pairs, directed=False)
    _, lowest = np.unique(group, return_index=True)
    return lowest[group].astype(np.int64)


@dataclass
class Planted:
    texts: list[str]
    n_orig: int
    source: list[int]
    """Per appended copy, the original it copies."""
    how: list[str]
    """Per appended copy, its edit ('verbatim' in the big groups)."""
    big: list[int]
    """Per appended copy, its big group (-1 for a single copy)."""


def plant(originals: list[str], share: float, seed: int) -> Planted:
    rng = random.Random(seed)
    singles = sorted(rng.sample(range(len(originals)), max(1, int(len(originals) * share))))
    bigs = rng.sample([i for i in range(len(originals)) if i not in set(singles)], BIG_GROUPS)
    source, how, big, texts = [], [], [], list(originals)
    for s in singles:
        kind, text = edit(originals[s], rng)
        source.append(s), how.append(kind), big.append(-1), texts.append(text)
    for g, s in enumerate(bigs):
        for c in range(BIG_COPIES):
            kind, text = ("verbatim", originals[s]) if c % 3 == 0 else edit(originals[s], rng)
            source.append(s), how.append(kind), big.append(g), texts.append(text)
    return Planted(texts, len(originals), source, how, big)


def prepare(path: str, share: float, seed: int, cache):
    from explorer.core.analysis import multilingual, projection
    from explorer.core.analysis.embedding import embed, make_embedder, model_id_for
    from explorer.core.analysis.texts import read_texts
    from explorer.core.dataset import load

    originals = [str(t) for t in read_texts(load(path)).instruction]
    planted = plant(originals, share, seed)
    model = multilingual.pick_model(originals)
    vectors = embed(lambda: make_embedder(model), model_id_for(model), planted.texts, cache).vectors
    return planted, vectors, projection.neighbors(vectors, K + 1, seed), model


def measure(roots: np.ndarray, originals_flagged: int, vectors: np.ndarray, p: Planted, threshold: float) -> dict:
    flagged = np.flatnonzero(roots != np.arange(len(roots)))
    sims = np.einsum("ij,ij->i", vectors[flagged], vectors[roots[flagged]])
    ids = np.arange(p.n_orig, len(roots))
    single = np.array(p.big) < 0
    copies, src = ids[single], np.array(p.source)[single]
    standing = [len({int(roots[r]) for r in [p.source[np.flatnonzero(np.array(p.big) == g)[0]]] +
                     ids[np.array(p.big) == g].tolist()}) for g in range(BIG_GROUPS)]
    return {"originals": originals_flagged, "found": int((roots[copies] != copies).sum()),
            "with source": int((roots[copies] == roots[src]).sum()), "standing": standing,
            "chained": int((sims < threshold - 1e-6).sum()),
            "by edit": Counter(h for h, c, b in zip(p.how, ids, p.big) if b < 0 and roots[c] != c)}


def show(texts, a_roots, b_roots, n_orig, count, title):
    pairs = [(r, int(a_roots[r])) for r in range(n_orig) if a_roots[r] != r and b_roots[r] == r][:count]
    if pairs:
        print(f"  {title}:")
    for r, root in pairs:
        print(f"    #{root} {' '.join(texts[root].split())[:110]!r}\n    #{r} {' '.join(texts[r].split())[:110]!r}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", nargs="+", required=True)
    ap.add_argument("--copies", type=float, default=0.03)
    ap.add_argument("--threshold", type=float, default=0.95)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    args = ap.parse_args()

    from explorer.core.analysis.embed_cache import EmbeddingCache
    from explorer.core.analysis.near_duplicates import OwnWording, near_duplicate_groups
    from explorer.core.paths import user_dir

    cache = EmbeddingCache(user_dir("cache") / "bench_near_duplicates.sqlite")
    print(f"threshold {args.threshold}, {args.copies:.0%} single near-copies + {BIG_GROUPS} groups of "
          f"{BIG_COPIES} copies, {K} neighbours")
    print("| file | model | records + single copies | rule | originals flagged | single copies found | with their "
          "source | big groups: records left | chained | s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    edits: dict[str, Counter] = {"planted": Counter(), "embedding only": Counter(), "product": Counter()}
    for path in args.data:
        p, vectors, knn, model = prepare(path, args.copies, args.seed, cache)
        start = time.perf_counter()
        before = old_groups(knn, args.threshold)
        t_old = time.perf_counter() - start
        start = time.perf_counter()
        own = OwnWording.of(p.texts, args.seed)
        after = near_duplicate_groups(knn, vectors, args.threshold, lambda a, b: own.alike_pairs(p.texts, a, b))
        t_new = time.perf_counter() - start
        originals_before = old_groups(knn, args.threshold, among=p.n_orig)[:p.n_orig]
        singles = sum(b < 0 for b in p.big)
        edits["planted"].update(h for h, b in zip(p.how, p.big) if b < 0)
        for rule, roots, orig_roots, t in (("embedding only", before, originals_before, t_old),
                                           ("product", after, after[:p.n_orig], t_new)):
            m = measure(roots, int((orig_roots != np.arange(p.n_orig)).sum()), vectors, p, args.threshold)
            edits[rule].update(m["by edit"])
            print(f"| {Path(path).name} | {model} | {p.n_orig} + {singles} | {rule} | {m['originals']} | "
                  f"{m['found']} | {m['with source']} | {' / '.join(map(str, m['standing']))} | {m['chained']} | "
                  f"{t:.2f} |")
        if args.show:
            show(p.texts, originals_before, after, p.n_orig, args.show, "flagged by embedding only, not by the product")
            show(p.texts, after, originals_before, p.n_orig, args.show, "flagged by the product, not by embedding only")
            show(p.texts, after, np.arange(len(after)), p.n_orig, args.show, "flagged by the product")
    print("\nSingle copies found, by edit (all files): | edit | planted | embedding only | product |")
    for how, count in sorted(edits["planted"].items()):
        print(f"| {how} | {count} | {edits['embedding only'][how]} | {edits['product'][how]} |")


if __name__ == "__main__":
    main()
