"""Writing an analysis: records.jsonl (one line per record), summary.json, and a self-contained report.html."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from explorer.core import atomic
from explorer.core.analysis import checks, kind_classifier, taxonomy
from explorer.core.analysis.html_report import render_html
from explorer.core.analysis.params import SCHEMA_VERSION, to_dict
from explorer.core.analysis.pipeline import Analysis
from explorer.core.dataset import Dataset


def record_rows(analysis: Analysis, user_kinds: dict[int, str] | None = None) -> list[dict]:
    """One object per record, in source order; `kind_source` says whether the user set the kind (`user_kinds`, the
    session's) or the analysis predicted it."""
    a = analysis
    user_kinds = user_kinds or {}
    rows = []
    for i in range(len(a.flags)):
        kind = user_kinds.get(i, a.kinds[i])
        rows.append({
            "id": i, "x": round(float(a.xy[i, 0]), 4), "y": round(float(a.xy[i, 1]), 4),
            "cluster": int(a.clusters[i]), "kind": None if kind == taxonomy.UNASSIGNED else kind,
            "kind_source": "user" if i in user_kinds else "predicted",
            "kind_confidence": 1.0 if i in user_kinds else round(float(a.kind_confidence[i]), 3),
            "kind_reason": "set by you" if i in user_kinds else a.kind_reasons[i],
            "flags": a.flags[i], "tokens_instruction": int(a.tokens["instruction"][i]),
            "tokens_response": int(a.tokens["response"][i]), "tokens_conversation": int(a.tokens["conversation"][i]),
            "near_duplicate_of": a.duplicate_of[i],
            "eval_overlap": a.eval_overlap[i] if a.eval_overlap else None,
        })
    return rows


def coverage_with(analysis: Analysis, user_kinds: dict[int, str] | None = None) -> list[dict]:
    """Task-kind coverage with the kinds the user set counted as set (as records.jsonl gives them); a kind the user
    set is never one to check."""
    a = analysis
    if not user_kinds:
        return a.coverage
    kinds = [user_kinds.get(i, kind) for i, kind in enumerate(a.kinds)]
    unsure = kind_classifier.unsure(a.kind_confidence)
    unsure[list(user_kinds)] = False
    return taxonomy.coverage(taxonomy.load_taxonomy(a.params.taxonomy_path), kinds, unsure)


def summary(analysis: Analysis, dataset: Dataset, user_kinds: dict[int, str] | None = None) -> dict:
    a = analysis
    coverage = coverage_with(a, user_kinds)
    sizes = np.bincount(a.clusters[a.clusters >= 0]) if (a.clusters >= 0).any() else np.zeros(0, dtype=int)
    n = len(a.flags) or 1
    clusters = [{"id": c, "size": int(sizes[c]), "share": round(float(sizes[c]) / n, 4),
                 "label": a.cluster_label(c), "keywords": a.keywords.get(c, []),
                 "flags": _flag_counts(a, a.clusters == c)} for c in range(len(sizes))]
    noise = int((a.clusters < 0).sum())
    if noise:
        clusters.append({"id": -1, "size": noise, "share": round(noise / n, 4), "label": "noise", "keywords": [],
                         "flags": _flag_counts(a, a.clusters < 0)})
    return {
        "dataset": {"path": dataset.path, "container": dataset.container, "format": dataset.format,
                    "records": len(dataset), "problems": len(dataset.problems)},
        "params": {"schema_version": SCHEMA_VERSION, **to_dict(a.params)},
        "embedding": a.embedding,
        "clusters": clusters,
        "balance": a.balance,
        "coverage": coverage,
        "gaps": [row["kind"] for row in coverage if row["gap"]],
        "flags": {name: {"count": count, "explanation": checks.FLAGS[name]} for name, count in a.flag_counts().items()},
        "facts": a.facts,
        "eval_sets": eval_sets_summary(a),
        "tokens": {name: _stats(values, a.params.max_tokens) for name, values in a.tokens.items()},
        "seconds": a.seconds,
    }


def eval_sets_summary(a: Analysis) -> list[dict]:
    """Each eval set: its items and how many training records overlap it (by n-gram, by embedding)."""
    if a.eval_items is None:
        return []
    out = []
    paths = a.eval_items.paths
    for s, name in enumerate(a.eval_items.names):
        hits = [o for o in a.eval_overlap if o is not None and o["eval_path"] == paths[s]]
        out.append({"name": name, "path": paths[s], "items": int((a.eval_items.set_of == s).sum()),
                    "overlapping_records": len(hits),
                    "by_ngram": sum(1 for o in hits if o["how"] != "embedding"),
                    "by_embedding": sum(1 for o in hits if o["how"] == "embedding")})
    return out


def _flag_counts(a: Analysis, mask: np.ndarray) -> dict[str, int]:
    counts: dict[str, int] = {}
    for i in np.flatnonzero(mask):
        for f in a.flags[i]:
            counts[f] = counts.get(f, 0) + 1
    return counts


def _stats(values: np.ndarray, limit: int) -> dict:
    from explorer.core import tokens

    return tokens.stats(values, limit)


def write_analysis(analysis: Analysis, dataset: Dataset, out_dir: str | Path,
                   user_kinds: dict[int, str] | None = None) -> dict[str, Path]:
    """Write records.jsonl, summary.json and report.html into `out_dir` (each atomically)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = record_rows(analysis, user_kinds)
    info = summary(analysis, dataset, user_kinds)
    paths = {"records": out / "records.jsonl", "summary": out / "summary.json", "report": out / "report.html"}
    atomic.write_chunks(paths["records"], (json.dumps(r, ensure_ascii=False).encode("utf-8") + b"\n" for r in rows))
    atomic.write_chunks(paths["summary"], [json.dumps(info, ensure_ascii=False, indent=2).encode("utf-8")])
    atomic.write_chunks(paths["report"], [render_html(analysis, info).encode("utf-8")])
    return paths
