"""Classifying a source's objects into records, on one core or (large JSONL files) on two.

A helper process (`python -m explorer.core.scan_helper`) reads and classifies the second half of a big JSONL file
while this process does the first half; the results are merged in file order. A fresh interpreter (not fork) is
safe in a threaded GUI and needs no `__main__` guard in the caller's script (a frozen app serves `-m` itself).
"""

from __future__ import annotations

import dataclasses
import json
import os
from array import array

from explorer.core import formats
from explorer.core.containers.base import Source
from explorer.core.containers.jsonl import JsonlSource
from explorer.core.formats import ColumnMapping, Detector
from explorer.core.helper_process import HelperCrashed, OneShotHelper
from explorer.core.problems import Problem
from explorer.core.progress import CancelFn, ProgressFn

PARALLEL_MIN_BYTES = 64 << 20


class Collector:
    """Record units, their format codes and the problems found, in file order."""

    def __init__(self, mapping: ColumnMapping | None):
        self.detect = Detector(mapping)
        self.names: list[str] = []
        self.units = array("q")
        self.codes = bytearray()
        self.problems: list[Problem] = []
        self.oasst_rows: dict[int, dict] = {}

    def _code(self, name: str) -> int:
        try:
            return self.names.index(name)
        except ValueError:
            self.names.append(name)
            return len(self.names) - 1

    def consume(self, source: Source, items) -> None:
        known, detect = self.detect.known, self.detect
        units, codes = self.units, self.codes
        code_of: dict[str, int] = {n: i for i, n in enumerate(self.names)}
        for unit, obj in items:
            name = known.get(tuple(obj)) or detect(obj)
            if name == "oasst":
                self.oasst_rows[unit] = obj
                continue
            code = code_of.get(name)
            if code is None:
                code = code_of[name] = self._code(name)
            units.append(unit)
            codes.append(code)
            if name == formats.UNKNOWN:
                self.problems.append(Problem(
                    f"no known format for keys {', '.join(map(str, obj))}; use a column mapping",
                    source.line(unit), severity="warning", record=len(units) - 1, kind="format_unknown"))

    def merge(self, part: dict, unit_offset: int) -> None:
        """Append a helper's results; its units and lines are counted from `unit_offset`."""
        remap = [self._code(n) for n in part["names"]]
        records_before = len(self.units)
        self.units.extend(u + unit_offset for u in array("q", part["units"]))
        self.codes.extend(remap[c] for c in part["codes"])
        for p in part["problems"]:
            self.problems.append(dataclasses.replace(
                p, line=None if p.line is None else p.line + unit_offset,
                end_line=None if p.end_line is None else p.end_line + unit_offset,
                record=None if p.record is None else p.record + records_before))
        self.oasst_rows.update({u + unit_offset: row for u, row in part["oasst_rows"].items()})


def collect(source: Source, mapping: ColumnMapping | None, progress: ProgressFn | None,
            cancel: CancelFn | None) -> Collector:
    """Scan a source and classify every object, using a second core for large plain JSONL files."""
    collector = Collector(mapping)
    split = _split_point(source)
    if split is None:
        collector.consume(source, source.scan(collector.problems.append, progress, cancel))
        return collector
    from explorer.core import scan_helper  # the helper's module by import: a rename fails loudly

    helper = OneShotHelper(scan_helper, source.path, str(split), str(len(source.data)),
                           json.dumps(mapping.to_dict() if mapping else None), what="scan")
    try:  # the helper scans the second half while this process scans the first
        collector.consume(source, source.scan(collector.problems.append, progress, cancel, stop=split))
        part = decode_part(helper.result())
    except HelperCrashed:
        part = None
    except BaseException:  # cancelled (or failed): the helper stops too
        helper.kill()
        raise
    if part is None:  # the helper could not run: do the second half here
        part = scan_bytes(source.path, source.data[split:], mapping)
    first_unit = source.n_units
    source.starts.extend(s + split for s in array("q", part["starts"]))
    collector.merge(part, first_unit)
    return collector


def _split_point(source: Source) -> int | None:
    if not (isinstance(source, JsonlSource) and not source.compressed and source.encoding.is_utf8
            and not source.encoding.bom and len(source.data) >= PARALLEL_MIN_BYTES
            and (os.cpu_count() or 1) > 1):
        return None
    cut = source.data.find(b"\n", len(source.data) // 2)
    return None if cut < 0 or cut + 1 >= len(source.data) else cut + 1


def scan_bytes(path: str, data: bytes, mapping: ColumnMapping | None) -> dict:
    """Classify the lines of a piece of a JSONL file; units and lines count from the piece's start."""
    source = JsonlSource.fragment(path, data)
    collector = Collector(mapping)
    collector.consume(source, source.scan(collector.problems.append, None, None))
    return {"starts": source.starts.tobytes(), "units": collector.units.tobytes(), "codes": bytes(collector.codes),
            "names": collector.names, "problems": collector.problems, "oasst_rows": collector.oasst_rows}


def encode_part(part: dict) -> bytes:
    """A helper's result as one JSON header line followed by the raw arrays (no pickle)."""
    header = {"names": part["names"], "problems": [dataclasses.asdict(p) for p in part["problems"]],
              "oasst_rows": [[u, row] for u, row in part["oasst_rows"].items()],
              "sizes": [len(part["starts"]), len(part["units"]), len(part["codes"])]}
    return json.dumps(header).encode("utf-8") + b"\n" + part["starts"] + part["units"] + part["codes"]


def decode_part(output: bytes) -> dict | None:
    head, sep, body = output.partition(b"\n")
    try:
        header = json.loads(head)
        a, b, c = header["sizes"]
    except (ValueError, KeyError, TypeError):
        return None
    if not sep or len(body) != a + b + c:
        return None
    return {"starts": body[:a], "units": body[a:a + b], "codes": body[a + b:], "names": header["names"],
            "problems": [Problem(**p) for p in header["problems"]],
            "oasst_rows": {u: row for u, row in header["oasst_rows"]}}
