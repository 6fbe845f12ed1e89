"""Entry point of the `sft-explorer` command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from explorer import __version__
from explorer.core.errors import DatasetError
from explorer.core.progress import CancelledError


def build_parser() -> argparse.ArgumentParser:
    from explorer.cli import (analyze_cmd, cache_cmd, diff_cmd, embed_cmd, export_cmd, inspect_cmd, search_cmd,
                              session_cmds)

    parser = argparse.ArgumentParser(prog="sft-explorer", description="See, check and curate SFT datasets.")
    parser.add_argument("--version", action="version", version=f"sft-explorer {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    inspect_cmd.register(sub)
    export_cmd.register(sub)
    analyze_cmd.register(sub)
    cache_cmd.register(sub)
    session_cmds.register(sub)
    search_cmd.register(sub)
    diff_cmd.register(sub)
    embed_cmd.register(sub)
    return parser


def command_names(parser: argparse.ArgumentParser) -> set[str]:
    """The subcommands the parser knows (read from it, so a new command needs no second list)."""
    return {name for action in parser._subparsers._group_actions for name in action.choices}


def _run_module(argv: list[str]) -> int:
    """`APP -m MODULE ARGS`: how a frozen app starts its own helper processes (the scan, embedding and analysis
    helpers are started as `sys.executable -m explorer...`, and in a frozen app sys.executable is the app)."""
    import runpy

    if len(argv) < 2 or not argv[1].startswith("explorer."):
        print("sft-explorer: -m runs only the app's own helper modules", file=sys.stderr)
        return 2
    sys.argv = [argv[1], *argv[2:]]
    runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["-m"]:
        return _run_module(argv)
    parser = build_parser()
    if not argv or (argv[0] not in command_names(parser) and argv[0] not in ("-h", "--help", "--version")):
        if argv and not argv[0].startswith("-") and not Path(argv[0]).exists():
            print(f"sft-explorer: error: {argv[0]!r} is neither a command ({', '.join(sorted(command_names(parser)))})"
                  " nor a file or folder to open", file=sys.stderr)
            return 2
        from explorer.ui.app import main as app_main  # no command: the desktop app

        return app_main(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except DatasetError as e:
        print(f"sft-explorer: error: {e}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, CancelledError):
        print("sft-explorer: cancelled", file=sys.stderr)
        return 130
