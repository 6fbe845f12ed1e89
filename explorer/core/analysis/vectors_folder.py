"""A vectors folder: one vector per record, made by `sft-explorer embed` (locally or on a Ray cluster) or by any tool.

    DIR/vectors.json     {"model": id, "field": "instruction", "dim": 384, "count": n, "normalized": true,
                          "dtype": "float32" | "float16"}
    DIR/part-*.parquet   columns `id` (int64: the record's 0-based index, as in records.jsonl) and `vector`
                         (list or fixed-size list of float32/float16, length `dim`)

`analyze --vectors DIR` (and the app, automatically when `DATASET.vectors/` sits beside the file) uses it instead
of embedding. Reading checks everything and says what is wrong: which ids are missing or extra, which part is
unreadable, which row has the wrong length.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from explorer.core.errors import DatasetError
from explorer.core.progress import CancelFn, ProgressFn, Ticker

MANIFEST = "vectors.json"
DTYPES = ("float32", "float16")
SUFFIX = ".vectors"


class VectorsFolderError(DatasetError):
    """A vectors folder that cannot be used as it is (the message says why and where)."""


@dataclass(frozen=True)
class VectorsInfo:
    model: str
    field: str
    dim: int
    count: int
    normalized: bool = True
    dtype: str = "float32"


def beside(dataset_path: str | Path) -> Path | None:
    """`data.jsonl.vectors/` or `data.vectors/` next to the dataset, if either holds a vectors folder."""
    path = Path(dataset_path)
    for candidate in (path.with_name(path.name + SUFFIX), path.with_name(path.stem + SUFFIX)):
        if (candidate / MANIFEST).is_file():
            return candidate
    return None


def read_info(folder: str | Path) -> VectorsInfo:
    """The folder's `vectors.json`, checked."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise VectorsFolderError(f"{folder}: not a vectors folder (no {MANIFEST})")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise VectorsFolderError(f"{path}: cannot read: {e}") from None
    if not isinstance(raw, dict):
        raise VectorsFolderError(f"{path}: must hold one JSON object")
    missing = [k for k in ("model", "dim", "count") if k not in raw]
    if missing:
        raise VectorsFolderError(f"{path}: missing {', '.join(missing)}")
    try:
        info = VectorsInfo(str(raw["model"]), str(raw.get("field", "instruction")), int(raw["dim"]),
                           int(raw["count"]), bool(raw.get("normalized", True)), str(raw.get("dtype", "float32")))
    except (TypeError, ValueError) as e:
        raise VectorsFolderError(f"{path}: {e}") from None
    if info.dim < 1 or info.count < 0:
        raise VectorsFolderError(f"{path}: dim must be ≥ 1 and count ≥ 0")
    if info.dtype not in DTYPES:
        raise VectorsFolderError(f"{path}: dtype must be one of {', '.join(DTYPES)}, not {info.dtype!r}")
    return info


