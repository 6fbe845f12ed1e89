"""`sft-explorer apply PATH --recipe R` and `sft-explorer session PATH`: replaying recipes, inspecting sessions."""

from __future__ import annotations

import argparse
import json
import sys
import time

from explorer.cli.common import add_dataset_args, open_dataset
from explorer.cli.progress_bar import TerminalProgress
from explorer.core.curation.recipes import Outcome, apply_recipe, read_recipe, write_recipe
from explorer.core.curation.session import Session


def register(sub) -> None:
    apply = sub.add_parser("apply", help="replay a recipe (JSON Lines of edits) onto the dataset's session")
    add_dataset_args(apply)
    apply.add_argument("--recipe", required=True, help="recipe file, one edit per line")
    apply.add_argument("--taxonomy", help="task-kind taxonomy JSON that `kind` edits must name a kind of "
                                          "(default: your copy saved by the app, else the bundled one)")
    apply.set_defaults(run=run_apply)
    session = sub.add_parser("session", help="what the dataset's session holds; --discard resets it")
    add_dataset_args(session)
    session.add_argument("--json", action="store_true", help="print one JSON object")
    session.add_argument("--recipe-out", help="write the session's edits as a recipe file")
    session.add_argument("--discard", action="store_true", help="forget every edit (asks unless --yes)")
    session.add_argument("--yes", action="store_true", help="do not ask before --discard")
    session.set_defaults(run=run_session)


def run_apply(args: argparse.Namespace) -> int:
    progress = TerminalProgress()
    dataset = open_dataset(args, progress)
    lines = read_recipe(args.recipe)
    failed = 0

    def report(o: Outcome) -> None:
        nonlocal failed
        if o.error:
            failed += 1
            print(f"skipped line {o.line}: {o.error}", file=sys.stderr, flush=True)
        else:
            print(f"committed {o.seq}: {o.label} (line {o.line})", flush=True)

    with Session(dataset) as session:
        before = session.edit_count()
        if before:
            print(f"Continuing the session ({before} edits so far)")
        apply_recipe(session, lines, report, progress, kinds=_known_kinds(args.taxonomy))
        progress.close()
        print(f"Applied {len(lines) - failed} of {len(lines)} edits; the session now has {session.edit_count()}")
    return 0 if failed == 0 else 1


def _known_kinds(taxonomy: str | None) -> set[str]:
    from explorer.core.analysis.taxonomy import load_taxonomy

    return {k.id for k in load_taxonomy(taxonomy).kinds}


def run_session(args: argparse.Namespace) -> int:
    dataset = open_dataset(args, TerminalProgress(False))
    with Session(dataset) as session:
        if args.discard:
            if not args.yes:
                if not sys.stdin.isatty():
                    print("sft-explorer: --discard needs --yes when not run from a terminal", file=sys.stderr)
                    return 2
                answer = input(f"Discard {session.edit_count()} edits of {dataset.path}? [y/N] ")
                if answer.strip().lower() not in ("y", "yes"):
                    print("Nothing discarded.")
                    return 1
            session.discard()
            print("Session discarded; the source file was never changed.")
        if args.recipe_out:
            print(f"Wrote {write_recipe(session, args.recipe_out)} edits to {args.recipe_out}")
        info = session.summary()
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
        return 0
    last = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(info["last_change"])) if info["last_change"] else "never"
    print(f"Session     {info['session']}")
    print(f"Edits       {info['edits']} (last change: {last})")
    print(f"Deleted     {info['deleted']}   edited records: {info['edited_records']}")
    if info["tags"]:
        print("Tags        " + ", ".join(f"{t} {n}" for t, n in info["tags"].items()))
    if info["source_changed"]:
        print(f"Note: the source file changed since the session began; {len(info['skipped_on_open'])} edits no "
              "longer apply and were skipped")
    return 0
