"""Embedding throughput: the raw sentence-transformers call vs our local engine vs our Ray engine, in one run.

    python benchmarks/bench_embed.py [--records N] [--device auto|cpu|cuda] [--batch-size B] [--no-ray]

N generated short instructions (templates × topics × numbers, a third Chinese; default 20,000 on a GPU, 2,000 on a
CPU), all embedded with the bundled MiniLM on one device: fp16 on CUDA (raw too, as ours does), fp32 on the CPU.
Model load time is kept apart from encode time; texts/s is over encode time. The Ray engine runs on a local Ray:
its startup (Ray itself, actors, model loads) is measured apart, and its encode time is the rest. Our engines also
write the vectors folder (Parquet), which counts as encode time. Mean cosine: our vectors vs raw's, row by row.
On a machine without a GPU it measures the CPU only.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from explorer.core.analysis.embed_engines import EmbedJob, embed_local  # noqa: E402
from explorer.core.analysis.embedding import DEFAULT_MODEL, bundled_model_path, resolve_device  # noqa: E402
from explorer.core.analysis.vectors_folder import read_vectors  # noqa: E402

TEMPLATES = ["Explain {t} to a beginner in {n} sentences.", "Write a {n}-line poem about {t}.",
             "List {n} common mistakes people make with {t}.", "Summarize the history of {t} in {n} words.",
             "用{n}句话解释{t}。", "请列出关于{t}的{n}个事实。"]
TOPICS = ["photosynthesis", "binary search", "the French revolution", "compound interest", "black holes",
          "sourdough bread", "machine translation", "volcanoes", "jazz harmony", "tax law", "the immune system",
          "chess openings", "climate change", "prime numbers", "urban planning", "Rust ownership", "坐标系", "唐诗",
          "量子力学", "围棋"]


@dataclass
class Row:
    engine: str
    device: str
    dtype: str
    load_s: float
    encode_s: float
    n: int
    cosine: float | None = None
    note: str = ""


def instructions(n: int) -> list[str]:
    """`n` short instructions, distinct while n ≤ 120 × numbers used (they repeat past 120,000)."""
    out = []
    number = 2
    while len(out) < n:
        out.extend(tpl.format(t=topic, n=number) for topic in TOPICS for tpl in TEMPLATES)
        number += 1
    return out[:n]


def model_dtype(device: str) -> str:
    return "float16" if device == "cuda" else "float32"


def raw(texts: list[str], device: str, batch_size: int) -> tuple[Row, np.ndarray]:
    from sentence_transformers import SentenceTransformer

    start = time.perf_counter()
    model = SentenceTransformer(bundled_model_path(), device=device)
    if device == "cuda":
        model.half()
    loaded = time.perf_counter()
    vectors = model.encode(texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True)
    if device == "cuda":
        import torch

        torch.cuda.synchronize()
    done = time.perf_counter()
    row = Row("raw SentenceTransformer.encode", device, model_dtype(device),
              loaded - start, done - loaded, len(texts))
    return row, np.asarray(vectors, dtype=np.float32)


def local(texts: list[str], device: str, batch_size: int, out: Path) -> tuple[Row, Path]:
    """Our local engine, no cache; its first progress call comes once the model is loaded."""
    calls: list[float] = []
    start = time.perf_counter()
    outcome = embed_local(EmbedJob(texts, out, DEFAULT_MODEL, device=device, batch_size=batch_size), cache=None,
                          progress=lambda done, total, text: calls.append(time.perf_counter()))
    first = calls[:1]
    done = time.perf_counter()
    row = Row("ours: local engine (embed_local)", outcome.device, model_dtype(outcome.device),
              first[0] - start, done - first[0], len(texts))
    return row, outcome.folder


def on_ray(texts: list[str], device: str, batch_size: int, out: Path) -> tuple[Row, Path]:
    """Our Ray engine on a local Ray. Startup: Ray's start, then up to the first block back less that block's share
    of the steady rate (measured from the first block back to the last)."""
    import ray

    from explorer.core.analysis.ray_engine import embed_ray

    start = time.perf_counter()
    ray.init(address="local", include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    ray_up = time.perf_counter()
    arrivals: list[tuple[float, int]] = []

    def progress(done: int, total: int, text: str) -> None:
        if done:
            arrivals.append((time.perf_counter(), done))

    try:
        outcome = embed_ray(EmbedJob(texts, out, DEFAULT_MODEL, device=device, batch_size=batch_size), None, progress)
    finally:
        ray.shutdown()
    (t_first, first_rows), (t_last, last_rows) = arrivals[0], arrivals[-1]
    rate = (last_rows - first_rows) / (t_last - t_first) if last_rows > first_rows else first_rows / (t_first - ray_up)
    startup = (ray_up - start) + (t_first - ray_up) - first_rows / rate
    row = Row("ours: Ray engine (embed_ray, local Ray)", outcome.device, model_dtype(outcome.device),
              startup, t_last - start - startup, len(texts),
              note=f"startup: Ray {ray_up - start:.1f} s + actors and model {startup - (ray_up - start):.1f} s")
    return row, outcome.folder


def cosine(folder: Path, reference: np.ndarray) -> float:
    vectors, _ = read_vectors(folder, len(reference))
    return float(np.mean(np.sum(vectors * reference, axis=1)))


def print_table(rows: list[Row], args) -> None:
    print(f"\n{rows[0].n:,} instructions, bundled {DEFAULT_MODEL}, batch size {args.batch_size}\n")
    print("| engine | device | model dtype | load / startup s | encode s | texts/s | mean cosine vs raw | note |")
    print("|---|---|---|---:|---:|---:|---:|---|")
    for r in rows:
        cos = "—" if r.cosine is None else f"{r.cosine:.5f}"
        print(f"| {r.engine} | {r.device} | {r.dtype} | {r.load_s:.1f} | {r.encode_s:.1f} | {r.n / r.encode_s:,.0f} "
              f"| {cos} | {r.note} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, help="texts to embed (default: 20,000 on a GPU, 2,000 on a CPU)")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--batch-size", type=int, help="texts per model call (default: 256 on a GPU, 32 on a CPU)")
    parser.add_argument("--no-ray", action="store_true", help="skip the Ray engine")
    args = parser.parse_args()
    device = resolve_device(args.device)
    args.batch_size = args.batch_size or (256 if device == "cuda" else 32)
    texts = instructions(args.records or (20_000 if device == "cuda" else 2_000))
    import sentence_transformers  # noqa: F401  (imports are not load time)
    import torch
    import transformers

    transformers.logging.disable_progress_bar()  # its "Loading weights" bar

    print(f"device {device}{' (' + torch.cuda.get_device_name() + ')' if device == 'cuda' else ''}, "
          f"torch {torch.__version__}, {torch.get_num_threads()} torch threads here")
    rows = []
    raw_row, reference = raw(texts, device, args.batch_size)
    rows.append(raw_row)
    with tempfile.TemporaryDirectory() as tmp:
        row, folder = local(texts, device, args.batch_size, Path(tmp) / "local")
        row.cosine = cosine(folder, reference)
        rows.append(row)
        if not args.no_ray and importlib.util.find_spec("ray") is None:
            print("Ray is not installed: no Ray row (pip install 'ray[data]')")
        elif not args.no_ray:
            row, folder = on_ray(texts, device, args.batch_size, Path(tmp) / "ray")
            row.cosine = cosine(folder, reference)
            rows.append(row)
    print_table(rows, args)


if __name__ == "__main__":
    main()
