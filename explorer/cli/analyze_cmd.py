"""`sft-explorer analyze PATH --out DIR`: the whole analysis, written as records.jsonl, summary.json, report.html."""

from __future__ import annotations

import argparse
import sys

from explorer.cli.common import add_dataset_args, open_dataset
from explorer.cli.progress_bar import TerminalProgress
from explorer.core.analysis.embed_cache import EmbeddingCache
from explorer.core.analysis.embedding import DEFAULT_MODEL, DEVICES
from explorer.core.analysis.pipeline import AnalysisParams, Pipeline
from explorer.core.analysis.report import write_analysis
from explorer.core.analysis.texts import EMBED_FIELDS


def register(sub) -> None:
    parser = sub.add_parser("analyze", help="map, clusters, quality flags and task-kind gaps, with an HTML report")
    add_dataset_args(parser)
    parser.add_argument("--out", required=True, help="folder for records.jsonl, summary.json and report.html")
    parser.add_argument("--model", default=DEFAULT_MODEL,
                        help=f"sentence-transformers model name or local folder (default: bundled {DEFAULT_MODEL})")
    parser.add_argument("--device", choices=DEVICES, default="auto", help="where to embed (default: auto)")
    parser.add_argument("--embed-field", choices=EMBED_FIELDS, default="instruction",
                        help="what to embed: first user turn (+input), the response, or all user turns")
    parser.add_argument("--min-cluster-size", type=int, help="HDBSCAN min cluster size (default: 1%% of records, 5–500)")
    parser.add_argument("--min-samples", type=int, help="HDBSCAN min samples (default: min(10, min cluster size))")
    parser.add_argument("--n-neighbors", type=int, default=15, help="UMAP neighbours (default 15)")
    parser.add_argument("--cluster-dims", type=int, default=5, help="UMAP dimensions clustered on (default 5)")
    parser.add_argument("--cluster-epochs", type=int,
                        help="UMAP epochs for the clustering space (default: UMAP's, 200 above 10k records)")
    parser.add_argument("--near-duplicate", type=float, default=0.95, help="cosine for near-duplicates (default 0.95)")
    parser.add_argument("--max-tokens", type=int, default=4096, help="token limit for too_long (default 4096)")
    parser.add_argument("--taxonomy", help="task-kind taxonomy JSON (default: the bundled one)")
    parser.add_argument("--kind-threshold", type=float, default=0.45,
                        help="similarity to a kind's examples needed to assign it (default 0.45)")
    parser.add_argument("--seed", type=int, default=42, help="random seed; -1 for a faster, non-repeatable map")
    parser.set_defaults(run=run)


def params_from(args: argparse.Namespace) -> AnalysisParams:
    return AnalysisParams(
        model=args.model, device=args.device, embed_field=args.embed_field, n_neighbors=args.n_neighbors,
        cluster_dims=args.cluster_dims, cluster_epochs=args.cluster_epochs,
        min_cluster_size=args.min_cluster_size, min_samples=args.min_samples,
        near_duplicate_threshold=args.near_duplicate, max_tokens=args.max_tokens, kind_threshold=args.kind_threshold,
        taxonomy_path=args.taxonomy, seed=None if args.seed < 0 else args.seed)


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
    analysis = Pipeline(dataset, cache=EmbeddingCache()).run(params_from(args), progress)
    progress.close()
    paths = write_analysis(analysis, dataset, args.out)
    b, e = analysis.balance, analysis.embedding
    print(f"Analyzed {len(dataset):,} records: {b['clusters']} clusters (noise {b['noise_share']:.0%}), "
          f"embeddings on {e['device']} ({e['computed']:,} computed, {e['cached']:,} cached)")
    flagged = {k: v for k, v in analysis.flag_counts().items() if v}
    if flagged:
        print("Flags: " + ", ".join(f"{k} {v}" for k, v in flagged.items()))
    if analysis.facts.get("prompt_only_share") == 1:
        print("Prompts only: the records have no responses (unanswered is not flagged record by record)")
    gaps = [row["kind"] for row in analysis.coverage if row["gap"]]
    print(f"Gaps ({len(gaps)} kinds under half their target): {', '.join(gaps) or 'none'}")
    for name, path in paths.items():
        print(f"  {name:<8} {path}")
    return 0
