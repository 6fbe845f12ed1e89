"""Task kinds and clusters on labelled public instruction data: the analysis users run, with default settings.

    python benchmarks/bench_kinds.py --data DIR [DIR ...] [--weights 1,0.5,0.3] [--model all-MiniLM-L6-v2]
                                     [--kind-model use-multilingual-v3|same]

DIR holds the downloaded sets that `kind_sets.py` lists (none of them is in the repository). For each set it
writes the instructions as a prompt-only JSONL file, opens it like the app does, and runs the pipeline once per
embedding weight (1 = sentence embedding only; below 1 the rest is character n-grams). It prints per set: cluster
NMI and ARI against the source's own task labels, NMI against its finest task labels (the tasks within a Super-NI
category; the same labels for the other sets), kind accuracy (a prediction is right when it is one of the kinds
`kind_label_map.json` accepts for the source's label), the unassigned share, the three worst source labels with
what they were taken for, and seconds per stage; then, per language, kind accuracy by confidence (what the app's
'to check' counts rest on). Embeddings are cached, so only the first run embeds.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kind_sets import load_sets  # noqa: E402


def run_set(items, params, cache, folder: Path):
    from explorer.core.analysis.pipeline import Pipeline
    from explorer.core.dataset import load as load_dataset

    path = folder / "set.jsonl"
    path.write_text("".join(json.dumps({"instruction": it.text}, ensure_ascii=False) + "\n" for it in items),
                    encoding="utf-8")
    dataset = load_dataset(path)
    start = time.perf_counter()
    analysis = Pipeline(dataset, cache=cache).run(params)
    return analysis, time.perf_counter() - start


def scores(items, analysis):
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    truth = [it.label for it in items]
    clusters = analysis.clusters.tolist()
    right = sum(k in it.accepted for k, it in zip(analysis.kinds, items))
    unassigned = sum(k == "unassigned" for k in analysis.kinds)
    misses: dict[str, Counter] = {}
    per_label = Counter(truth)
    for k, it in zip(analysis.kinds, items):
        if k not in it.accepted:
            misses.setdefault(it.label, Counter())[k] += 1
    worst = sorted(misses, key=lambda lab: -sum(misses[lab].values()) / per_label[lab])[:3]
    confusion = ["{} ({}/{} wrong: {})".format(lab, sum(misses[lab].values()), per_label[lab],
                                              ", ".join(f"{k} {c}" for k, c in misses[lab].most_common(3)))
                 for lab in worst]
    finest = [it.task or it.label for it in items]
    return {"nmi": normalized_mutual_info_score(truth, clusters),
            "nmi_task": normalized_mutual_info_score(finest, clusters), "ari": adjusted_rand_score(truth, clusters),
            "accuracy": right / len(items), "unassigned": unassigned / len(items), "confusion": confusion,
            "right": [k in it.accepted for k, it in zip(analysis.kinds, items)],
            "confidence": analysis.kind_confidence.astype(float).tolist()}


def print_calibration(by_lang: dict[str, list[tuple[float, bool]]]) -> None:
    """Kind accuracy by confidence: the app counts kinds under `SURE` as the ones to check."""
    import numpy as np

    from explorer.core.analysis.kind_classifier import SURE

    print(f"\nKind accuracy by confidence (the app's 'to check': under {SURE:.2f}):")
    edges = [0, 0.1, 0.15, SURE, 0.3, 0.4, 0.5, 1.01]
    for lang, pairs in sorted(by_lang.items()):
        conf = np.array([c for c, _ in pairs])
        right = np.array([r for _, r in pairs])
        under = conf < SURE
        cells = [f"{lo:.2f}–{min(hi, 1):.2f}: {right[m].mean():.2f} ({m.mean():.0%})"
                 for lo, hi in zip(edges, edges[1:]) if (m := (conf >= lo) & (conf < hi)).any()]
        low, high = (right[m].mean() if m.any() else float("nan") for m in (under, ~under))
        print(f"  {lang}: under {SURE:.2f} {low:.2f} ({under.mean():.0%} of records), at or above {high:.2f}; "
              "by bucket: " + ", ".join(cells))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, nargs="+", required=True, help="folders of sets (several: one table)")
    ap.add_argument("--weights", default="1,0.5,0.3", help="embedding weights to compare (1 = embedding only)")
    ap.add_argument("--model", default=None, help="the map's embedding model (default: the bundled English one)")
    ap.add_argument("--kind-model", default=None, help="model the kinds are judged on ('same': the map's; default: "
                    "the bundled multilingual one)")
    ap.add_argument("--sets", default=None, help="comma-separated set names (default: all found)")
    ap.add_argument("--threshold", type=float, default=None, help="kind confidence threshold (default: the app's)")
    args = ap.parse_args()

    from explorer.core.analysis.embed_cache import EmbeddingCache
    from explorer.core.analysis.params import AnalysisParams

    sets = {}
    for folder in args.data:
        for name, found in load_sets(folder).items():
            sets[name if name not in sets else f"{name} ({folder.name})"] = found
    if args.sets:
        sets = {k: v for k, v in sets.items() if k in args.sets.split(",")}
    if not sets:
        sys.exit(f"no benchmark set found in {', '.join(map(str, args.data))} (see benchmarks/kind_sets.py)")
    cache = EmbeddingCache()
    base = AnalysisParams()
    if args.model:
        base = AnalysisParams(model=args.model)
    if args.threshold is not None:
        base = dataclasses.replace(base, kind_threshold=args.threshold)
    if args.kind_model:
        base = dataclasses.replace(base, kind_model=args.kind_model)
    weights = [float(w) for w in args.weights.split(",")]
    print(f"model {base.model}; kinds judged on {base.kind_model}; kind threshold {base.kind_threshold}; "
          f"default embedding weight {AnalysisParams().embedding_weight}")
    print(f"{'set':22} {'lang':4} {'n':>5} {'labels':>6} {'weight':>6} {'NMI':>5} {'NMI task':>8} {'ARI':>5} "
          f"{'kind acc':>8} "
          f"{'unassigned':>10} {'seconds':>7}")
    details = []
    totals: dict[tuple[str, float], list] = {}
    calibration: dict[str, list[tuple[float, bool]]] = {}
    for name, (lang, items) in sets.items():
        with tempfile.TemporaryDirectory() as tmp:
            for w in weights:
                analysis, seconds = run_set(items, dataclasses.replace(base, embedding_weight=w), cache, Path(tmp))
                r = scores(items, analysis)
                totals.setdefault((lang, w), []).append((len(items), r))
                if w == AnalysisParams().embedding_weight:
                    calibration.setdefault(lang, []).extend(zip(r["confidence"], r["right"]))
                print(f"{name:22} {lang:4} {len(items):5} {len({i.label for i in items}):6} {w:6.2f} {r['nmi']:5.2f} "
                      f"{r['nmi_task']:8.2f} {r['ari']:5.2f} "
                      f"{r['accuracy']:8.2f} {r['unassigned']:10.1%} {seconds:7.1f}", flush=True)
                if w == weights[-1] or w == AnalysisParams().embedding_weight:
                    stages = ", ".join(f"{k} {v:.1f}" for k, v in analysis.seconds.items() if v >= 0.05)
                    details.append(f"{name} (weight {w}, map model {analysis.params.model}): worst: " +
                                   "; ".join(r["confusion"]) +
                                   f"\n    seconds per stage: {stages}")
    print("\nRecord-weighted means per language:")
    for (lang, w), rows in sorted(totals.items()):
        n = sum(c for c, _ in rows)
        mean = {key: sum(c * r[key] for c, r in rows) / n for key in ("nmi", "nmi_task", "accuracy", "unassigned")}
        print(f"  {lang} weight {w:.2f}: NMI {mean['nmi']:.2f} (by the finest labels {mean['nmi_task']:.2f}), "
              f"kind accuracy {mean['accuracy']:.2f}, "
              f"unassigned {mean['unassigned']:.1%} ({n} records)")
    if calibration:
        print_calibration(calibration)
    print("\nWorst source labels:")
    for line in details:
        print("  " + line)


if __name__ == "__main__":
    main()
