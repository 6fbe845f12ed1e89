"""Open time and peak memory: SFT Explorer's loader vs `datasets.load_dataset("json")` on the same JSONL.

Generates an Alpaca-style JSONL (1,000,000 records by default), then opens it in fresh processes, one per
tool, each run `--repeat` times, first load with an empty `datasets` cache each time. Prints a table.

    python benchmarks/bench_open.py [--records N] [--repeat K] [--keep FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

WORDS = ("the a model data answer question explain write list code python story poem summary translate "
         "classify extract reason step because therefore 数据 模型 翻译 总结 解释").split()

CHILD = {
    "sft-explorer": """
import resource, time, sys
t0 = time.perf_counter()
from explorer.core.dataset import load
t1 = time.perf_counter()
ds = load(sys.argv[1])
t2 = time.perf_counter()
assert len(ds) == int(sys.argv[2]), len(ds)
print(t1 - t0, t2 - t1, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, BASE,
      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
""",
    "datasets": """
import resource, time, sys, tempfile
t0 = time.perf_counter()
import datasets
datasets.disable_progress_bars()
t1 = time.perf_counter()
ds = datasets.load_dataset("json", data_files=sys.argv[1], split="train", cache_dir=tempfile.mkdtemp())
t2 = time.perf_counter()
assert len(ds) == int(sys.argv[2]), len(ds)
print(t1 - t0, t2 - t1, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, BASE,
      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
""",
}
# Peak RSS of the bare interpreter with the tool imported, to tell what loading itself added.
BASE_PROBE = "BASE = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024"


def generate(path: Path, n: int) -> None:
    rng = random.Random(7)
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            record = {
                "instruction": " ".join(rng.choices(WORDS, k=rng.randint(6, 24))),
                "input": "" if i % 3 else " ".join(rng.choices(WORDS, k=rng.randint(3, 12))),
                "output": " ".join(rng.choices(WORDS, k=rng.randint(12, 80))),
            }
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


def run_child(tool: str, path: Path, n: int) -> tuple[float, float, int, int, int]:
    code = CHILD[tool].replace("t1 = time.perf_counter()\n", "t1 = time.perf_counter()\n" + BASE_PROBE + "\n", 1)
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", code, str(path), str(n)], capture_output=True, text=True, env=env)
    if out.returncode:
        raise SystemExit(f"{tool} failed:\n{out.stderr}")
    imp, load, peak, base, helper = out.stdout.split()
    return float(imp), float(load), int(peak), int(base), int(helper)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="reuse/keep the generated file here")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sft-bench-"))
    path = args.keep or folder / "alpaca.jsonl"
    if not path.exists():
        print(f"generating {args.records:,} records ...", file=sys.stderr)
        generate(path, args.records)
    size = path.stat().st_size
    print(f"file: {args.records:,} Alpaca records, {size / 2**20:.0f} MiB; {args.repeat} runs each, fresh processes\n")
    print(f"{'loader':<14} {'import s':>9} {'open s (median)':>16} {'open s (min)':>13} {'peak RSS MiB':>13} "
          f"{'RSS / file':>11} {'added by open / file':>21} {'helper peak MiB':>16} {'(all) / file':>13}")
    results = {}
    for tool in CHILD:
        runs = [run_child(tool, path, args.records) for _ in range(args.repeat)]
        imp = statistics.median(r[0] for r in runs)
        loads = [r[1] for r in runs]
        peak = max(r[2] for r in runs)
        added = max(r[2] - r[3] for r in runs)
        helper = max(r[4] for r in runs)
        results[tool] = statistics.median(loads)
        print(f"{tool:<14} {imp:>9.2f} {statistics.median(loads):>16.2f} {min(loads):>13.2f} {peak / 2**20:>13.0f} "
              f"{peak / size:>11.2f} {added / size:>21.2f} {helper / 2**20:>16.0f} {(peak + helper) / size:>13.2f}")
    ratio = results["datasets"] / results["sft-explorer"]
    print(f"\nsft-explorer opens {ratio:.2f}x as fast as datasets.load_dataset (target: >= 1.0); "
          f"peak memory target: <= 3x file size (helper: sft-explorer's second-core scan process)")
    if not args.keep:
        path.unlink()


if __name__ == "__main__":
    main()
