"""Embedding a whole dataset into a vectors folder: here (with the disk cache), or on a Ray cluster (`ray_engine`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from explorer.core.analysis.embed_cache import EmbeddingCache
from explorer.core.analysis.embedding import embed, make_embedder, model_id_for
from explorer.core.analysis.vectors_folder import VectorsWriter
from explorer.core.progress import CancelFn, ProgressFn, part_of

PART_ROWS = 100_000
"""Records per Parquet part (and per embedding round, so memory stays bounded at any size)."""
TEXT = "Embedding into a vectors folder"


@dataclass
class EmbedJob:
    """What to embed and how: the same for every engine."""

    texts: list[str]
    out: Path
    model: str
    field: str = "instruction"
    device: str = "auto"
    batch_size: int | None = None
    dtype: str = "float32"


@dataclass
class EmbedOutcome:
    folder: Path
    count: int
    computed: int
    cached: int
    device: str
    retried: int = 0
    """Batches a worker had to redo (Ray engine: a worker died or a task failed)."""


def embed_local(job: EmbedJob, cache: EmbeddingCache | None = None, progress: ProgressFn | None = None,
                cancel: CancelFn | None = None) -> EmbedOutcome:
    """The local engine: this machine's CPU or GPU, part by part, reusing and filling the embedding cache."""
    model_id = model_id_for(job.model)
    embedder = None

    def get_embedder():
        nonlocal embedder
        if embedder is None:
            embedder = make_embedder(job.model, job.device, job.batch_size)
        return embedder

    n = len(job.texts)
    writer = None
    computed = cached = 0
    device = "cache"
    try:
        for start in range(0, max(n, 1), PART_ROWS):
            chunk = job.texts[start:start + PART_ROWS]
            scaled = part_of(progress, start, len(chunk), n, TEXT)
            result = embed(get_embedder, model_id, chunk, cache, scaled, cancel, job.batch_size)
            if writer is None:
                writer = VectorsWriter(job.out, model_id, job.field, result.vectors.shape[1], n, job.dtype)
            writer.write(range(start, start + len(chunk)), result.vectors)
            computed += result.computed
            cached += result.cached
            device = result.device if result.device != "cache" else device
        folder = writer.finish()
    except BaseException:
        if writer is not None:
            writer.abandon()
        raise
    return EmbedOutcome(folder, n, computed, cached, device)
