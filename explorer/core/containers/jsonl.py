"""JSON Lines (also gzip-compressed): one unit per physical line, written back byte for byte."""

from __future__ import annotations

import io
import json
from array import array
from typing import Iterator

import orjson

from explorer.core import atomic
from explorer.core.containers.base import ReportFn, Source, TextEncoding, splice
from explorer.core.containers.jsontext import LineError, maybe_duplicate_keys, parse
from explorer.core.problems import Problem, snippet_of
from explorer.core.progress import CancelFn, ProgressFn, Ticker


class JsonlSource(Source):
    container = "jsonl"

    def __init__(self, path: str, raw: bytes, compressed: bool = False):
        self.path = path
        self.compressed = compressed
        self.container = "jsonl.gz" if compressed else "jsonl"
        self.encoding = TextEncoding(raw, path)
        self.data = self.encoding.to_utf8(raw)
        self.starts = array("q")

    @property
    def n_units(self) -> int:
        return len(self.starts)

    def _span(self, unit: int) -> tuple[int, int]:
        end = self.starts[unit + 1] if unit + 1 < len(self.starts) else len(self.data)
        return self.starts[unit], end

    def raw(self, unit: int) -> bytes:
        start, end = self._span(unit)
        return self.data[start:end]

    def line(self, unit: int) -> int | None:
        return unit + 1

    @classmethod
    def fragment(cls, path: str, data: bytes) -> "JsonlSource":
        """Lines cut from the middle of a UTF-8 file (for a parallel scan): no byte-order mark to look for."""
        source = cls(path, b"")
        source.data = data
        return source

    def scan(self, report: ReportFn, progress: ProgressFn | None, cancel: CancelFn | None,
             stop: int | None = None) -> Iterator[tuple[int, dict]]:
        """Scan lines that start before byte `stop` (default: all)."""
        data, starts, loads = self.data, self.starts, orjson.loads
        stop = len(data) if stop is None else stop
        ticker = Ticker(progress, cancel, stop, "Reading lines")
        pos = 0
        for unit, line in enumerate(io.BytesIO(data)):
            if pos >= stop:
                break
            starts.append(pos)
            pos += len(line)
            if not unit & 0x3FFF:
                ticker.update(pos)
            try:
                obj = loads(line)
            except orjson.JSONDecodeError:
                if not line.strip():
                    continue  # blank lines are kept as they are
                obj = self._careful(unit, line, report)
                if obj is None:
                    continue
            if type(obj) is not dict:
                report(Problem(f"a {_kind(obj)}, not a JSON object; kept as is", unit + 1, None, snippet_of(line)))
                continue
            dups = maybe_duplicate_keys(line, obj)
            if dups:
                report(Problem(f"duplicate key {', '.join(map(repr, dups))}; the last value is used",
                               unit + 1, None, snippet_of(line), "warning"))
            yield unit, obj
        ticker.finish()

    def _careful(self, unit: int, line: bytes, report: ReportFn) -> object | None:
        try:
            obj, warning = parse(line.rstrip(b"\r\n"))
        except LineError as e:
            report(Problem(f"{e}; kept as is", unit + 1, e.column, snippet_of(line)))
            return None
        if warning:
            report(Problem(warning, unit + 1, None, snippet_of(line), "warning"))
        return obj

    def object(self, unit: int) -> dict:
        obj, _ = parse(self.raw(unit))
        return obj  # type: ignore[return-value]

    def _serialize(self, unit: int, obj: dict) -> bytes:
        old = self.raw(unit)
        body = old.rstrip(b"\r\n")
        ending = old[len(body):] or (b"\n" if unit + 1 < self.n_units else b"")
        compact = b'":' in body and b'": ' not in body
        text = json.dumps(obj, ensure_ascii=_is_ascii_escaped(body),
                          separators=(",", ":") if compact else (", ", ": "))
        return text.encode("utf-8") + ending

    def write_same(self, out: str, replacements: dict[int, dict], exclude: set[int]) -> None:
        chunks = splice(self.data, self._span, replacements, exclude, self._serialize)
        atomic.write_chunks(out, self.encoding.from_utf8(chunks),
                            gzip_level=6 if self.compressed else None)


def _kind(value: object) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(
        type(value), "null" if value is None else type(value).__name__)


def _is_ascii_escaped(body: bytes) -> bool:
    return body.isascii() and b"\\u" in body

