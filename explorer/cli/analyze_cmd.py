"""`sft-explorer analyze PATH --out DIR`: the whole analysis, written as records.jsonl, summary.json, report.html."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from explorer.cli.common import add_dataset_args, open_dataset
from explorer.cli.progress_bar import TerminalProgress
from explorer.core.analysis.embed_cache import EmbeddingCache
from explorer.core.analysis.kind_classifier import SURE
from explorer.core.analysis.notices import model_language_notice
from explorer.core.analysis.params import AnalysisParams, from_dict, schema
from explorer.core.analysis.pipeline import Pipeline
from explorer.core.analysis.report import coverage_with, eval_sets_summary as summary_eval_sets, write_analysis
from explorer.core.analysis.vectors_folder import beside
from explorer.core.settings import load_analysis_params, load_eval_sets


def register(sub) -> None:
    parser = sub.add_parser("analyze", help="map, clusters, quality flags and task-kind gaps, with an HTML report")
    add_dataset_args(parser)
    parser.add_argument("--out", required=True, help="folder for records.jsonl, summary.json and report.html")
    parser.add_argument("--eval", nargs="+", action="extend", metavar="FILE",
                        help="eval sets (any format the app reads) to look for in the training records: flag "
                             "eval_overlap (default: the eval sets in your settings)")
    parser.add_argument("--no-eval", action="store_true", help="ignore the eval sets in your settings")
    parser.add_argument("--vectors", metavar="VECTORS_DIR",
                        help="take the records' vectors from this folder (sft-explorer embed, or any tool writing "
                             "the same layout) instead of embedding; default: DATASET.vectors/ beside the file")
    parser.add_argument("--no-vectors", action="store_true", help="embed even when DATASET.vectors/ is beside the file")
    add_param_options(parser)
    parser.set_defaults(run=run)


def add_param_options(parser: argparse.ArgumentParser) -> None:
    """One option per analysis parameter, from its schema; the defaults shown are the user's saved settings."""
    saved, _ = load_analysis_params()
    group = parser.add_argument_group("analysis parameters (defaults: your settings, shared with the app)")
    for spec in schema():
        value = getattr(saved, spec.name)
        default = f"auto, {spec.auto}" if value is None else value
        auto = f"; 'auto'{' or -1' if spec.type is int else ''}: {spec.auto}" if spec.auto and value is not None else ""
        number = (lambda x: f"{int(x):,}") if spec.type is int else (lambda x: f"{x:g}")
        limits = f", {number(spec.lo)}–{number(spec.hi)}" if spec.lo is not None and spec.hi is not None else ""
        group.add_argument(spec.flag, dest=spec.name, metavar=spec.name.upper(), choices=spec.choices or None,
                           help=f"{spec.help}{limits} (default: {default}{auto})".replace("%", "%%"))


def params_from(args: argparse.Namespace) -> AnalysisParams:
    """The saved settings, with the options given on the command line on top (checked against the schema)."""
    base, warnings = load_analysis_params()
    for warning in warnings:
        print(f"sft-explorer: warning: {warning}", file=sys.stderr)
    given = {}
    for spec in schema():
        value = getattr(args, spec.name, None)
        if value is None:
            continue
        if spec.auto and spec.type is int and str(value).lstrip("-").isdigit() and int(value) < 0:
            value = None
        given[spec.name] = "auto" if value is None else value
    return from_dict(given, base)[0]


def _session_kinds(dataset) -> dict[int, str]:
    """The kinds the user set in this dataset's session ({} when it has none). Read only, so the app may have the
    dataset open meanwhile."""
    from explorer.core.curation.session import Session, default_session_path
    from explorer.core.errors import DatasetError

    if not default_session_path(dataset.path).exists():
        return {}
    try:
        with Session(dataset, read_only=True) as session:
            return {i: k for i, k in session.state.kinds.items() if i not in session.state.deleted}
    except DatasetError as e:
        print(f"sft-explorer: warning: the kinds you set could not be read ({e}); every kind is predicted",
              file=sys.stderr)
        return {}


