"""`sft-explorer export PATH --out OUT`: the session's edits applied, filtered, rebalanced, with a manifest."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from explorer.cli.common import add_dataset_args, open_dataset
from explorer.cli.progress_bar import TerminalProgress
from explorer.core.curation.curated import Rebalance, Selection, curated_export, read_analysis
from explorer.core.curation.session import Session
from explorer.core.errors import DatasetError

SKIPPED_SHOWN = 20


def register(sub) -> None:
    parser = sub.add_parser("export", help="write the curated dataset (same format byte for byte, or converted)")
    add_dataset_args(parser)
    parser.add_argument("--out", required=True, help="output file (.jsonl, .jsonl.gz, .json, .parquet) or folder")
    parser.add_argument("--to", choices=("alpaca", "sharegpt", "messages", "parquet"),
                        help="convert records to this format (parquet: keep the format, Parquet container)")
    parser.add_argument("--overwrite-source", action="store_true",
                        help="allow OUT to be the source file itself (off by default)")
    f = parser.add_argument_group("selection (the session's deleted records are always left out)")
    f.add_argument("--tag", action="append", default=[], help="keep records with this tag (repeatable)")
    f.add_argument("--without-tag", action="append", default=[], help="leave out records with this tag")
    f.add_argument("--ids", help="file with the record ids to keep (one per line)")
    f.add_argument("--analysis", help="folder written by `analyze` (needed for flags, clusters, kinds, rebalancing)")
    f.add_argument("--flag", action="append", default=[], help="keep records with this quality flag")
    f.add_argument("--without-flag", action="append", default=[], help="leave out records with this quality flag")
    f.add_argument("--cluster", action="append", type=int, default=[], help="keep records of this cluster")
    f.add_argument("--kind", action="append", default=[], help="keep records of this task kind")
    r = parser.add_argument_group("rebalancing (unflagged records are kept first)")
    r.add_argument("--max-per-cluster", type=int)
    r.add_argument("--max-per-kind", type=int)
    r.add_argument("--balance", choices=("kind",), help="cut over-full kinds toward the taxonomy's target shares")
    r.add_argument("--taxonomy", help="taxonomy JSON for --balance kind (default: the bundled one)")
    r.add_argument("--seed", type=int, default=0, help="seed for the order within over-full groups")
    parser.set_defaults(run=run)


def _read_ids(path: str) -> list[int]:
    try:
        return [int(line) for line in Path(path).read_text(encoding="utf-8").split() if line.strip()]
    except (OSError, ValueError) as e:
        raise DatasetError(f"cannot read ids (one integer per line): {e}", path) from None


def run(args: argparse.Namespace) -> int:
    progress = TerminalProgress()
    dataset = open_dataset(args, progress)
    sel = Selection(tags=args.tag, without_tags=args.without_tag, ids=_read_ids(args.ids) if args.ids else None,
                    flags=args.flag, without_flags=args.without_flag, clusters=args.cluster, kinds=args.kind)
    rb = Rebalance(args.max_per_cluster, args.max_per_kind, args.balance == "kind", args.seed, args.taxonomy)
    rows = read_analysis(args.analysis, dataset) if args.analysis else None
    with Session(dataset) as session:
        if session.edit_count():
            print(f"Applying this dataset's session: {session.edit_count()} edits, "
                  f"{len(session.state.deleted)} records deleted")
        result = curated_export(dataset, session.state, args.out, args.to, sel, rb, rows, session.edit_count(),
                                progress)
    progress.close()
    print(f"Wrote {result.written} records to {result.out} ({result.format}, {result.container}); "
          f"manifest: {result.out}.manifest.json")
    if result.unreadable_kept:
        print(f"  {result.unreadable_kept} unreadable lines were kept verbatim")
    if result.unreadable_dropped:
        print(f"  {result.unreadable_dropped} unreadable lines are not in the converted file (run inspect to see them)")
    if result.skipped:
        print(f"  {len(result.skipped)} records were not written:", file=sys.stderr)
        for rid, reason in result.skipped[:SKIPPED_SHOWN]:
            line = dataset.line_of(rid)
            print(f"    record {rid}" + (f" (line {line})" if line else "") + f": {reason}", file=sys.stderr)
        if len(result.skipped) > SKIPPED_SHOWN:
            print(f"    ... and {len(result.skipped) - SKIPPED_SHOWN} more", file=sys.stderr)
    return 0
