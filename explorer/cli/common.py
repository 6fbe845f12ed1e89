"""Pieces shared by the subcommands: opening a dataset with a mapping, printing problems."""

from __future__ import annotations

import argparse
import sys

from explorer.core import mappings
from explorer.core.dataset import Dataset, load
from explorer.core.formats import ColumnMapping
from explorer.core.problems import ordered, summary

WARNINGS_SHOWN = 20


def add_dataset_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="dataset file or folder (JSON, JSONL, JSONL.gz, CSV/TSV, Parquet, HF folder)")
    parser.add_argument("--map", metavar="MAPPING",
                        help="column mapping, e.g. instruction=question,response=std_answer "
                             "(also input=, system=, conversations=, role=, content=; user_turns=KEY for a list "
                             "of user turns only, e.g. MT-Bench questions, never alternated); remembered for this file")
    parser.add_argument("--split", help="split to open in a Hugging Face folder (default: train)")


def open_dataset(args: argparse.Namespace, progress) -> Dataset:
    """Load the dataset named on the command line, applying (and remembering) a column mapping."""
    mapping = None
    if args.map:
        mapping = ColumnMapping.parse(args.map)
        mappings.remember(args.path, mapping)
    else:
        mapping = mappings.remembered(args.path)
        if mapping is not None:
            print(f"note: using the column mapping remembered for this file: {mapping}", file=sys.stderr)
    try:
        return load(args.path, mapping=mapping, split=args.split, progress=progress)
    finally:
        progress.close()


def print_problems(problems: list) -> None:
    """Errors first (all of them), then warnings and notes (the first WARNINGS_SHOWN), after a count by kind."""
    if not problems:
        return
    out = sys.stdout
    problems = ordered(problems)
    print(f"Problems    {summary(problems)}", file=out)
    errors = [p for p in problems if p.severity == "error"]
    others = problems[len(errors):]
    for p in errors + others[:WARNINGS_SHOWN]:
        print(f"  {p.severity:<7} {p.kind:<16} {p}", file=out)
    if len(others) > WARNINGS_SHOWN:
        print(f"  ... and {len(others) - WARNINGS_SHOWN} more warnings (--json lists them all)", file=out)
