"""Columnar containers: Parquet files, Arrow files and Hugging Face `save_to_disk` folders.

Rows stay in the Arrow table (compact, memory-mapped where possible) and become dicts only when read.
Writing back keeps the schema; untouched rows keep their values (columnar files are not byte-spliced).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from explorer.core import atomic
from explorer.core.containers.base import ReportFn, Source
from explorer.core.errors import DatasetError
from explorer.core.progress import CancelFn, ProgressFn, Ticker

BATCH_ROWS = 32768


class ArrowSource(Source):
    def __init__(self, path: str, table, container: str, note: str = ""):
        self.path = path
        self.table = table
        self.container = container
        self.note = note

    @property
    def n_units(self) -> int:
        return self.table.num_rows

    def scan(self, report: ReportFn, progress: ProgressFn | None, cancel: CancelFn | None) -> Iterator[tuple[int, dict]]:
        ticker = Ticker(progress, cancel, self.table.num_rows, "Reading rows")
        unit = 0
        for batch in self.table.to_batches(max_chunksize=BATCH_ROWS):
            ticker.update(unit)
            for row in batch.to_pylist():
                yield unit, _present(row)
                unit += 1
        ticker.finish()

    def object(self, unit: int) -> dict:
        return _present(self.table.slice(unit, 1).to_pylist()[0])

    def _table_with(self, replacements: dict[int, dict], exclude: set[int]):
        import pyarrow as pa

        pieces, pos = [], 0
        for unit in sorted(set(replacements) | set(exclude)):
            pieces.append(self.table.slice(pos, unit - pos))
            if unit not in exclude:
                try:
                    pieces.append(pa.Table.from_pylist([replacements[unit]], schema=self.table.schema))
                except (pa.ArrowInvalid, pa.ArrowTypeError) as e:
                    raise DatasetError(f"row {unit} no longer fits the file's columns: {e}", self.path) from None
            pos = unit + 1
        pieces.append(self.table.slice(pos))
        return pa.concat_tables(pieces)

    def write_same(self, out: str, replacements: dict[int, dict], exclude: set[int]) -> None:
        table = self._table_with(replacements, exclude)
        if self.container == "hf":
            write_hf_folder(out, table)
        else:
            write_parquet(out, table)


def _present(row: dict) -> dict:
    """A row without its null cells: in a table every column exists in every row, so null means 'absent'."""
    return {k: v for k, v in row.items() if v is not None}


def write_parquet(out: str, table) -> None:
    import pyarrow.parquet as pq

    with atomic.atomic_file(out) as f:
        pq.write_table(table, f)


def write_hf_folder(out: str, table) -> None:
    """A Hugging Face `save_to_disk` folder that `datasets.load_from_disk` opens."""
    from datasets import Dataset
    from datasets.table import InMemoryTable

    dataset = Dataset(InMemoryTable(table))
    atomic.atomic_dir(out, lambda tmp: dataset.save_to_disk(str(tmp)))


def read_parquet(path: str) -> ArrowSource:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path, memory_map=True)
    except Exception as e:  # pyarrow raises several types for damaged files
        raise DatasetError(f"cannot read Parquet: {e}", path) from None
    return ArrowSource(path, table, "parquet")


def _read_arrow_file(path: Path):
    import pyarrow as pa

    source = pa.memory_map(str(path))
    try:
        return pa.ipc.open_stream(source).read_all()
    except pa.ArrowInvalid:
        source.seek(0)
        return pa.ipc.open_file(source).read_all()


def read_arrow(path: str) -> ArrowSource:
    try:
        return ArrowSource(path, _read_arrow_file(Path(path)), "arrow")
    except Exception as e:
        raise DatasetError(f"cannot read Arrow data: {e}", path) from None


def hf_splits(folder: Path) -> list[str]:
    """Split names of a DatasetDict folder, or [] for a single Dataset folder."""
    info = folder / "dataset_dict.json"
    if not info.is_file():
        return []
    return list(json.loads(info.read_text(encoding="utf-8")).get("splits", []))


def read_hf_folder(folder: Path, split: str | None) -> ArrowSource:
    import pyarrow as pa

    splits = hf_splits(folder)
    note = ""
    if splits:
        if split is None:
            split = "train" if "train" in splits else splits[0]
        if split not in splits:
            raise DatasetError(f"no split {split!r}; the folder has {', '.join(splits)}", str(folder))
        note = f"split {split} of {', '.join(splits)}"
        folder = folder / split
    state_file = folder / "state.json"
    try:
        state = json.loads(state_file.read_text(encoding="utf-8"))
        files = [folder / f["filename"] for f in state["_data_files"]]
        tables = [_read_arrow_file(f) for f in files]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise DatasetError(f"not a readable Hugging Face dataset folder ({e})", str(folder)) from None
    except pa.ArrowException as e:
        raise DatasetError(f"cannot read Arrow data: {e}", str(folder)) from None
    table = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
    return ArrowSource(str(folder), table, "hf", note)
