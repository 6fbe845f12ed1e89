"""Embedding in a helper process, so importing torch and running the model never holds the GUI's Python lock.

The helper (`python -m explorer.core.analysis.embed_worker MODEL DEVICE`) loads the model once, prints one JSON
line describing it, then answers each request line `{"texts": [...]}` with the raw float32 vectors.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np

from explorer.core.errors import DatasetError


class ProcessEmbedder:
    """The Embedder protocol, served by a helper process."""

    def __init__(self, model: str, device: str = "auto"):
        self.proc = subprocess.Popen([sys.executable, "-m", "explorer.core.analysis.embed_worker", model, device],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        line = self.proc.stdout.readline()
        try:
            info = json.loads(line)
        except ValueError:
            self.close()
            raise DatasetError(f"the embedding helper for {model!r} did not start") from None
        if "error" in info:
            self.close()
            raise DatasetError(info["error"])
        self.model_id, self.dim, self.device = info["model_id"], info["dim"], info["device"]
        self.batch_size = info["batch_size"]

    def encode(self, texts: list[str]) -> np.ndarray:
        try:
            self.proc.stdin.write(json.dumps({"texts": texts}).encode("utf-8") + b"\n")
            self.proc.stdin.flush()
            size = len(texts) * self.dim * 4
            data = self.proc.stdout.read(size)
        except OSError as e:
            raise DatasetError(f"the embedding helper stopped: {e}") from None
        if len(data) != size:
            raise DatasetError("the embedding helper stopped unexpectedly")
        return np.frombuffer(data, dtype=np.float32).reshape(len(texts), self.dim).copy()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass


def make_embedder(model: str, device: str = "auto"):
    """An embedder in a helper process (frozen apps start it through their own `-m` handling)."""
    return ProcessEmbedder(model, device)


def main(argv: list[str]) -> None:
    from explorer.core.analysis.embedding import SentenceTransformerEmbedder

    out = sys.stdout.buffer
    try:
        embedder = SentenceTransformerEmbedder(argv[0], argv[1], leave_a_core=True)
    except DatasetError as e:
        out.write(json.dumps({"error": str(e)}).encode() + b"\n")
        out.flush()
        return
    info = {"model_id": embedder.model_id, "dim": embedder.dim, "device": embedder.device,
            "batch_size": embedder.batch_size}
    out.write(json.dumps(info).encode() + b"\n")
    out.flush()
    for line in sys.stdin.buffer:
        texts = json.loads(line)["texts"]
        out.write(np.ascontiguousarray(embedder.encode(texts), dtype=np.float32).tobytes())
        out.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
