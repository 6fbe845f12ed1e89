"""A loaded dataset: its source container, one format per record, problems, and records on demand.

Records are not kept as Python objects (a million of them would cost gigabytes): the dataset keeps the
source bytes and a unit index per record, and builds a `Record` when asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np

from explorer.core import formats
from explorer.core.containers import Source, open_source
from explorer.core.formats import ColumnMapping, oasst
from explorer.core.scanning import collect
from explorer.core.problems import Problem
from explorer.core.progress import CancelFn, ProgressFn, Ticker
from explorer.core.record import Record


@dataclass
class Dataset:
    path: str
    source: Source
    record_units: np.ndarray
    """Record id → the source unit it comes from (for OASST threads: the leaf row)."""
    format_codes: np.ndarray
    format_names: list[str]
    problems: list[Problem] = field(default_factory=list)
    mapping: ColumnMapping | None = None
    threads: dict[int, list[int]] = field(default_factory=dict)
    """OASST: record id → the units on its root-to-leaf path."""

    def __len__(self) -> int:
        return len(self.record_units)

    @property
    def container(self) -> str:
        return self.source.container

    def format_of(self, rid: int) -> str:
        return self.format_names[self.format_codes[rid]]

    def format_counts(self) -> dict[str, int]:
        counts = np.bincount(self.format_codes, minlength=len(self.format_names))
        pairs = sorted(((self.format_names[i], int(c)) for i, c in enumerate(counts) if c), key=lambda p: -p[1])
        return dict(pairs)

    @property
    def format(self) -> str:
        """The majority format ('none' for an empty dataset)."""
        counts = self.format_counts()
        return next(iter(counts), "none")

    @property
    def is_mixed(self) -> bool:
        return len(self.format_counts()) > 1

    def line_of(self, rid: int) -> int | None:
        return self.source.line(int(self.record_units[rid]))

    def record(self, rid: int) -> Record:
        """The normalized record with id `rid` (0-based position among the source's records)."""
        if not 0 <= rid < len(self):
            raise IndexError(rid)
        if rid in self.threads:
            return oasst.thread_record([self.source.object(u) for u in self.threads[rid]], rid)
        obj = self.source.object(int(self.record_units[rid]))
        return formats.to_record(self.format_of(rid), obj, rid, self.mapping)

    def source_object(self, rid: int) -> dict:
        """The record's object exactly as the source holds it (for same-format edits and export)."""
        return self.source.object(int(self.record_units[rid]))

    def iter_records(self, progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> Iterator[Record]:
        """All records in id order, with progress and cancel between batches."""
        ticker = Ticker(progress, cancel, len(self), "Reading records")
        for rid in range(len(self)):
            if not rid & 0x0FFF:
                ticker.update(rid)
            yield self.record(rid)
        ticker.finish()

    @property
    def notice(self) -> str:
        """A one-line note for the user about what was (not) loaded."""
        if len(self) == 0:
            return "the dataset is empty" if not self.problems else "no readable records"
        return ""


def load(path: str | Path, mapping: ColumnMapping | None = None, split: str | None = None,
         progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> Dataset:
    """Open a dataset file or folder: detect its container and each record's format, report bad units.

    Raises DatasetError only when the file as a whole cannot be read; bad lines become problems.
    """
    source = open_source(path, split)
    found = collect(source, mapping, progress, cancel)
    units, codes = found.units, found.codes
    record_units = np.frombuffer(units, dtype=np.int64).copy() if units else np.zeros(0, np.int64)
    format_codes = np.frombuffer(codes, dtype=np.uint8).copy()
    dataset = Dataset(str(path), source, record_units, format_codes, found.names, found.problems, mapping)
    if found.oasst_rows:
        _add_threads(dataset, found.oasst_rows)
    if len(dataset) and dataset.format_counts() == {formats.UNKNOWN: len(dataset)}:
        _summarize_unknown(dataset)
    if dataset.is_mixed:
        dataset.problems.append(Problem(
            "mixed formats: " + ", ".join(f"{n} {c}" for n, c in dataset.format_counts().items()),
            severity="warning", kind="mixed_formats"))
    return dataset


def _summarize_unknown(dataset: Dataset) -> None:
    """No record fits a known format: one problem that names the keys found and how to map them, instead of one
    warning per record."""
    keys: dict[str, int] = {}
    for rid in range(min(len(dataset), 1000)):
        for key in dataset.source_object(rid):
            keys[str(key)] = keys.get(str(key), 0) + 1
    found = ", ".join(f"{k} ({n})" for k, n in sorted(keys.items(), key=lambda kv: -kv[1])[:12])
    example = _suggested_mapping(dataset, list(keys))
    dataset.problems[:] = [p for p in dataset.problems if p.kind != "format_unknown"]
    dataset.problems.append(Problem(
        f"no record matches a known SFT format; keys found (in the first {min(len(dataset), 1000):,} records): "
        f"{found}. Say which key holds what with a column mapping, e.g. {example}", severity="error",
        kind="format_unknown"))


PROMPT_KEYS = ("instruction", "question", "prompt", "query", "problem", "input", "text", "content")
"""Keys that usually hold a prompt, most telling first (the mapping hint; eval sets of unknown layout)."""
ANSWER_KEYS = ("response", "answer", "output", "completion", "reference", "target", "solution", "label")


def _suggested_mapping(dataset: Dataset, names: list[str]) -> str:
    """A `--map` for the keys found: prompt- and answer-like keys holding text, else the first text keys."""
    sample = [dataset.source_object(rid) for rid in range(min(len(dataset), 20))]

    def texty(value) -> bool:  # text, or a list of texts (several reference answers)
        return (isinstance(value, str) and bool(value.strip())) or \
            (isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value))

    text_keys = [k for k in names if any(texty(o.get(k)) for o in sample)]
    strings = [k for k in text_keys if any(isinstance(o.get(k), str) for o in sample)]
    prompt = next((k for k in PROMPT_KEYS if k in strings), strings[0] if strings else None)
    answer = next((k for k in ANSWER_KEYS if k in text_keys and k != prompt),
                  next((k for k in text_keys if k != prompt), None))
    if prompt is None:
        return "--map instruction=KEY"
    return f"--map instruction={prompt}" + (f",response={answer}" if answer else "")


def _add_threads(dataset: Dataset, rows: dict[int, dict]) -> None:
    """Turn OASST message rows into one record per root-to-leaf thread, placed at its leaf's position."""
    paths, warnings = oasst.assemble_threads(rows)
    dataset.problems.extend(Problem(w, severity="warning", kind="oasst_thread") for w in warnings)
    code = len(dataset.format_names)
    dataset.format_names.append("oasst")
    entries = [(int(u), int(c), None) for u, c in zip(dataset.record_units, dataset.format_codes)]
    entries += [(path[-1], code, path) for path in paths]
    entries.sort(key=lambda e: e[0])
    dataset.record_units = np.array([e[0] for e in entries], dtype=np.int64)
    dataset.format_codes = np.array([e[1] for e in entries], dtype=np.uint8)
    dataset.threads = {rid: e[2] for rid, e in enumerate(entries) if e[2] is not None}
