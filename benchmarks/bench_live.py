"""Time from an edit to every panel updated (live curation state), on a 100k-record dataset, offscreen.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_live.py [--records 100000] [--bulk 10000] [--repeat 5]

The window is the real MainWindow with the real Document; the analysis is synthetic (random clusters, kinds,
flags, tokens and map positions) so that no embedding or UMAP run is needed. Measured: `Document.apply` of
(a) one record's response edited (re-checked, every count refreshed) and (b) a bulk delete, each followed by
processing pending events, i.e. until the panels, the legend, the table and the map style are up to date. For
comparison, the same counts (clusters, kinds, flags over the records left) recomputed from scratch with pandas.
Targets (issue 13): ≤ 50 ms for one record, ≤ 1 s for a 10,000-record delete.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from explorer.core.analysis import checks, clustering, taxonomy  # noqa: E402
from explorer.core.analysis.pipeline import Analysis, AnalysisParams  # noqa: E402
from explorer.core.analysis.texts import read_texts  # noqa: E402
from explorer.core.curation import edits as E  # noqa: E402


def make_dataset(folder: Path, n: int) -> Path:
    path = folder / "live.jsonl"
    with path.open("w") as f:
        for i in range(n):
            f.write(json.dumps({"instruction": f"Question {i}: how many apples are {i % 97} plus {i % 13}?",
                                "input": "", "output": str(i % 97 + i % 13)}) + "\n")
    return path


def synthetic_analysis(dataset, rng: np.random.Generator) -> Analysis:
    n = len(dataset)
    texts = read_texts(dataset)
    kinds_pool = [k.id for k in taxonomy.load_taxonomy().kinds] + [taxonomy.UNASSIGNED]
    flags_pool = list(checks.FLAGS)
    clusters = rng.integers(-1, 120, n)
    flags = [[flags_pool[j] for j in rng.choice(len(flags_pool), rng.integers(0, 3), replace=False)] for _ in range(n)]
    kinds = [kinds_pool[k] for k in rng.integers(0, len(kinds_pool), n)]
    toks = {name: rng.integers(5, 3000, n) for name in ("instruction", "response", "conversation")}
    return Analysis(params=AnalysisParams(model="synthetic"), texts=texts, tokens=toks,
                    vectors=np.full((n, 4), 0.5, np.float32), xy=rng.normal(size=(n, 2)).astype(np.float32),
                    clusters=clusters, keywords={c: [f"word{c}", "other"] for c in range(120)},
                    balance=clustering.balance(clusters), flags=flags, duplicate_of=[None] * n, kinds=kinds,
                    kind_reasons=[""] * n, coverage=taxonomy.coverage(taxonomy.load_taxonomy(), kinds), facts={},
                    embedding={"device": "none", "computed": 0, "cached": 0}, neighbors=None)


class TinyEmbedder:
    """Re-embedding an edited record (to place it on the map) runs in the background; this keeps it trivial."""

    model_id, device, batch_size, dim = "synthetic", "cpu", 16, 4

    def encode(self, texts):
        v = np.ones((len(texts), self.dim), np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def pandas_counts(analysis: Analysis, alive: np.ndarray) -> None:
    import pandas as pd

    frame = pd.DataFrame({"cluster": analysis.clusters, "kind": analysis.kinds, "alive": alive})
    frame = frame[frame.alive]
    frame["cluster"].value_counts()
    frame["kind"].value_counts()
    pd.Series([f for fs, a in zip(analysis.flags, alive) if a for f in fs]).value_counts()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--bulk", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from explorer.app.workspace import Loaded
    from explorer.core.dataset import load
    from explorer.ui.document import Document
    from explorer.ui.main_window import MainWindow
    from explorer.workers.jobs import JobRunner

    app = QApplication.instance() or QApplication([])
    tmp = Path(tempfile.mkdtemp())
    os.environ["SFT_EXPLORER_HOME"] = str(tmp / "home")
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    dataset = load(make_dataset(tmp, args.records))
    analysis = synthetic_analysis(dataset, rng)
    print(f"{args.records:,} records made and read in {time.perf_counter() - t0:.1f} s")

    document = Document(JobRunner(), embedder_factory=lambda p: TinyEmbedder())
    window = MainWindow(document, QSettings(str(tmp / "settings.ini"), QSettings.IniFormat))
    window.resize(1500, 950)
    window.show()
    document.workspace.load_done(Loaded(dataset, {}))
    window.stack.setCurrentIndex(1)
    document.workspace.analysis_done(analysis)
    app.processEvents()

    def timed(edit) -> float:
        start = time.perf_counter()
        document.apply(edit)
        app.processEvents()
        return (time.perf_counter() - start) * 1000

    one, bulk, undo, raw = [], [], [], []
    for k in range(args.repeat):
        rid = int(rng.integers(args.records))
        one.append(timed(E.SetField(rid, "response", f"There are {k} apples because 3 + {k} = {k + 3}.")))
        ids = tuple(int(i) for i in rng.choice(args.records, args.bulk, replace=False))
        bulk.append(timed(E.Delete(ids)))
        start = time.perf_counter()
        document.undo()
        app.processEvents()
        undo.append((time.perf_counter() - start) * 1000)
        alive = document.live.alive.copy()
        alive[list(ids)] = False
        start = time.perf_counter()
        pandas_counts(analysis, alive)
        raw.append((time.perf_counter() - start) * 1000)
    rows = [("edit 1 record → all panels", one, 50), (f"delete {args.bulk:,} records → all panels", bulk, 1000),
            ("undo that delete → all panels", undo, 1000),
            ("pandas: cluster/kind/flag counts from scratch (no UI)", raw, None)]
    print(f"\n{'what':58} {'median ms':>10} {'max ms':>10} {'target':>8}")
    for name, values, target in rows:
        print(f"{name:58} {statistics.median(values):10.1f} {max(values):10.1f} "
              f"{(str(target) + ' ms') if target else '':>8}")
    window.close()


if __name__ == "__main__":
    main()