def run(args: argparse.Namespace) -> int:
    progress = TerminalProgress()
    dataset = open_dataset(args, progress)
    if len(dataset) == 0:
        print(f"Nothing to analyze: {dataset.notice}")
        return 1
    unknown = [p for p in dataset.problems if p.kind == "format_unknown" and p.record is None]
    if unknown and dataset.mapping is None:
        print(f"sft-explorer: error: {dataset.path}: {unknown[0].message}", file=sys.stderr)
        return 1
    pipeline = Pipeline(dataset, cache=EmbeddingCache())
    user_kinds = _session_kinds(dataset)
    if user_kinds:  # kinds the user set (in the app or a recipe) teach the kinds stage, and are kept as given
        ids = sorted(user_kinds)
        pipeline.set_user_examples([dataset.record(i).instruction for i in ids], [user_kinds[i] for i in ids])
    eval_paths = [] if args.no_eval else (args.eval or load_eval_sets())
    missing = [p for p in eval_paths if not Path(p).exists()]
    if missing and args.eval:
        print(f"sft-explorer: error: eval set not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    if missing:  # saved in the settings (perhaps on a drive not mounted now): skipped, and said
        print(f"sft-explorer: warning: eval set in your settings not found, skipped: {', '.join(missing)}",
              file=sys.stderr)
        eval_paths = [p for p in eval_paths if p not in missing]
    if eval_paths:
        from explorer.core.analysis.eval_overlap import load_eval_sets as read_eval_sets

        read_eval_sets(eval_paths)  # a bad eval file is a clear error now, before the analysis runs
    pipeline.set_eval_sets(eval_paths)
    folder = None if args.no_vectors else (args.vectors or beside(dataset.path))
    if folder is not None:
        print(f"Using the vectors in {folder}", file=sys.stderr)
        pipeline.set_vectors_folder(folder)
    analysis = pipeline.run(params_from(args), progress)
    progress.close()
    paths = write_analysis(analysis, dataset, args.out, user_kinds)
    b, e = analysis.balance, analysis.embedding
    print(f"Analyzed {len(dataset):,} records: {b['clusters']} clusters (noise {b['noise_share']:.0%}), "
          f"embeddings on {e['device']} ({e['computed']:,} computed, {e['cached']:,} cached)")
    flagged = {k: v for k, v in analysis.flag_counts().items() if v}
    if flagged:
        print("Flags: " + ", ".join(f"{k} {v}" for k, v in flagged.items()))
    notice = model_language_notice(analysis.facts, analysis.params.model, analysis.params.kind_model,
                                   e.get("vectors_folder"))
    if e.get("note"):
        print(f"Note: {e['note']}")
    if notice:
        print(f"Note: {notice}")
    if analysis.facts.get("prompt_only_share") == 1:
        print("Prompts only: the records have no responses (unanswered is not flagged record by record)")
    eval_rows = summary_eval_sets(analysis)
    for row in eval_rows:
        name = row["name"] if [r["name"] for r in eval_rows].count(row["name"]) == 1 else row["path"]
        print(f"Eval set {name}: {row['items']:,} items; {row['overlapping_records']:,} training records "
              f"overlap it ({row['by_ngram']:,} by n-gram, {row['by_embedding']:,} by embedding)")
    coverage = coverage_with(analysis, user_kinds)  # what summary.json says
    gaps = [row["kind"] for row in coverage if row["gap"]]
    print(f"Gaps ({len(gaps)} kinds under half their target): {', '.join(gaps) or 'none'}")
    unsure = sum(row.get("unsure", 0) for row in coverage)
    print(f"Kinds to check: {unsure:,} records ({unsure / max(len(dataset), 1):.0%}) have a predicted kind under "
          f"{SURE:.2f} confidence, right about half the time (records.jsonl: kind_confidence)" if unsure else
          f"Kinds to check: none (every predicted kind has a confidence of {SURE:.2f} or more)")
    for name, path in paths.items():
        print(f"  {name:<8} {path}")
    return 0
