"""Disk cache of embeddings keyed by (model id, exact text), so only new or edited texts are embedded."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path

import numpy as np

from explorer.core.paths import user_dir

_CHUNK = 500


def text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class EmbeddingCache:
    """An SQLite file of float32 vectors; one row per (model, text hash)."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else user_dir("cache") / "embeddings.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Background jobs use the cache from worker threads: one connection, serialized by a lock.
        self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        self._lock = threading.RLock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (model TEXT, key BLOB, vec BLOB, "
                         "PRIMARY KEY (model, key)) WITHOUT ROWID")
        self._db.execute("CREATE TABLE IF NOT EXISTS models (model TEXT PRIMARY KEY, dim INTEGER)")

    def dim_of(self, model: str) -> int | None:
        """The vector size stored for a model, so a fully cached run need not load the model."""
        with self._lock:
            row = self._db.execute("SELECT dim FROM models WHERE model = ?", (model,)).fetchone()
            return int(row[0]) if row else None

    def lookup(self, model: str, keys: list[bytes], dim: int) -> tuple[np.ndarray, np.ndarray]:
        """(vectors, found mask) for `keys`; rows not found are zeros."""
        with self._lock:
            out = np.zeros((len(keys), dim), dtype=np.float32)
            found = np.zeros(len(keys), dtype=bool)
            where: dict[bytes, list[int]] = {}
            for i, k in enumerate(keys):
                where.setdefault(k, []).append(i)
            unique = list(where)
            for start in range(0, len(unique), _CHUNK):
                chunk = unique[start:start + _CHUNK]
                rows = self._db.execute(
                    f"SELECT key, vec FROM vectors WHERE model = ? AND key IN ({','.join('?' * len(chunk))})",
                    [model, *chunk])
                for key, blob in rows:
                    vec = np.frombuffer(blob, dtype=np.float32)
                    if vec.shape[0] != dim:
                        continue
                    for i in where[key]:
                        out[i] = vec
                        found[i] = True
            return out, found

    def store(self, model: str, keys: list[bytes], vectors: np.ndarray) -> None:
        with self._lock:
            with self._db:
                self._db.execute("INSERT OR REPLACE INTO models VALUES (?, ?)", (model, int(vectors.shape[1])))
                self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                                     [(model, k, np.ascontiguousarray(v, dtype=np.float32).tobytes())
                                      for k, v in zip(keys, vectors)])

    def report(self) -> dict:
        """Size of the cache file and vectors per model."""
        with self._lock:
            rows = self._db.execute("SELECT model, COUNT(*) FROM vectors GROUP BY model").fetchall()
            size = sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*") if p.is_file())
            return {"path": str(self.path), "bytes": size, "models": dict(rows)}

    def clear(self) -> None:
        with self._lock:
            with self._db:
                self._db.execute("DELETE FROM vectors")
                self._db.execute("DELETE FROM models")
            self._db.execute("VACUUM")

    def close(self) -> None:
        self._db.close()
