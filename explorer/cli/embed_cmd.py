"""`sft-explorer embed PATH --out VECTORS_DIR`: a vectors folder for `analyze --vectors`, here or on a Ray cluster."""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys

from explorer.cli.common import add_dataset_args, open_dataset
from explorer.cli.progress_bar import TerminalProgress
from explorer.core.analysis.embed_cache import EmbeddingCache
from explorer.core.analysis.embed_engines import EmbedJob, embed_local
from explorer.core.analysis.embedding import DEVICES
from explorer.core.analysis.multilingual import resolve_model
from explorer.core.analysis.texts import EMBED_FIELDS, read_texts
from explorer.core.analysis.vectors_folder import DTYPES
from explorer.core.errors import DatasetError
from explorer.core.settings import load_analysis_params


def register(sub) -> None:
    parser = sub.add_parser("embed", help="embed every record into a vectors folder (this machine, or a Ray cluster)")
    add_dataset_args(parser)
    parser.add_argument("--out", required=True, metavar="VECTORS_DIR",
                        help="folder to write (vectors.json + part-*.parquet); name it DATASET.vectors beside the "
                             "file and the app and `analyze` use it without being told")
    parser.add_argument("--engine", choices=("local", "ray"), default="local",
                        help="local: this machine, with the embedding cache (default); ray: a Ray cluster's "
                             "GPUs or CPUs (pip install 'sft-explorer[ray]')")
    parser.add_argument("--address", help="Ray cluster to connect to (default: $RAY_ADDRESS, else a local Ray)")
    parser.add_argument("--model", help="embedding model: 'auto', a bundled one or a sentence-transformers name or "
                        "folder (default: your settings)")
    parser.add_argument("--field", choices=EMBED_FIELDS, help="text to embed (default: your settings)")
    parser.add_argument("--batch-size", type=int, help="texts per model call (default: 256 on a GPU, 32 on a CPU)")
    parser.add_argument("--device", choices=DEVICES, help="where to embed (default: your settings)")
    parser.add_argument("--dtype", choices=DTYPES, default="float32", help="stored precision (float16: half the disk)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    saved, _ = load_analysis_params()
    progress = TerminalProgress()
    dataset = open_dataset(args, progress)
    unknown = [p for p in dataset.problems if p.kind == "format_unknown" and p.record is None]
    if unknown and dataset.mapping is None:
        raise DatasetError(f"{dataset.path}: {unknown[0].message}")
    field = args.field or saved.embed_field
    records = read_texts(dataset, progress)
    progress.close()
    model = resolve_model(args.model or saved.model, records.instruction)
    job = EmbedJob(records.field(field), args.out, model, field, args.device or saved.device, args.batch_size,
                   args.dtype)
    if args.engine == "ray":
        if importlib.util.find_spec("ray") is None:
            print("sft-explorer: error: the Ray engine needs Ray: pip install 'sft-explorer[ray]' "
                  "(or pip install 'ray[data]')", file=sys.stderr)
            return 2
        from explorer.core.analysis.ray_engine import embed_ray

        outcome = embed_ray(job, args.address or os.environ.get("RAY_ADDRESS"), progress)
    else:
        outcome = embed_local(job, EmbeddingCache(), progress)
    progress.close()
    retried = f"; {outcome.retried} worker restart(s), their blocks redone" if outcome.retried else ""
    where = f"computed on {outcome.device}" if outcome.computed else "computed"
    print(f"Wrote {outcome.count:,} vectors to {outcome.folder} ({outcome.computed:,} {where}, "
          f"{outcome.cached:,} from the cache{retried})")
    return 0
