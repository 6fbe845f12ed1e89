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

    def physical_lines(self, first: int, last: int) -> list[str]:
        return [self.raw(u).decode("utf-8", errors="backslashreplace")
                for u in range(max(first, 1) - 1, min(last, self.n_units))]

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
        broken = BrokenRun(report)
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
                warning = None
            except orjson.JSONDecodeError:
                if not line.strip():
                    continue  # blank lines are kept as they are (a broken record may go on after one)
                try:
                    obj, warning = parse(line.rstrip(b"\r\n"))
                except LineError as e:
                    broken.add(unit, line, e)
                    continue
            if broken.lines:
                if type(obj) is not dict and broken.absorbs(unit, line):
                    continue  # a fragment that parses alone, inside a record broken across lines
                broken.close()
            if warning:
                report(Problem(warning, unit + 1, None, snippet_of(line), "warning", kind="nonstandard_json"))
            if type(obj) is not dict:
                report(Problem(f"a {_kind(obj)}, not a JSON object; kept as is", unit + 1, None, snippet_of(line),
                               kind="not_an_object"))
                continue
            dups = maybe_duplicate_keys(line, obj)
            if dups:
                report(Problem(f"duplicate key {', '.join(map(repr, dups))}; the last value is used",
                               unit + 1, None, snippet_of(line), "warning", kind="duplicate_key"))
            yield unit, obj
        broken.close()
        ticker.finish()

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


class BrokenRun:
    """Consecutive unreadable lines that together are one broken record, reported as one problem.

    A record cut by a literal line break (or pretty-printed over several lines) fails on every one of its lines.
    A run starts at a line that begins with '{' and fails to parse; the unreadable lines after it (blank ones
    allowed in between) join it when they do not begin with '{' themselves, or when the lines joined do parse.
    The lines stay in the file exactly as they are; only the report is merged.
    """

    MAX_LINES = 1000
    MAX_JOIN_BYTES = 256 << 10

    def __init__(self, report: ReportFn):
        self.report = report
        self.lines: list[bytes] = []
        self.first = self.last = 0
        self.error: LineError | None = None

    def add(self, unit: int, line: bytes, error: LineError) -> None:
        if self.lines and self._continues(line, error):
            self.lines.append(line)
            self.last = unit
            return
        self.close()
        if error.kind == "json_syntax" and line.lstrip().startswith(b"{"):
            self.lines, self.first, self.last, self.error = [line], unit, unit, error
        else:
            self.report(_line_problem(unit, line, error))

    def absorbs(self, unit: int, line: bytes) -> bool:
        """Whether a line that parses alone (but not as an object) is the middle of the broken record."""
        if self._joined(self.lines + [line]) is None:
            return False
        self.lines.append(line)
        self.last = unit
        return True

    def _continues(self, line: bytes, error: LineError) -> bool:
        if error.kind != "json_syntax" or len(self.lines) >= self.MAX_LINES:
            return False
        return not line.lstrip().startswith(b"{") or self._joined(self.lines + [line]) is not None

    def _joined(self, lines: list[bytes]) -> str | None:
        """How the lines read as one object: 'string' (cut inside a string), 'spread' (pretty-printed) or None."""
        if sum(map(len, lines)) > self.MAX_JOIN_BYTES:
            return None
        bodies = [x.rstrip(b"\r\n") for x in lines]
        for glue, how in ((b"\\n", "string"), (b"\n", "spread")):
            try:
                if type(orjson.loads(glue.join(bodies))) is dict:
                    return how
            except orjson.JSONDecodeError:
                pass
        return None

    def close(self) -> None:
        """Report the run (if any) as one problem and start afresh."""
        if not self.lines:
            return
        first, last, line, error = self.first, self.last, self.lines[0], self.error
        if last == first:
            self.lines = []
            self.report(_line_problem(first, line, error))
            return
        how = self._joined(self.lines)
        self.lines = []
        span = f"lines {first + 1}–{last + 1}"
        if how == "string":
            note = f"{span} are one record cut by a literal line break inside a string (joined with \\n they read)"
        elif how == "spread":
            note = f"{span} are one JSON object spread over several lines (JSON Lines needs one record per line)"
        else:
            note = f"{span} look like one broken record (the lines after line {first + 1} do not start a new one)"
        self.report(Problem(f"{error}; {note}; kept as is", first + 1, error.column, snippet_of(line),
                            kind=error.kind, end_line=last + 1))


def _line_problem(unit: int, line: bytes, error: LineError) -> Problem:
    return Problem(f"{error}; kept as is", unit + 1, error.column, snippet_of(line), kind=error.kind)


def _kind(value: object) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(
        type(value), "null" if value is None else type(value).__name__)


def _is_ascii_escaped(body: bytes) -> bool:
    return body.isascii() and b"\\u" in body

