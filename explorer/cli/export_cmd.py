"""`sft-explorer export PATH --out OUT`: the session's edits applied, filtered, rebalanced, with a manifest."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from explorer.cli.common import add_dataset_args, open_dataset
from explorer.cli.progress_bar import TerminalProgress
from explorer.core.curation.curated import (ExportPlan, Rebalance, Selection, curated_export, plan_export,
                                            read_analysis, recheck_edited, backup_path)
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
                        help="allow OUT to be the source file itself (off by default); the original is kept as "
                             "SOURCE.bak")
    parser.add_argument("--dry-run", action="store_true",
                        help="print what would be exported (before/after per kind and per cluster) and write nothing")
    f = parser.add_argument_group("selection (the session's deleted records are always left out)")
    f.add_argument("--tag", action="append", default=[], help="keep records with this tag (repeatable)")
    f.add_argument("--without-tag", action="append", default=[], help="leave out records with this tag")
    f.add_argument("--ids", help="file with the record ids to keep (one per line)")
    f.add_argument("--analysis", help="folder written by `analyze` (needed for flags, clusters, kinds, rebalancing)")
    f.add_argument("--flag", action="append", default=[], help="keep records with this quality flag")
    f.add_argument("--without-flag", action="append", default=[], help="leave out records with this quality flag")
    f.add_argument("--cluster", action="append", type=int, default=[], help="keep records of this cluster")
    f.add_argument("--kind", action="append", default=[], help="keep records of this task kind")
    r = parser.add_argument_group(
        "rebalancing (unflagged records are kept first; noise is never capped; a gap kind keeps all its records and "
        "no kind falls below its target share of the output)")
    r.add_argument("--max-per-cluster", type=int, help="cap each cluster (noise, cluster -1, is not a cluster)")
    r.add_argument("--max-per-kind", type=int, help="cap each task kind")
    r.add_argument("--balance", choices=("kind",), help="cut over-full kinds toward the taxonomy's target shares")
    r.add_argument("--taxonomy", help="taxonomy JSON for --balance kind (default: your copy saved by the app, else "
                   "the bundled one)")
    r.add_argument("--seed", type=int, default=0, help="seed for the order within over-full groups")
    parser.set_defaults(run=run)


def _read_ids(path: str) -> list[int]:
    try:
        return [int(line) for line in Path(path).read_text(encoding="utf-8").split() if line.strip()]
    except (OSError, ValueError) as e:
        raise DatasetError(f"cannot read ids (one integer per line): {e}", path) from None


def plan_lines(plan: ExportPlan) -> list[str]:
    """The plan as a text table: records, then before → after per task kind and per cluster, then protections."""
    lines = [f"{plan.records} records in the source, {plan.deleted_in_session} deleted in the session; "
             f"{len(plan.selected)} selected -> {len(plan.kept)} kept ({plan.dropped} dropped)"]
    for title, groups in (("task kind", plan.rebalance.per_kind), ("cluster", plan.rebalance.per_cluster)):
        if not groups:
            continue
        width = max(len(title), *(len(g.key) for g in groups))
        lines += ["", f"{title:<{width}}  {'before':>7}  {'after':>7}", f"{'-' * width}  {'-' * 7}  {'-' * 7}"]
        lines += [f"{g.key:<{width}}  {g.before:>7}  {g.after:>7}" + (f"  {g.note}" if g.note else "")
                  for g in groups]
    if plan.rebalance.protected:
        lines.append("")
        lines += plan.protected_lines()
    return lines


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
        if rows is not None and session.state.objects:  # flags of edited records are checked on their new text
            rows = recheck_edited(rows, dataset, session.state)
        plan = plan_export(dataset, session.state, sel, rb, rows)
        if args.dry_run:
            progress.close()
            print("\n".join(plan_lines(plan)))
            print(f"Dry run: nothing written (would write {len(plan.kept)} records to {args.out}).")
            return 0
        result = curated_export(dataset, session.state, args.out, args.to, sel, rb, rows, session.edit_count(),
                                progress, plan=plan, overwrite_source=args.overwrite_source)
    progress.close()
    for line in plan.protected_lines():
        print(line)
    print(f"Wrote {result.written} records to {result.out} ({result.format}, {result.container}); "
          f"manifest: {result.out}.manifest.json")
    if args.overwrite_source and Path(args.out).resolve() == Path(dataset.path).resolve():
        print(f"  The source now holds the curated records; the original is kept at {backup_path(dataset.path)}")
    if result.unreadable_kept:
        print(f"  {result.unreadable_kept} unreadable lines were kept verbatim")
    if result.unreadable_dropped:
        why = "converted file" if result.format != dataset.format or args.to else "file of selected records"
        print(f"  {result.unreadable_dropped} unreadable lines are not in the {why} (run inspect to see them)")
    if result.skipped:
        print(f"  {len(result.skipped)} records were not written:", file=sys.stderr)
        for rid, reason in result.skipped[:SKIPPED_SHOWN]:
            line = dataset.line_of(rid)
            print(f"    record {rid}" + (f" (line {line})" if line else "") + f": {reason}", file=sys.stderr)
        if len(result.skipped) > SKIPPED_SHOWN:
            print(f"    ... and {len(result.skipped) - SKIPPED_SHOWN} more", file=sys.stderr)
    return 0