def read_vectors(folder: str | Path, count: int | None = None, progress: ProgressFn | None = None,
                 cancel: CancelFn | None = None) -> tuple[np.ndarray, VectorsInfo]:
    """(float32 unit vectors in record order, info). `count`: the dataset's number of records, which the folder
    must match. Every id in 0..count−1 must be present exactly once."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = Path(folder)
    info = read_info(folder)
    if count is not None and info.count != count:
        raise VectorsFolderError(f"{folder / MANIFEST}: count is {info.count:,} but the dataset has {count:,} "
                                 "records (vectors made for another version of the file?)")
    parts = sorted(folder.glob("part-*.parquet"))
    if not parts and info.count:
        raise VectorsFolderError(f"{folder}: no part-*.parquet files")
    out = np.zeros((info.count, info.dim), dtype=np.float32)
    seen = np.zeros(info.count, dtype=np.int32)
    extra: list[int] = []
    ticker = Ticker(progress, cancel, info.count, "Reading vectors")
    done = 0
    for part in parts:
        try:
            table = pq.read_table(part, columns=["id", "vector"])
        except (OSError, pa.ArrowException, KeyError) as e:
            raise VectorsFolderError(f"{part}: unreadable Parquet: {e}") from None
        ids = table.column("id").to_numpy().astype(np.int64, copy=False)
        vectors = _matrix(table.column("vector"), info.dim, part)
        inside = (ids >= 0) & (ids < info.count)
        extra.extend(ids[~inside][:20].tolist())
        np.add.at(seen, ids[inside], 1)
        out[ids[inside]] = vectors[inside]
        done += len(ids)
        ticker.update(min(done, info.count))
    ticker.finish()
    _check_ids(folder, seen, extra)
    if not np.isfinite(out).all():
        bad = np.flatnonzero(~np.isfinite(out).all(axis=1))
        raise VectorsFolderError(f"{folder}: {len(bad):,} vectors hold NaN or infinity (ids {_ids(bad)})")
    norms = np.linalg.norm(out, axis=1)
    off = np.flatnonzero((norms > 0) & (np.abs(norms - 1.0) > 1e-4))  # unit rows whatever the tool wrote;
    out[off] /= norms[off, None]  # rows already unit stay bit for bit, so the analysis equals an embedded one
    return out, info


def _matrix(column, dim: int, part: Path) -> np.ndarray:
    """A (rows, dim) float32 matrix from a list / fixed-size-list column, with any bad row named."""
    import pyarrow as pa
    import pyarrow.compute as pc

    column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if not (pa.types.is_list(column.type) or pa.types.is_large_list(column.type)
            or pa.types.is_fixed_size_list(column.type)):
        raise VectorsFolderError(f"{part}: column 'vector' must be a list of floats, not {column.type}")
    if column.null_count:
        row = int(np.flatnonzero(column.is_null().to_numpy(zero_copy_only=False))[0])
        raise VectorsFolderError(f"{part}: row {row} has no vector")
    lengths = pc.list_value_length(column).to_numpy(zero_copy_only=False)
    wrong = np.flatnonzero(lengths != dim)
    if len(wrong):
        raise VectorsFolderError(f"{part}: row {int(wrong[0])} has a vector of length {int(lengths[wrong[0]])}, "
                                 f"vectors.json says dim {dim} ({len(wrong):,} rows differ)")
    values = column.flatten().to_numpy(zero_copy_only=False)
    return values.astype(np.float32, copy=False).reshape(len(column), dim)


def _ids(ids) -> str:
    ids = [int(i) for i in ids]
    return ", ".join(map(str, ids[:10])) + (f" and {len(ids) - 10:,} more" if len(ids) > 10 else "")


def _check_ids(folder: Path, seen: np.ndarray, extra: list[int]) -> None:
    problems = []
    missing = np.flatnonzero(seen == 0)
    if len(missing):
        problems.append(f"{len(missing):,} ids missing ({_ids(missing)})")
    twice = np.flatnonzero(seen > 1)
    if len(twice):
        problems.append(f"{len(twice):,} ids present more than once ({_ids(twice)})")
    if extra:
        problems.append(f"ids outside 0..{len(seen) - 1} ({_ids(extra)})")
    if problems:
        raise VectorsFolderError(f"{folder}: " + "; ".join(problems))


class VectorsWriter:
    """Writes a vectors folder part by part; `vectors.json` comes last, so a folder without it is unfinished.

    Parts go to `DIR.partial/` and replace DIR only when every id was written once: an interrupted run never
    leaves a folder that looks complete."""

    def __init__(self, folder: str | Path, model: str, field: str, dim: int, count: int, dtype: str = "float32"):
        if dtype not in DTYPES:
            raise VectorsFolderError(f"dtype must be one of {', '.join(DTYPES)}, not {dtype!r}")
        self.folder = Path(folder)
        if self.folder.exists() and any(self.folder.iterdir()) and not (self.folder / MANIFEST).is_file():
            raise VectorsFolderError(f"{self.folder} exists and is not a vectors folder; choose another --out")
        self.info = VectorsInfo(model, field, int(dim), int(count), True, dtype)
        self.partial = self.folder.with_name(self.folder.name + ".partial")
        shutil.rmtree(self.partial, ignore_errors=True)
        self.partial.mkdir(parents=True)
        self.parts = 0
        self.seen = np.zeros(count, dtype=np.int32)

    def write(self, ids, vectors: np.ndarray) -> None:
        """One part: `ids` (record indices) and their vectors, rows in the same order."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        ids = np.asarray(ids, dtype=np.int64)
        vectors = np.asarray(vectors, dtype=np.dtype(self.info.dtype))
        if vectors.shape != (len(ids), self.info.dim):
            raise VectorsFolderError(f"part of {len(ids)} ids has vectors of shape {vectors.shape}")
        np.add.at(self.seen, ids, 1)
        values = pa.array(vectors.reshape(-1), type=pa.float16() if self.info.dtype == "float16" else pa.float32())
        table = pa.table({"id": pa.array(ids), "vector": pa.FixedSizeListArray.from_arrays(values, self.info.dim)})
        pq.write_table(table, self.partial / f"part-{self.parts:05d}.parquet")
        self.parts += 1

    def finish(self) -> Path:
        """Check that every id was written exactly once, then put the folder in place."""
        _check_ids(self.partial, self.seen, [])
        (self.partial / MANIFEST).write_text(json.dumps(asdict(self.info), indent=1) + "\n", encoding="utf-8")
        if self.folder.exists():
            shutil.rmtree(self.folder)
        os.replace(self.partial, self.folder)
        return self.folder

    def abandon(self) -> None:
        shutil.rmtree(self.partial, ignore_errors=True)
