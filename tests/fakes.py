"""A deterministic fake embedder: texts about one topic land near that topic's centre, others are spread out."""

from __future__ import annotations

import hashlib

import numpy as np

TOPICS = ("cooking", "astronomy", "football", "poetry", "taxes")


def _unit(seed_text: str, dim: int) -> np.ndarray:
    rng = np.random.default_rng(int.from_bytes(hashlib.sha256(seed_text.encode()).digest()[:8], "little"))
    v = rng.normal(size=dim)
    return v / np.linalg.norm(v)


class FakeEmbedder:
    """Vector = topic centre + small per-text noise (the topic is the first word naming one of TOPICS)."""

    def __init__(self, dim: int = 32, noise: float = 0.5, model_id: str = "fake-embedder"):
        self.dim, self.noise, self.model_id, self.device = dim, noise, model_id, "cpu"
        self.batch_size = 16
        self.encoded: list[str] = []

    def topic_of(self, text: str) -> str | None:
        return next((t for t in TOPICS if t in text.lower()), None)

    def encode(self, texts: list[str]) -> np.ndarray:
        self.encoded.extend(texts)
        out = []
        for text in texts:
            topic = self.topic_of(text)
            centre = _unit("topic:" + topic, self.dim) if topic else np.zeros(self.dim)
            v = centre + self.noise * _unit("text:" + text, self.dim) if topic else _unit("text:" + text, self.dim)
            out.append(v / np.linalg.norm(v))
        return np.asarray(out, dtype=np.float32)


def planted_records(per_topic: int = 40) -> tuple[list[dict], list[int]]:
    """Alpaca records about TOPICS (ids in order), and the planted topic index of each."""
    records, truth = [], []
    for t, topic in enumerate(TOPICS):
        for i in range(per_topic):
            records.append({"instruction": f"Question {i} about {topic}: detail number {i * 7 + t}",
                            "input": "", "output": f"An answer about {topic}, point {i}."})
            truth.append(t)
    return records, truth
