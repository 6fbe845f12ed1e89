"""Writing a dataset: the same format and container byte for byte, or converted to another format/container."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
import orjson

from explorer.core import atomic
from explorer.core.containers.arrowfiles import write_parquet
from explorer.core.dataset import Dataset
from explorer.core.errors import DatasetError
from explorer.core.formats import CONVERSION_TARGETS, NotExpressible, convert
from explorer.core.progress import CancelFn, ProgressFn, Ticker

CONTAINERS = ("jsonl", "jsonl.gz", "json", "parquet")
LINE_CONTAINERS = ("jsonl", "jsonl.gz", "json")
"""Containers whose units that hold no record are bad or blank lines/elements (a CSV's header is a unit too)."""


@dataclass
class ExportResult:
    out: str
    container: str
    format: str
    written: int
    skipped: list[tuple[int, str]] = field(default_factory=list)
    """(record id, reason) for records the target format cannot express."""
    unreadable_kept: int = 0
    """Units that were not records (bad lines) written back verbatim."""
    unreadable_dropped: int = 0
    """Bad lines that a converted export cannot carry."""


def container_for(out: str | Path) -> str | None:
    name = str(out).lower()
    for suffix, container in ((".jsonl.gz", "jsonl.gz"), (".jsonl", "jsonl"), (".ndjson", "jsonl"),
                              (".json", "json"), (".parquet", "parquet")):
        if name.endswith(suffix):
            return container
    return None


def _same_file(a: str | Path, b: str | Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return Path(a).resolve() == Path(b).resolve()


def export(dataset: Dataset, out: str | Path, to: str | None = None, *, replacements: dict[int, dict] | None = None,
           exclude: Iterable[int] = (), overwrite_source: bool = False, records_only: bool = False,
           progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> ExportResult:
    """Write `dataset` to `out`.

    `to`: None keeps each record's own format; 'alpaca', 'sharegpt' or 'messages' converts; 'parquet' keeps the
    format in a Parquet file. The container follows `out`'s suffix, or the source's when the suffix says nothing.
    `replacements` maps record ids to new source objects; `exclude` lists record ids to leave out.
    Same-format, same-container exports copy untouched records byte for byte, and the source's unreadable lines
    too, unless `records_only` (an export of some records, where a line nobody picked has no place). Atomic.
    """
    replacements = dict(replacements or {})
    exclude = set(exclude)
    if not overwrite_source and _same_file(dataset.path, out):
        raise DatasetError("refusing to overwrite the source dataset; choose another output file", str(out))
    if to not in (None, "parquet", *CONVERSION_TARGETS):
        raise DatasetError(f"unknown target format {to!r}; use alpaca, sharegpt, messages or parquet")
    container = "parquet" if to == "parquet" else (container_for(out) or dataset.container)
    target = None if to in (None, "parquet") else to
    if target is None and container == dataset.container and not dataset.threads:
        return _export_same(dataset, str(out), replacements, exclude, records_only)
    if container not in CONTAINERS:
        raise DatasetError(f"cannot write {container} when converting; use .jsonl, .jsonl.gz, .json or .parquet",
                           str(out))
    result = ExportResult(str(out), container, target or dataset.format, 0)
    ticker = Ticker(progress, cancel, len(dataset), "Exporting")
    objects = _objects(dataset, target, replacements, exclude, result, ticker)
    _write(container, str(out), objects)
    result.unreadable_dropped = _bad_units(dataset)
    return result


def _export_same(dataset: Dataset, out: str, replacements: dict[int, dict], exclude: set[int],
                 records_only: bool) -> ExportResult:
    units = dataset.record_units
    drop = {int(units[r]) for r in exclude}
    dropped = records_only and dataset.container in LINE_CONTAINERS
    if dropped:  # the units holding no record: unreadable and blank lines
        other = np.ones(dataset.source.n_units, dtype=bool)
        other[units] = False
        drop.update(np.flatnonzero(other).tolist())
    dataset.source.write_same(out, {int(units[r]): obj for r, obj in replacements.items()}, drop)
    bad = _bad_units(dataset)
    return ExportResult(out, dataset.container, dataset.format, len(dataset) - len(exclude),
                        unreadable_kept=0 if dropped else bad, unreadable_dropped=bad if dropped else 0)


def _bad_units(dataset: Dataset) -> int:
    return sum(p.n_lines for p in dataset.problems if p.severity == "error")


def _objects(dataset: Dataset, target: str | None, replacements: dict[int, dict], exclude: set[int],
             result: ExportResult, ticker: Ticker) -> Iterator[dict]:
    for rid in range(len(dataset)):
        if not rid & 0x0FFF:
            ticker.update(rid)
        if rid in exclude:
            continue
        if target is None:
            obj = replacements.get(rid) or dataset.source_object(rid)
        else:
            record = dataset.record(rid) if rid not in replacements else _record_from(dataset, rid, replacements[rid])
            try:
                obj = convert(record, target)
            except NotExpressible as e:
                result.skipped.append((rid, f"{target} cannot express it: {e}"))
                continue
        result.written += 1
        yield obj
    ticker.finish()


def _record_from(dataset: Dataset, rid: int, obj: dict):
    from explorer.core import formats

    return formats.to_record(dataset.format_of(rid), obj, rid, dataset.mapping)


def _write(container: str, out: str, objects: Iterator[dict]) -> None:
    if container == "parquet":
        write_parquet(out, _table(list(objects), out))
    elif container == "json":
        atomic.write_chunks(out, _json_array_chunks(objects))
    else:
        atomic.write_chunks(out, (orjson.dumps(o) + b"\n" for o in objects),
                            gzip_level=6 if container == "jsonl.gz" else None)


def _json_array_chunks(objects: Iterator[dict]) -> Iterator[bytes]:
    first = True
    yield b"["
    for obj in objects:
        text = json.dumps(obj, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        yield (b"\n  " if first else b",\n  ") + text.encode("utf-8")
        first = False
    yield b"\n]\n" if not first else b"]\n"


def _table(rows: list[dict], out: str):
    import pyarrow as pa

    columns: dict[str, list] = {}
    for row in rows:
        for key in row:
            columns.setdefault(key, [])
    for key, values in columns.items():
        values.extend(row.get(key) for row in rows)
    try:
        return pa.Table.from_pydict(columns)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as e:
        raise DatasetError(f"the records do not fit one Parquet schema ({e}); export as JSONL instead", out) from None
