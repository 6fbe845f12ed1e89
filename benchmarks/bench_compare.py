"""Version diff and eval overlap (issue 12) with cached embeddings: SFT Explorer vs the raw library way, in one run.

    python benchmarks/bench_compare.py [--records 100000] [--eval-items 10000]

A) v2 = v1 (generated Alpaca records, ~10% Chinese) with 2% removed, 2% responses and 1% instructions edited (a few
   words), 2% added, blocks moved. Timed: load; inside `compare_datasets`, `version_texts`, `match_versions`, the real
   `Pipeline.predict_kinds` of B's new records and the rest (placement on A's map, shifts); `VersionDiff.to_json()`.
   Baseline: pandas read_json + merges on hashes of the normalized text. Counts and pairs checked against the plan.
B) Training instructions vs an eval file, with planted exact copies, copies in longer prompts, Chinese copies,
   paraphrases (vectors at cosine ~0.95) and unplanted decoys with the eval items' template wording. Timed:
   `load_eval_sets`, `ngram_matches`, `nearest`, `find_overlaps`. Baseline: a plain 13-word-gram set (no template
   masking) and a numpy train × eval matrix product.
Vectors are synthetic (384-d, 50 clusters) in an EmbeddingCache under the bundled model's id, read through
`embedding.embed` with an embedder factory that raises: nothing is embedded for real. Target: each part ≤ 60 s.
Data are made in one process and measured in a fresh one, so each peak RSS printed is the measurement's own.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from explorer.core.analysis.embed_cache import EmbeddingCache, text_key  # noqa: E402
from explorer.core.analysis.embedding import embed, model_id_for  # noqa: E402

MODEL = model_id_for("all-MiniLM-L6-v2")  # the kind bank's vectors ship for this model
DIM, CLUSTERS = 384, 50
SYL = "ka lo mi ren tas vo ber sin dal chu pe gor an el tri mun so fa qui zen ix ort bal nu".split()
COMMON = "the a of and to in is for with on data model river city music law cell star energy market water".split()
ZHC = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同"
       "工也能下过子说产种面而方后多定行学法所民得经")
VERBS = ["Explain", "Summarize this:", "Write a short story about", "List three facts about", "Classify",
         "Translate into French:", "What is the meaning of", "Give advice on", "Write a poem about", "Compare"]
ZH_VERBS = ["请解释", "总结一下", "写一首关于", "翻译成英文：", "分类：", "列出关于"]
TEMPLATES = ["Read the following passage carefully and then answer the question that follows it in one word only.",
             "You are a helpful assistant. Choose the single correct option for the question below and explain why."]
ZH_TEMPLATE = "阅读下面的句子并回答问题："


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def no_model():
    raise RuntimeError("the embedding model was asked for: a text was not in the cache")


class Words:
    def __init__(self, seed: int):
        self.rng = r = random.Random(seed)
        self.en = sorted({"".join(r.choices(SYL, k=r.randint(1, 3))) for _ in range(8000)}) + COMMON * 20
        self.zh = sorted({"".join(r.choices(ZHC, k=2)) for _ in range(3000)})
        self.seen: set[str] = set()

    def text(self, lo: int, hi: int, zh: bool = False) -> str:
        return ("" if zh else " ").join(self.rng.choices(self.zh if zh else self.en, k=self.rng.randint(lo, hi)))

    def record(self) -> dict:
        """An Alpaca record whose instruction no earlier record had."""
        r = self.rng
        while True:
            if r.random() < 0.1:
                rec = {"instruction": r.choice(ZH_VERBS) + self.text(5, 15, True) + "？", "input": "",
                       "output": self.text(20, 100, True) + "。"}
            else:
                rec = {"instruction": f"{r.choice(VERBS)} {self.text(6, 18)}?", "output": self.text(20, 150) + ".",
                       "input": self.text(10, 40) if r.random() < 0.3 else ""}
            if rec["instruction"] not in self.seen:
                self.seen.add(rec["instruction"])
                return rec

    def edit(self, text: str, k: int) -> str:
        """`text` with k words (two characters in Chinese) replaced; never the same text."""
        w = text.split(" ")
        for _ in range(k):
            if len(w) > 1:
                w[self.rng.randrange(1, len(w))] = self.rng.choice(self.en)
            else:
                p = self.rng.randrange(3, len(w[0]) - 2)
                w[0] = w[0][:p] + self.rng.choice(self.zh) + w[0][p + 2:]
        return " ".join(w) if " ".join(w).split() != text.split() else self.edit(text, k)


def unit_vectors(rng, n: int, centres: np.ndarray | None = None, noise: float = 1.0) -> np.ndarray:
    """Unit rows: `centres` (per row; random planted clusters when None) plus noise of about this norm."""
    if centres is None:
        c = rng.normal(size=(CLUSTERS, DIM))
        centres = (c / np.linalg.norm(c, axis=1, keepdims=True))[rng.integers(0, CLUSTERS, n)]
    v = centres + rng.normal(0, noise / np.sqrt(DIM), (n, DIM))
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def make_a(n: int, m: int, tmp: Path) -> None:
    """v1.jsonl, v2.jsonl, the cache of every instruction's vector, and what was planted (plan_a.json)."""
    words, rng = Words(1), np.random.default_rng(1)
    v1 = [words.record() for _ in range(n)]
    plan = {"removed": round(0.02 * n), "response": round(0.02 * n), "instruction": round(0.01 * n)}
    pick = words.rng.sample(range(n), sum(plan.values()))
    gone, resp, instr = set(pick[:plan["removed"]]), set(pick[plan["removed"]:-plan["instruction"]]), \
        set(pick[-plan["instruction"]:])
    v2 = [(i, {**r, "output": words.edit(r["output"], 3)} if i in resp else
           {**r, "instruction": words.edit(r["instruction"], 2)} if i in instr else r)
          for i, r in enumerate(v1) if i not in gone]
    for _ in range(round(0.02 * n)):
        v2.insert(words.rng.randrange(len(v2) + 1), (-1, words.record()))
    size = max(1, n // 200)
    for _ in range(20):  # blocks moved
        s = words.rng.randrange(len(v2) - size)
        block, v2[s:s + size] = v2[s:s + size], []
        p = words.rng.randrange(len(v2))
        v2[p:p] = block
    texts = {}
    for name, recs in (("v1", v1), ("v2", [r for _, r in v2])):
        (tmp / f"{name}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), "utf-8")
        texts[name] = [f"{r['instruction']}\n\n{r['input']}" if r["input"] else r["instruction"] for r in recs]
    src = np.array([i for i, _ in v2])
    kept, edited_instr = src >= 0, np.isin(src, list(instr))
    va, vb = unit_vectors(rng, n), unit_vectors(rng, len(src))  # added records: anywhere
    vb[kept] = va[src[kept]]
    vb[edited_instr] = unit_vectors(rng, int(edited_instr.sum()), va[src[edited_instr]], 0.35)  # cosine ~0.94
    EmbeddingCache(tmp / "cache.sqlite").store(MODEL, [text_key(t) for t in texts["v1"] + texts["v2"]],
                                               np.vstack([va, vb]))
    want = {"unchanged": n - len(pick), "edited": plan["response"] + plan["instruction"], "removed": plan["removed"],
            "added": int((~kept).sum())}
    (tmp / "plan_a.json").write_text(json.dumps({"texts_a": texts["v1"], "src": src.tolist(), "want": want}))


def part_a(n: int, m: int, tmp: Path) -> tuple[list, list[str]]:
    import pandas as pd

    import explorer.core.compare.diff as D
    from explorer.core.analysis import taxonomy
    from explorer.core.analysis.pipeline import AnalysisParams, Pipeline
    from explorer.core.dataset import load

    plan, rng, cache = json.loads((tmp / "plan_a.json").read_text()), np.random.default_rng(1), \
        EmbeddingCache(tmp / "cache.sqlite")
    embed_cached = lambda texts: embed(no_model, MODEL, list(texts), cache).vectors  # noqa: E731
    start_rss, spent = rss_mib(), Counter()

    def clock(name, fn):  # seconds spent in `fn` where compare_datasets calls it
        def run(*args):
            value, seconds = timed(lambda: fn(*args))
            spent[name] += seconds
            return value
        return run

    (a, b), t_load = timed(lambda: (load(tmp / "v1.jsonl"), load(tmp / "v2.jsonl")))
    vectors, t_vectors = timed(lambda: embed_cached(plan["texts_a"]))  # what `map_from_analysis_folder` reads
    kind_ids, clusters = [k.id for k in taxonomy.load_taxonomy().kinds], rng.integers(0, CLUSTERS, n)
    xy = (rng.normal(size=(CLUSTERS, 2)) * 10)[clusters] + rng.normal(size=(n, 2))
    map_of_a = D.MapOfA(vectors, xy.astype(np.float32), clusters, [kind_ids[c % len(kind_ids)] for c in clusters],
                        {c: f"cluster {c}" for c in range(CLUSTERS)}, "instruction")
    pipeline = Pipeline(a, lambda p: no_model(), cache)  # the kind bank's vectors ship: nothing to embed
    predict = clock("kinds", lambda texts, turns: pipeline.predict_kinds(texts, AnalysisParams(), user_turns=turns))
    D.version_texts, D.match_versions = clock("texts", D.version_texts), clock("match", D.match_versions)
    diff, t_total = timed(lambda: D.compare_datasets(a, b, embed_cached, map_of_a, predict))
    report, t_json = timed(lambda: diff.to_json())
    ours_rss = rss_mib()

    def raw():
        frames = [pd.read_json(tmp / f"{v}.jsonl", lines=True, dtype=False) for v in ("v1", "v2")]
        for f in frames:
            norm = {c: f[c].str.split().str.join(" ") for c in ("instruction", "input", "output")}
            f["ki"] = pd.util.hash_pandas_object(norm["instruction"] + "\x1f" + norm["input"], index=False)
            f["k"] = pd.util.hash_pandas_object(f["ki"].astype(str) + "\x1f" + norm["output"], index=False)
        fa, fb = frames
        both = fa[["k"]].merge(fb[["k"]], on="k", how="outer", indicator=True)["_merge"].value_counts()["both"]
        left, right = fa[~fa.k.isin(fb.k)], fb[~fb.k.isin(fa.k)]
        c = left[["ki"]].merge(right[["ki"]], on="ki", how="outer", indicator=True)["_merge"].value_counts()
        return {"unchanged": int(both), "edited": int(c["both"]), "removed": int(c["left_only"]),
                "added": int(c["right_only"])}
    raw_counts, t_raw = timed(raw)

    src, want, got = np.array(plan["src"]), plan["want"], diff.counts()
    truth = np.full(n, -1)
    truth[src[src >= 0]] = np.flatnonzero(src >= 0)
    mismatch = "MISMATCH (no embeddings: an edited instruction is a removal and an addition)"
    lines = [f"A) {n:,} vs {len(b):,} records; planted {want}",
             f"   ours   {got}  {'OK' if got == want else 'MISMATCH'}; pairs as planted: "
             f"{int((diff.matching.a_partner == truth).sum()):,}/{n:,}; paired by {report['paired_by']}",
             f"   pandas {raw_counts}  {'OK' if raw_counts == want else mismatch}",
             f"   {len(report['edited']):,} edited records with word diffs in to_json(); nothing embedded for real",
             f"   peak RSS MiB: plan read {start_rss:,.0f}, after ours {ours_rss:,.0f}, after pandas {rss_mib():,.0f}"]
    rest = t_total - spent["texts"] - spent["match"] - spent["kinds"]
    rows = [("load A + B", t_load, None, ""), ("version_texts A + B", spent["texts"], None, ""),
            ("match_versions (3 passes)", spent["match"], None, ""),
            ("counts: load + version_texts + match", t_load + spent["texts"] + spent["match"], t_raw,
             "raw: pandas read_json + 2 hash merges"),
            ("A's vectors from the cache (map of A)", t_vectors, None, f"{n:,} cached vectors"),
            ("predict_kinds of B's new records", spent["kinds"], None, "real Pipeline.predict_kinds"),
            ("placement + shifts (rest of compare)", rest, None, ""),
            ("compare_datasets total", t_total, None, ""), ("VersionDiff.to_json (word diffs)", t_json, None, ""),
            ("all: load + vectors + compare + to_json", t_load + t_vectors + t_total + t_json, None, "target <= 60 s")]
    return rows, lines


def make_b(n: int, m: int, tmp: Path) -> None:
    """eval.jsonl, the eval items' vectors in a cache, the training texts and vectors with plants (plan_b.json)."""
    words, rng = Words(2), np.random.default_rng(2)
    items = [f"{words.rng.choice(TEMPLATES)} {words.text(15, 30)}?" if k % 10 < 6 else f"{words.text(15, 30)}?"
             if k % 10 < 9 else ZH_TEMPLATE + words.text(12, 25, True) for k in range(m)]
    (tmp / "eval.jsonl").write_text("".join(json.dumps({"instruction": t, "input": "", "output": "A"},
                                                       ensure_ascii=False) + "\n" for t in items), "utf-8")
    ivec, tvec = unit_vectors(rng, m), unit_vectors(rng, n)
    EmbeddingCache(tmp / "eval-cache.sqlite").store(MODEL, [text_key(t) for t in items], ivec)
    train = [f"{r['instruction']}\n\n{r['input']}".strip() for r in (words.record() for _ in range(n))]
    want = {kind: round(c * m / 10_000) for kind, c in
            {"exact": 300, "in a longer prompt": 200, "Chinese": 100, "paraphrase": 200}.items()}
    en = words.rng.sample([k for k in range(m) if k % 10 != 9], sum(want.values()) - want["Chinese"])
    zh = words.rng.sample([k for k in range(m) if k % 10 == 9], want["Chinese"])
    chosen, planted, decoys = iter(words.rng.sample(range(n), n)), {}, {}
    for kind, count in want.items():
        for k in (zh if kind == "Chinese" else [en.pop() for _ in range(count)]):
            r = next(chosen)
            train[r] = {"in a longer prompt": f"Hi! I need help with my homework: {items[k]} Explain step by step.",
                        "paraphrase": " ".join(words.rng.choice(words.en) if i % 4 == 3 else x
                                               for i, x in enumerate(items[k].split(" ")))}.get(kind, items[k])
            tvec[r] = ivec[k] if kind != "paraphrase" else unit_vectors(rng, 1, ivec[k][None], 0.33)[0]
            planted[r] = (kind, k)
    for kind, count in (("English template", n // 100), ("Chinese template", n // 1000)):
        for _ in range(count):  # unplanted decoys: the eval items' template wording, other content
            r = next(chosen)
            decoys[r] = kind
            train[r] = f"{words.rng.choice(TEMPLATES)} {words.text(15, 30)}?" if kind[0] == "E" else \
                ZH_TEMPLATE + words.text(12, 25, True)
    np.save(tmp / "train.npy", tvec)
    (tmp / "plan_b.json").write_text(json.dumps({"train": train, "planted": planted, "decoys": decoys,
                                                 "want": want}))


def part_b(n: int, m: int, tmp: Path) -> tuple[list, list[str]]:
    from explorer.core.analysis import eval_overlap as E
    from explorer.core.analysis.nearest import nearest

    cand = getattr(E, "EMBEDDING_CANDIDATES", 1)  # nearest items find_overlaps checks
    plan, tvec = json.loads((tmp / "plan_b.json").read_text()), np.load(tmp / "train.npy")
    train, want, start_rss = plan["train"], plan["want"], rss_mib()
    planted, decoys = {int(r): v for r, v in plan["planted"].items()}, {int(r): v for r, v in plan["decoys"].items()}
    sets, t_sets = timed(lambda: E.load_eval_sets([str(tmp / "eval.jsonl")]))
    cache = EmbeddingCache(tmp / "eval-cache.sqlite")
    ivec, t_ivec = timed(lambda: embed(no_model, MODEL, sets.texts, cache).vectors)
    _, t_grams = timed(lambda: E.ngram_matches(train, sets.texts, 13))
    _, t_near = timed(lambda: nearest(tvec, ivec, k=cand))
    found, t_find = timed(lambda: E.find_overlaps(train, tvec, sets, ivec, 13, 0.90))
    ours_rss = rss_mib()

    def raw_grams():
        grams = {tuple(w[i:i + 13]) for t in sets.texts for w in [t.lower().split()] for i in range(len(w) - 12)}
        return [any(tuple(w[i:i + 13]) in grams for i in range(len(w) - 12))
                for w in (t.lower().split() for t in train)]
    raw_hit, t_raw_grams = timed(raw_grams)
    raw_best, t_raw_matrix = timed(lambda: np.concatenate([(tvec[s:s + 4096] @ ivec.T).max(axis=1)
                                                           for s in range(0, n, 4096)]))

    def recall(flagged, item=None) -> str:
        hit = Counter(kind for r, (kind, k) in planted.items() if flagged(r))
        right = Counter(kind for r, (kind, k) in planted.items() if item and item(r) == k)
        fp = Counter(decoys.get(r, "other") for r in range(n) if r not in planted and flagged(r))
        return ", ".join(f"{kind} {hit[kind]}/{c}" + (f" ({right[kind]} right item)" if item else "")
                         for kind, c in want.items()) + "; unplanted flagged: " + ", ".join(
            f"{kind} {fp[kind]:,}/{c:,}" for kind, c in Counter(decoys.values()).items()) + f", other {fp['other']:,}"
    how = Counter(o.how for o in found if o is not None)
    lines = [f"B) {n:,} training instructions vs {len(sets):,} eval items",
             f"   ours: {recall(lambda r: found[r] is not None, lambda r: found[r].item)}; matched by {dict(how)}",
             f"   raw:  {recall(lambda r: bool(raw_hit[r] or raw_best[r] >= 0.90))}",
             f"   peak RSS MiB: plan read {start_rss:,.0f}, after ours {ours_rss:,.0f}, after raw {rss_mib():,.0f}"]
    rows = [("load_eval_sets", t_sets, None, ""), ("eval item vectors from the cache", t_ivec, None, ""),
            ("ngram_matches (13 units)", t_grams, t_raw_grams, "raw: plain 13-word-gram set, no masking"),
            (f"nearest(train, items, k={cand})", t_near, t_raw_matrix, "raw: numpy train x eval product, row max"),
            ("find_overlaps total", t_find, t_raw_grams + t_raw_matrix, "raw: the two above"),
            ("all: load + vectors + find_overlaps", t_sets + t_ivec + t_find, None, "target <= 60 s")]
    return rows, lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--eval-items", type=int, default=10_000)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="sft-bench-") as tmp:
        for step in (make_a, part_a, make_b, part_b):
            with multiprocessing.get_context("spawn").Pool(1) as pool:  # a fresh process each: its own peak RSS
                result = pool.apply(step, (args.records, args.eval_items, Path(tmp)))
            if result:
                results.append(result)
    print(f"\n  {'stage':<42} {'ours s':>8} {'raw s':>8} {'raw/ours':>8}")
    for rows, lines in results:
        print("\n".join(lines))
        for stage, ours, raw, note in rows:
            ratio, raw_text = (f"{raw / ours:7.2f}x", f"{raw:8.2f}") if raw else ("       -", "       -")
            print(f"  {stage:<42} {ours:8.2f} {raw_text} {ratio}  {note}")


if __name__ == "__main__":
    main()
