"""`sft-explorer cache [--clear]`: how much the embedding cache holds, and emptying it."""

from __future__ import annotations

import argparse

from explorer.core.analysis.embed_cache import EmbeddingCache


def register(sub) -> None:
    parser = sub.add_parser("cache", help="report the embedding cache's size, or --clear it")
    parser.add_argument("--clear", action="store_true", help="delete every cached embedding")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    cache = EmbeddingCache()
    if args.clear:
        cache.clear()
        print("Embedding cache cleared.")
    info = cache.report()
    print(f"Embedding cache: {info['path']} ({info['bytes'] / 2**20:.1f} MiB)")
    for model, count in info["models"].items():
        print(f"  {model}: {count:,} vectors")
    cache.close()
    return 0
