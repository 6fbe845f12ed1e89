"""`sft-explorer diff A B`: what changed from version A to version B of a dataset, record by record."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from explorer.cli.progress_bar import TerminalProgress
from explorer.core import atomic, mappings
from explorer.core.compare.diff import analysis_params, compare_datasets, export_manifest, manifest_source, pairs_for
from explorer.core.compare.diff_report import REPORT_EDITS, render_diff_html, text_lines
from explorer.core.compare.versions import MATCH_THRESHOLD
from explorer.core.dataset import load
from explorer.core.errors import DatasetError


def register(sub) -> None:
    parser = sub.add_parser("diff", help="compare two versions of a dataset: unchanged, edited, removed, added "
                                         "records and the shift per task kind and cluster")
    parser.add_argument("a", metavar="A", help="the earlier version (file or folder)")
    parser.add_argument("b", metavar="B", nargs="?",
                        help="the later version; with one file only, that file must be a curated export: it is "
                             "compared (as B) with the source its manifest names (as A)")
    parser.add_argument("--analysis", metavar="DIR",
                        help="A's `analyze` output: adds the shift per task kind and per cluster (B placed on A's map)")
    parser.add_argument("--json", action="store_true", help="print one JSON object (counts, shifts, every edit)")
    parser.add_argument("--out", metavar="REPORT.html", help="also write an HTML report")
    parser.add_argument("--threshold", type=float, default=MATCH_THRESHOLD,
                        help=f"instruction similarity from which an unpaired A and B record are one edited record "
                             f"(default {MATCH_THRESHOLD})")
    parser.add_argument("--edits", type=int, default=20, help="edited records printed (default 20)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    a_path, b_path = args.a, args.b
    if b_path is None:
        source = manifest_source(export_manifest(a_path))
        if source is None:
            raise DatasetError("give two datasets, or a curated export with its .manifest.json beside it", a_path)
        a_path, b_path = source, args.a
    if not 0.0 < args.threshold <= 1.0:
        raise DatasetError(f"--threshold must be in (0, 1], not {args.threshold}")
    if args.out and any(Path(p).exists() and os.path.samefile(args.out, p) for p in (a_path, b_path)
                        if Path(args.out).exists()):
        raise DatasetError("--out names one of the datasets; choose another file for the report", args.out)
    progress = TerminalProgress()
    try:
        a_map = mappings.remembered(a_path)  # B in the same layout as A needs A's mapping when it has none of its own
        a = load(a_path, mapping=a_map, progress=progress)
        b = load(b_path, mapping=mappings.remembered(b_path) or a_map, progress=progress)
        for d in (a, b):
            if len(d) and d.format_counts().get("unknown", 0) > len(d) // 2:
                print(f"warning: {d.path}: most records fit no known format; map its keys first "
                      f"(sft-explorer inspect {d.path} --map …)", file=sys.stderr)
        params = analysis_params(args.analysis)
        pairs = pairs_for(a, b)
        if pairs is not None:
            print("note: B's export manifest names A as its source; records are paired by it", file=sys.stderr)
        diff = compare_datasets(a, b, **_analysis_parts(a, args.analysis, params, progress), threshold=args.threshold,
                                pairs=pairs, progress=progress)
    finally:
        progress.close()
    report = diff.to_json(None if args.json else max(args.edits, REPORT_EDITS if args.out else 0))
    if args.out:
        atomic.write_chunks(args.out, [render_diff_html(report).encode("utf-8")])
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print("\n".join(text_lines(report, args.edits)))
        if args.out:
            print(f"report: {args.out}")
    return 0


def _analysis_parts(a, analysis_dir: str | None, params, progress) -> dict:
    """The embedder (always: pairing edited instructions needs it) and, with A's analysis, its map and kinds."""
    from explorer.core.analysis.embed_cache import EmbeddingCache
    from explorer.core.analysis.pipeline import Pipeline

    pipeline = Pipeline(a, cache=EmbeddingCache())

    def embed(texts: list[str]):
        return pipeline.embed_texts(texts, params, progress)

    parts = {"embed": embed}
    if analysis_dir:
        from explorer.core.compare.diff import map_from_analysis_folder, summary_dataset_path

        parts["map_of_a"] = map_from_analysis_folder(analysis_dir, a, embed, params)
        parts["predict_kinds"] = lambda texts, turns: pipeline.predict_kinds(texts, params, progress, None, turns)
        made_from = summary_dataset_path(analysis_dir)
        if made_from and Path(made_from).exists() and not os.path.samefile(made_from, a.path):
            print(f"warning: {analysis_dir} is the analysis of {made_from}, not of {a.path}", file=sys.stderr)
    return parts
