"""A million-record analysis on one machine: `analyze --vectors` on a generated dataset with planted topics.

    python benchmarks/bench_million.py [--records 1000000] [--topics 40] [--keep DIR] [--compare-placement 200000]

1. Generates a JSONL of `--records` instruction/response pairs over `--topics` planted topics (each topic its own
   template and words) and a vectors folder beside it (synthetic 384-d topic vectors: a topic centre plus noise,
   what a sentence model gives for one kind of request), as `sft-explorer embed` would write it.
2. Runs `sft-explorer analyze DATA --vectors DIR --out OUT` in a fresh process and reports the end-to-end time, the
   peak RSS (the process and its children) and the time of every analysis stage (summary.json's `seconds`).
3. Scores the result: adjusted Rand index of the clusters against the planted topics (noise counted as its own
   label, so unclustered records count against it), and near-duplicate recall on planted copies.
4. `--compare-placement N`: on N records, the two ways of placing the records the map was not fitted on —
   UMAP's own `transform` and this project's neighbour-weighted placement — for time and quality (how often a placed
   record's nearest fitted record on the 2-D map has its topic).

Targets (issue 10): end to end ≤ 15 min and peak RSS ≤ 8 GB on a 2-core box; ARI ≥ 0.9.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from explorer.core.analysis.vectors_folder import VectorsWriter  # noqa: E402

DIM = 384
COPIES = 0.002
"""Share of records that are a planted near-copy of another record (same topic, vector nudged)."""


def vocabulary(size: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ren", "tu", "sa", "vi", "no", "pe", "dra", "qui", "zo", "bel", "ta", "fu"]
    return ["".join(rng.choices(syllables, k=3)) for _ in range(size)]


def topic_templates(topics: int) -> list[str]:
    """One request template per topic: its own verb phrase and two words; the blanks take words shared by all."""
    rng = random.Random(7)
    own = vocabulary(2 * topics, 11)
    verbs = ["Explain", "Summarize", "List", "Compare", "Describe", "Classify", "Rewrite", "Translate"]
    return [f"{rng.choice(verbs)} the {own[2 * t]} {own[2 * t + 1]} of {{a}} and {{b}} for {{n}} people"
            for t in range(topics)]


def generate(folder: Path, n: int, topics: int, seed: int = 1) -> tuple[Path, np.ndarray, np.ndarray]:
    """(dataset path, planted topic per record, planted copy pairs (source, copy)); the vectors folder is written
    beside. A copy repeats an earlier record's request with a word added, as near-duplicates do."""
    rng = np.random.default_rng(seed)
    templates = topic_templates(topics)
    shared = vocabulary(3000, 13)
    topic = rng.integers(0, topics, n)
    copies = np.sort(rng.choice(np.arange(1, n), int(n * COPIES), replace=False))
    source = (rng.random(len(copies)) * copies).astype(np.int64)
    copy_of = dict(zip(copies.tolist(), source.tolist()))
    sources = set(source.tolist())
    topic[copies] = topic[source]
    path = folder / "million.jsonl"
    pick = rng.integers(0, len(shared), (n, 2))
    texts: dict[int, str] = {}
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            if i in copy_of:
                text = texts[copy_of[i]] + " please"
            else:
                text = templates[topic[i]].format(a=shared[pick[i, 0]], b=shared[pick[i, 1]], n=i)
            if i in sources:
                texts[i] = text
            f.write(json.dumps({"instruction": text, "input": "", "output": f"Here is the answer: "
                                f"{shared[pick[i, 1]]} comes before {shared[pick[i, 0]]}."}) + "\n")
    centres = np.random.default_rng(0).normal(size=(topics, DIM)).astype(np.float32)
    writer = VectorsWriter(folder / "million.jsonl.vectors", "synthetic-topics", "instruction", DIM, n)
    chunk = 100_000
    for start in range(0, n, chunk):
        ids = np.arange(start, min(n, start + chunk))
        v = centres[topic[ids]] + rng.normal(0, 0.9, (len(ids), DIM)).astype(np.float32)
        writer.write(ids, v / np.linalg.norm(v, axis=1, keepdims=True))
    writer.finish()
    _plant_copies(folder / "million.jsonl.vectors", copies, source, rng)
    return path, topic, np.stack([source, copies], axis=1)


def _plant_copies(folder: Path, copies: np.ndarray, source: np.ndarray, rng) -> None:
    """Rewrite the copies' vectors as their source's plus a small nudge (cosine ≈ 0.98)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    tables = {p: pq.read_table(p) for p in sorted(folder.glob("part-*.parquet"))}
    vectors = {}
    for p, t in tables.items():
        ids = t.column("id").to_numpy()
        flat = t.column("vector").combine_chunks().flatten().to_numpy().reshape(len(ids), DIM)
        vectors[p] = (ids, flat.copy())
    by_id = {}
    for p, (ids, flat) in vectors.items():
        for pos in range(len(ids)):
            by_id[int(ids[pos])] = (p, pos)
    for c, s in zip(copies.tolist(), source.tolist()):
        sp, spos = by_id[s]
        cp, cpos = by_id[c]
        v = vectors[sp][1][spos] + rng.normal(0, 0.01, DIM).astype(np.float32)
        vectors[cp][1][cpos] = v / np.linalg.norm(v)
    for p, (ids, flat) in vectors.items():
        values = pa.FixedSizeListArray.from_arrays(pa.array(flat.reshape(-1)), DIM)
        pq.write_table(pa.table({"id": pa.array(ids), "vector": values}), p)


class PeakRSS(threading.Thread):
    """Samples the memory of a process and its children (Linux /proc) a few times a second: resident (RSS, which
    counts a file two processes map once in each) and proportional (PSS, which splits shared pages among them)."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.peak_pss, self.running = pid, 0, 0, True

    def run(self) -> None:
        while self.running:
            rss, pss = _tree_memory(self.pid)
            self.peak, self.peak_pss = max(self.peak, rss), max(self.peak_pss, pss)
            time.sleep(0.2)


