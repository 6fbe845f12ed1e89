"""`sft-explorer search PATH TEXT`: records whose instruction or response matches (substring or regex), with the
session's edits applied — the same search as the app's search box."""

from __future__ import annotations

import argparse
import json

from explorer.app.workspace import Loaded, Workspace
from explorer.cli.common import add_dataset_args, open_dataset
from explorer.cli.progress_bar import TerminalProgress
from explorer.core.search import FIELDS


def register(sub) -> None:
    parser = sub.add_parser("search", help="records whose text matches a substring or regular expression")
    add_dataset_args(parser)
    parser.add_argument("text", help="substring or regular expression (case-insensitive)")
    parser.add_argument("--field", choices=FIELDS, action="append",
                        help="search only this field (repeatable; default: instruction and response)")
    parser.add_argument("--limit", type=int, default=20, help="records to print (default 20; 0: all)")
    parser.add_argument("--json", action="store_true", help="print one JSON object with every matching id")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    progress = TerminalProgress()
    dataset = open_dataset(args, progress)
    workspace = Workspace(pipeline_factory=lambda d: None)
    workspace.load_done(Loaded(dataset, {}))
    try:
        hits = workspace.search_job(args.text, tuple(args.field or FIELDS))(progress, None)
        shown = hits if args.limit == 0 else hits[:args.limit]
        lines = [f"{rid:>8}  {' '.join(workspace.text(rid, 'instruction').split())[:110]}" for rid in shown]
    finally:
        progress.close()
        workspace.close()
    if args.json:
        print(json.dumps({"query": args.text, "count": len(hits), "ids": hits}))
        return 0
    print("\n".join(lines)) if lines else None
    more = f" (first {len(shown)} shown)" if len(shown) < len(hits) else ""
    print(f"{len(hits):,} of {len(dataset):,} records match{more}")
    return 0
