"""`sft-explorer inspect PATH`: container, formats, records, problems and token statistics."""

from __future__ import annotations

import argparse
import json

from explorer.cli.common import add_dataset_args, open_dataset, print_problems
from explorer.cli.progress_bar import TerminalProgress
from explorer.core import tokens
from explorer.core.problems import Problem, counts_by_kind, ordered, record_warning_kind, summary

FIELDS = ("instruction", "response", "conversation")


def register(sub) -> None:
    parser = sub.add_parser("inspect", help="what a dataset holds: format, records, problems, token statistics")
    add_dataset_args(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    parser.add_argument("--limit", type=int, default=tokens.LIMIT, help="token limit for 'too long' (default 4096)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    progress = TerminalProgress()
    dataset = open_dataset(args, progress)
    texts: dict[str, list[str]] = {f: [] for f in FIELDS}
    problems = list(dataset.problems)
    known = {(p.record, p.kind) for p in problems if p.record is not None}
    for record in dataset.iter_records(progress):
        texts["instruction"].append(record.instruction)
        texts["response"].append(record.response)
        texts["conversation"].append("\n".join(m.content for m in record.messages))
        for warning in record.warnings:
            kind = record_warning_kind(warning)
            if (record.id, kind) in known:
                continue  # loading reported it already (a record of no known format)
            problems.append(Problem(warning, dataset.line_of(record.id), severity="warning", record=record.id,
                                    kind=kind))
    problems = ordered(problems)
    token_stats = {f: tokens.stats(tokens.count(texts[f], progress, text=f"Counting {f} tokens"), args.limit)
                   for f in FIELDS}
    progress.close()
    report = {
        "path": dataset.path,
        "container": dataset.container,
        "format": dataset.format,
        "formats": dataset.format_counts(),
        "records": len(dataset),
        "mapping": str(dataset.mapping) if dataset.mapping else None,
        "notice": dataset.notice or None,
        "problem_summary": summary(problems),
        "problem_counts": {s: dict(kinds.most_common()) for s, kinds in counts_by_kind(problems).items()},
        "problems": [{"line": None, "end_line": None, **p.to_dict()} for p in problems],
        "tokens": {"encoding": "cl100k_base", **token_stats},
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print_text(report, dataset, problems)
    usable = len(dataset) > 0 or not any(p.severity == "error" for p in problems)
    return 0 if usable else 1


def _print_text(report: dict, dataset, problems: list[Problem]) -> None:
    print(f"File        {report['path']}")
    note = getattr(dataset.source, "note", "")
    print(f"Container   {report['container']}" + (f" ({note})" if note else ""))
    formats = report["formats"]
    mixed = "  (mixed: " + ", ".join(f"{k} {v}" for k, v in formats.items()) + ")" if len(formats) > 1 else ""
    print(f"Format      {report['format']}{mixed}")
    if report["mapping"]:
        print(f"Mapping     {report['mapping']}")
    print(f"Records     {report['records']}" + (f"  ({report['notice']})" if report["notice"] else ""))
    print_problems(problems)
    limit = report["tokens"]["instruction"]["limit"]
    print(f"\nTokens (cl100k_base)   {'min':>7} {'median':>8} {'p95':>8} {'max':>8}  > {limit}")
    for field in FIELDS:
        s = report["tokens"][field]
        print(f"  {field:<20} {s['min']:>7} {s['median']:>8.0f} {s['p95']:>8.0f} {s['max']:>8}  {s['over_limit']}")