def _tree_memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes of a process and its descendants."""
    rss = pss = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            rss += _kb_field(Path(f"/proc/{p}/status"), "VmRSS:")
            pss += _kb_field(Path(f"/proc/{p}/smaps_rollup"), "Pss:")
            for task in Path(f"/proc/{p}/task").iterdir():  # children of every thread, not only the main one
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            pass
    return rss, pss


def _kb_field(path: Path, name: str) -> int:
    for line in path.read_text().splitlines():
        if line.startswith(name):
            return int(line.split()[1]) * 1024
    return 0


def run_analysis(path: Path, out: Path) -> tuple[float, int, dict]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    cmd = [sys.executable, "-c", "import sys; from explorer.cli.main import main; sys.exit(main())", "analyze",
           str(path), "--vectors", f"{path}.vectors", "--out", str(out), "--no-eval"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=Path(__file__).resolve().parents[1])
    watch = PeakRSS(proc.pid)
    watch.start()
    rc = proc.wait()
    watch.running = False
    elapsed = time.perf_counter() - start
    if rc != 0:
        raise SystemExit(f"analyze failed with exit code {rc}")
    return elapsed, watch.peak, json.loads((out / "summary.json").read_text(encoding="utf-8"))


def score(out: Path, topic: np.ndarray, pairs: np.ndarray) -> dict:
    from sklearn.metrics import adjusted_rand_score

    clusters = np.empty(len(topic), np.int64)
    near = np.full(len(topic), -1, np.int64)
    with (out / "records.jsonl").open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            clusters[r["id"]] = r["cluster"]
            if r.get("near_duplicate_of") is not None:
                near[r["id"]] = r["near_duplicate_of"]
    found = sum(1 for s, c in pairs.tolist() if near[c] == s or near[s] == c or
                (near[c] >= 0 and near[c] == near[s]))
    return {"ari": adjusted_rand_score(topic, clusters), "noise": float((clusters < 0).mean()),
            "clusters": int(clusters.max() + 1), "copy_recall": found / max(1, len(pairs))}


def compare_placement(n: int, topics: int, fit: int) -> None:
    """UMAP transform vs neighbour-weighted placement of n − fit records onto a map fitted on `fit` records."""
    import umap

    from explorer.core.analysis import projection

    rng = np.random.default_rng(3)
    topic = rng.integers(0, topics, n)
    centres = np.random.default_rng(0).normal(size=(topics, DIM)).astype(np.float32)
    v = centres[topic] + rng.normal(0, 0.9, (n, DIM)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    fitted, rest = np.arange(fit), np.arange(fit, n)
    start = time.perf_counter()
    reducer = umap.UMAP(n_components=2, metric="cosine", random_state=42).fit(v[fitted])
    t_fit = time.perf_counter() - start
    start = time.perf_counter()
    xy_umap = reducer.transform(v[rest])
    t_umap = time.perf_counter() - start
    start = time.perf_counter()
    xy_ours = projection.place(v[rest], v[fitted], reducer.embedding_)
    t_ours = time.perf_counter() - start
    print(f"\nPlacing {len(rest):,} records on a map fitted on {fit:,} (UMAP fit: {t_fit:.0f} s)")
    print("| method | seconds | placed record's nearest fitted record on the map has its topic |")
    print("|---|---|---|")
    from scipy.spatial import cKDTree

    tree = cKDTree(reducer.embedding_)
    for name, xy, t in (("umap.UMAP.transform", xy_umap, t_umap), ("ours: neighbour-weighted", xy_ours, t_ours)):
        _, idx = tree.query(xy, k=1)
        agree = float((topic[fitted][idx] == topic[rest]).mean())
        print(f"| {name} | {t:.1f} | {agree:.3f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--topics", type=int, default=40)
    ap.add_argument("--keep", type=Path, help="folder to generate into and keep (default: a temporary one)")
    ap.add_argument("--compare-placement", type=int, default=0, metavar="N")
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench_million_"))
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    path, topic, pairs = generate(folder, args.records, args.topics)
    print(f"Generated {args.records:,} records over {args.topics} topics + vectors folder in "
          f"{time.perf_counter() - start:.0f} s ({path.stat().st_size / 2**20:.0f} MiB JSONL)")
    elapsed, peak, summary = run_analysis(path, folder / "out")
    print(f"\n`sft-explorer analyze --vectors`, {args.records:,} records: **{elapsed / 60:.1f} min** end to end, "
          f"peak RSS **{peak / 2**30:.2f} GB** (target ≤ 15 min, ≤ 8 GB)")
    print("| stage | seconds |\n|---|---|")
    for stage, secs in sorted(summary["seconds"].items(), key=lambda kv: -kv[1]):
        print(f"| {stage} | {secs:.1f} |")
    s = score(folder / "out", topic, pairs)
    print(f"\nClusters vs planted topics: ARI **{s['ari']:.3f}** (target ≥ 0.9), {s['clusters']} clusters for "
          f"{args.topics} topics, noise {s['noise']:.1%}; planted near-copies found: {s['copy_recall']:.1%}")
    if args.compare_placement:
        compare_placement(args.compare_placement, args.topics, 50_000)


if __name__ == "__main__":
    main()
