"""Edit-to-durable latency and recipe replay speed of the session store (SQLite WAL, synchronous=FULL).

    python benchmarks/bench_edits.py [--edits 10000] [--recipe 100000]

Every edit is committed (fsync'd) before `Session.apply` returns; this measures exactly that call. For comparison,
the same number of raw `INSERT` + commit round trips on a bare SQLite file with the same settings is timed too.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from explorer.core.curation import edits as E  # noqa: E402
from explorer.core.curation.recipes import apply_recipe, read_recipe  # noqa: E402
from explorer.core.curation.session import Session  # noqa: E402
from explorer.core.dataset import load  # noqa: E402


def make_dataset(folder: Path, n: int) -> Path:
    path = folder / "data.jsonl"
    with path.open("w") as f:
        for i in range(n):
            f.write(json.dumps({"instruction": f"question {i}", "input": "", "output": f"answer {i}"}) + "\n")
    return path


def random_edit(rng: random.Random, n: int, k: int) -> E.Edit:
    rid = rng.randrange(n)
    return rng.choice([E.Tag((rid,), f"t{k % 5}"), E.Delete((rid,)), E.Restore((rid,)),
                       E.SetField(rid, "response", f"edited {k}")])


def pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=10_000)
    parser.add_argument("--recipe", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=50_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sft-edits-"))
    os.environ["SFT_EXPLORER_HOME"] = str(folder / "home")
    dataset = load(make_dataset(folder, args.records))
    rng = random.Random(3)

    raw = sqlite3.connect(folder / "raw.sqlite", isolation_level=None)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("PRAGMA synchronous=FULL")
    raw.execute("CREATE TABLE t (seq INTEGER PRIMARY KEY, edit TEXT)")
    raw_lat = []
    for k in range(args.edits):
        start = time.perf_counter()
        raw.execute("INSERT INTO t (edit) VALUES (?)", (json.dumps(random_edit(rng, args.records, k).to_json()),))
        raw_lat.append((time.perf_counter() - start) * 1000)

    latencies = []
    with Session(dataset, folder / "session.sqlite") as session:
        for k in range(args.edits):
            edit = random_edit(rng, args.records, k)
            start = time.perf_counter()
            session.apply(edit)
            latencies.append((time.perf_counter() - start) * 1000)
    print(f"{args.edits:,} single edits, each committed durably (dataset of {args.records:,} records)")
    print(f"  {'':<28} {'median ms':>10} {'p99 ms':>8} {'max ms':>8}")
    print(f"  {'Session.apply':<28} {statistics.median(latencies):>10.2f} {pct(latencies, 0.99):>8.2f} "
          f"{max(latencies):>8.2f}   targets: median <= 5, p99 <= 20")
    print(f"  {'raw sqlite INSERT+commit':<28} {statistics.median(raw_lat):>10.2f} {pct(raw_lat, 0.99):>8.2f} "
          f"{max(raw_lat):>8.2f}")

    recipe = folder / "recipe.jsonl"
    with recipe.open("w") as f:
        for k in range(args.recipe):
            f.write(json.dumps(random_edit(rng, args.records, k).to_json()) + "\n")
    os.environ["SFT_EXPLORER_HOME"] = str(folder / "home2")
    start = time.perf_counter()
    with Session(load(dataset.path)) as session:
        outcomes = apply_recipe(session, read_recipe(recipe), lambda o: None)
    took = time.perf_counter() - start
    print(f"\nrecipe of {args.recipe:,} edits applied, one durable commit each: {took:.1f} s "
          f"({args.recipe / took:,.0f} edits/s; {sum(1 for o in outcomes if o.error)} skipped)   target: <= 30 s")
    start = time.perf_counter()
    with Session(load(dataset.path)) as session:
        replayed = session.replay.edits
    print(f"reopening that session (replaying {replayed:,} journal rows): {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
