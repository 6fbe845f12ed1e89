"""`sft-explorer export PATH --out OUT [--to FORMAT]`: write the dataset, converted or byte for byte."""

from __future__ import annotations

import argparse
import sys

from explorer.cli.common import add_dataset_args, open_dataset
from explorer.cli.progress_bar import TerminalProgress
from explorer.core.export import export

SKIPPED_SHOWN = 20


def register(sub) -> None:
    parser = sub.add_parser("export", help="write the dataset (same format byte for byte, or converted)")
    add_dataset_args(parser)
    parser.add_argument("--out", required=True, help="output file (.jsonl, .jsonl.gz, .json, .parquet) or folder")
    parser.add_argument("--to", choices=("alpaca", "sharegpt", "messages", "parquet"),
                        help="convert records to this format (parquet: keep the format, Parquet container)")
    parser.add_argument("--overwrite-source", action="store_true",
                        help="allow OUT to be the source file itself (off by default)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    progress = TerminalProgress()
    dataset = open_dataset(args, progress)
    result = export(dataset, args.out, args.to, overwrite_source=args.overwrite_source, progress=progress)
    progress.close()
    print(f"Wrote {result.written} records to {result.out} ({result.format}, {result.container})")
    if result.unreadable_kept:
        print(f"  {result.unreadable_kept} unreadable lines were kept verbatim")
    if result.unreadable_dropped:
        print(f"  {result.unreadable_dropped} unreadable lines are not in the converted file "
              "(run inspect to see them)")
    if result.skipped:
        print(f"  {len(result.skipped)} records were not written:", file=sys.stderr)
        for rid, reason in result.skipped[:SKIPPED_SHOWN]:
            line = dataset.line_of(rid)
            print(f"    record {rid}" + (f" (line {line})" if line else "") + f": {reason}", file=sys.stderr)
        if len(result.skipped) > SKIPPED_SHOWN:
            print(f"    ... and {len(result.skipped) - SKIPPED_SHOWN} more", file=sys.stderr)
    return 0
