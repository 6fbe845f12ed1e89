"""Near-duplicate flags on real data: planted near-copies found, and records of one template not taken for copies.

    python benchmarks/bench_near_duplicates.py --data FILE [FILE ...] [--copies 0.03] [--threshold 0.95] [--show 5]

Each FILE is a dataset in any format the app opens (none is in the repository). To each, near-copies of a seeded
3 % of its records are appended — the instruction with one small edit (punctuation, spacing, "please"/"请", a word or
character dropped, lower case, two letters swapped) and another answer — then the instructions are embedded with the
model the app's 'auto' picks for the file and their 15 nearest neighbours found, as the analysis does. Two rules
flag near-duplicates on that same neighbour graph:

- `embedding only`: the rule before this benchmark — groups of records joined by cosine ≥ threshold, chains
  included (a record's group root may be far from it);
- `product`: `near_duplicates.near_duplicate_groups` with `OwnWording` (template wording masked, no chains).

Per file and rule it prints: the original records flagged (on a templated file, different instances of one template
— every one a false positive unless the source repeats itself), the planted copies found, those found at their
source, the flagged records less similar than the threshold to the record they are said to repeat (chains), and the
seconds the rule took (after the shared embedding and neighbour steps). `--show N` prints N pairs flagged by one
rule and not the other, to read by eye.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CJK = re.compile(r"[\u3400-\u9fff]")
K = 15


def edit(text: str, rng: random.Random) -> str:
    """One small edit of the kind near-duplicates differ by."""
    zh = len(CJK.findall(text)) > len(text) / 4
    words = text.split(" ")
    choices = ["punct", "space", "polite", "drop"] + (["case", "typo"] if not zh else ["width"])
    how = rng.choice(choices)
    if how == "punct":
        stripped = text.rstrip("。？！.?! \n")
        return stripped + rng.choice(["？", "。", "！"] if zh else ["?", ".", "!", ""])
    if how == "space":
        return " ".join(text.split()) if "\n" in text or "  " in text else text.replace(" ", "  ", 1) + " "
    if how == "polite":
        return ("请" + text) if zh else ("Please " + text[:1].lower() + text[1:])
    if how == "drop":
        if zh:
            spots = [i for i, c in enumerate(text) if CJK.match(c)][1:]
            if len(spots) >= 8:
                i = rng.choice(spots)
                return text[:i] + text[i + 1:]
        elif len(words) >= 6:
            del words[rng.randrange(1, len(words))]
            return " ".join(words)
        return text + (" 谢谢" if zh else " please")
    if how == "case":
        return text.lower() if text != text.lower() else text.capitalize() + "."
    if how == "width":
        swapped = text.translate(str.maketrans("，？！：", ",?!:"))
        return swapped if swapped != text else text + "。"
    long_words = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not long_words:
        return text + "?"
    i = rng.choice(long_words)
    j = rng.randrange(len(words[i]) - 1)
    w = words[i]
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    return " ".join(words)


def old_groups(knn, threshold: float) -> np.ndarray:
    """The rule before: connected components of cosine ≥ threshold, each record's root the group's lowest id."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(knn.indices)
    rows, cols = np.nonzero((1.0 - knn.distances) >= threshold)
    pairs = coo_matrix((np.ones(len(rows), np.int8), (rows, knn.indices[rows, cols])), shape=(n, n))
    _, group = connected_components(pairs, directed=False)
    _, lowest = np.unique(group, return_index=True)
    return lowest[group].astype(np.int64)


def prepare(path: str, share: float, seed: int, cache):
    from explorer.core.analysis import multilingual, projection
    from explorer.core.analysis.embedding import embed, make_embedder, model_id_for
    from explorer.core.analysis.texts import read_texts
    from explorer.core.dataset import load

    originals = [str(t) for t in read_texts(load(path)).instruction]
    rng = random.Random(seed)
    sources = sorted(rng.sample(range(len(originals)), max(1, int(len(originals) * share))))
    copies = [edit(originals[s], rng) for s in sources]
    texts = originals + copies
    model = multilingual.pick_model(originals)
    start = time.perf_counter()
    vectors = embed(lambda: make_embedder(model), model_id_for(model), texts, cache).vectors
    knn = projection.neighbors(vectors, K + 1, seed)
    return texts, len(originals), sources, vectors, knn, model, time.perf_counter() - start


def measure(roots: np.ndarray, vectors: np.ndarray, n_orig: int, sources: list[int], threshold: float) -> dict:
    flagged = np.flatnonzero(roots != np.arange(len(roots)))
    sims = np.einsum("ij,ij->i", vectors[flagged], vectors[roots[flagged]])
    copies = np.arange(n_orig, len(roots))
    src = np.array(sources)
    return {"originals flagged": int((flagged < n_orig).sum()),
            "copies found": int((roots[copies] != copies).sum()),
            "at source": int(((roots[copies] == src) | (roots[copies] == roots[src])).sum()),
            "chained": int((sims < threshold - 1e-6).sum())}


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
    print(f"threshold {args.threshold}, {args.copies:.0%} planted near-copies, {K} neighbours")
    print("| file | model | records + copies | rule | originals flagged | copies found | at source | chained | s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for path in args.data:
        texts, n_orig, sources, vectors, knn, model, _ = prepare(path, args.copies, args.seed, cache)
        start = time.perf_counter()
        before = old_groups(knn, args.threshold)
        t_old = time.perf_counter() - start
        start = time.perf_counter()
        after = near_duplicate_groups(knn, args.threshold, OwnWording.of(texts, args.seed).alike)
        t_new = time.perf_counter() - start
        for rule, roots, t in (("embedding only", before, t_old), ("product", after, t_new)):
            m = measure(roots, vectors, n_orig, sources, args.threshold)
            print(f"| {Path(path).name} | {model} | {n_orig} + {len(sources)} | {rule} | {m['originals flagged']} | "
                  f"{m['copies found']} | {m['at source']} | {m['chained']} | {t:.2f} |")
        if args.show:
            show(texts, before, after, n_orig, args.show, "flagged by embedding only, not by the product")
            show(texts, after, before, n_orig, args.show, "flagged by the product, not by embedding only")
            show(texts, after, np.arange(len(after)), n_orig, args.show, "flagged by the product")


if __name__ == "__main__":
    main()
