"""JSON documents: an array of records, an object holding the array under a key, or one record object.

Each array element is a unit with its exact character span, so untouched elements, the separators between
them and anything around the array are written back exactly.
"""

from __future__ import annotations

import json
import re
from array import array
from typing import Iterator

import orjson

from explorer.core import atomic
from explorer.core.containers.base import ReportFn, Source, TextEncoding, TextLines, decode_strict
from explorer.core.containers.jsontext import maybe_duplicate_keys, parse, syntax_message
from explorer.core.errors import DatasetError
from explorer.core.problems import Problem, snippet_of
from explorer.core.progress import CancelFn, ProgressFn, Ticker

ARRAY_KEYS = ("data", "rows", "records", "examples", "instances", "items", "train")
_RECORD_KEYS = {"conversations", "messages", "instruction", "prompt", "question", "query"}
_WS = re.compile(r"[ \t\r\n]*")
_NEXT_ELEMENT = re.compile(r",\s*(?=[{\[])")


class JsonSource(TextLines, Source):
    container = "json"

    def __init__(self, path: str, raw: bytes):
        self.path = path
        self.encoding = TextEncoding(raw, path)
        self.text = decode_strict(self.encoding.to_utf8(raw), path, len(self.encoding.bom))
        self.starts, self.ends = array("q"), array("q")
        self.array_key: str | None = None
        self.single_object = False
        self._nonstandard = False
        self._decoder = json.JSONDecoder(parse_constant=self._constant)

    def _constant(self, name: str) -> float:
        self._nonstandard = True
        return float(name)

    @property
    def n_units(self) -> int:
        return len(self.starts)

    def line(self, unit: int) -> int | None:
        return self.line_at(self.starts[unit])

    def _column_at(self, pos: int) -> int:
        return pos - (self.text.rfind("\n", 0, pos) + 1) + 1

    def scan(self, report: ReportFn, progress: ProgressFn | None, cancel: CancelFn | None) -> Iterator[tuple[int, dict]]:
        text = self.text
        i = _WS.match(text).end()
        if i == len(text):
            return
        if text[i] == "[":
            yield from self._scan_array(i, report, Ticker(progress, cancel, len(text), "Reading JSON"))
            return
        try:
            whole = orjson.loads(text)
        except orjson.JSONDecodeError:
            whole = None
        if text[i] == "{" and isinstance(whole, dict):
            key = _array_key(whole)
            if key is not None:
                self.array_key = key
                yield from self._scan_array(self._find_value(i, key), report,
                                            Ticker(progress, cancel, len(text), "Reading JSON"))
                return
        try:
            obj, end = self._decoder.raw_decode(text, i)
        except json.JSONDecodeError as e:
            raise DatasetError(f"invalid JSON: {e.msg} (column {e.colno})", self.path, e.lineno) from None
        if not isinstance(obj, dict):
            raise DatasetError(f"the document is a {type(obj).__name__}, not records", self.path)
        self.single_object = True
        self.starts.append(i)
        self.ends.append(end)
        yield 0, obj

    def _find_value(self, i: int, key: str) -> int:
        """Position of the value of a top-level key, walking the object's keys and values in order."""
        text, decode = self.text, self._decoder.raw_decode
        i += 1
        while True:
            i = _WS.match(text, i).end()
            name, i = decode(text, i)
            i = _WS.match(text, i).end() + 1  # the colon
            i = _WS.match(text, i).end()
            if name == key:
                return i
            _, i = decode(text, i)
            i = _WS.match(text, i).end() + 1  # the comma

    def _scan_array(self, i: int, report: ReportFn, ticker: Ticker) -> Iterator[tuple[int, dict]]:
        text, decode = self.text, self._decoder.raw_decode
        ws = _WS.match
        i = ws(text, i + 1).end()
        if text.startswith("]", i):
            return
        while i < len(text):
            unit = len(self.starts)
            if not unit & 0x3FFF:
                ticker.update(i)
            try:
                self._nonstandard = False
                obj, end = decode(text, i)
            except json.JSONDecodeError as e:
                end = self._skip_bad(i, e, report)
                obj = None
            except RecursionError:
                end = self._skip_bad(i, json.JSONDecodeError("nested too deeply to read", text, i), report)
                obj = None
            self.starts.append(i)
            self.ends.append(end)
            if obj is not None:
                checked = self._check(unit, i, end, obj, report)
                if checked is not None:
                    yield unit, checked
            i = ws(text, end).end()
            if text.startswith(",", i):
                i = ws(text, i + 1).end()
            elif text.startswith("]", i) or i >= len(text):
                break
            else:
                report(Problem("expected ',' or ']' after an element", self.line_at(i), self._column_at(i),
                               snippet_of(text[i:i + 80]), kind="json_syntax"))
                break
        ticker.finish()

    def _check(self, unit: int, start: int, end: int, obj: object, report: ReportFn) -> dict | None:
        line = self.line_at(start)
        text = self.text
        if not isinstance(obj, dict):
            report(Problem(f"a {type(obj).__name__}, not a JSON object; kept as is", line, None,
                           snippet_of(text[start:min(end, start + 100)]), kind="not_an_object"))
            return None
        if text.find("\\ud", start, end) >= 0 or text.find("\\uD", start, end) >= 0:
            try:
                json.dumps(obj, ensure_ascii=False).encode("utf-8")
            except UnicodeEncodeError:
                report(Problem("contains a lone UTF-16 surrogate escape, which is not text; kept as is", line,
                               kind="lone_surrogate"))
                return None
        if self._nonstandard:
            report(Problem("non-standard JSON (NaN or Infinity)", line, severity="warning", kind="nonstandard_json"))
        dups = maybe_duplicate_keys(text, obj, start, end)
        if dups:
            report(Problem(f"duplicate key {', '.join(map(repr, dups))}; the last value is used", line,
                           severity="warning", kind="duplicate_key"))
        return obj

    def _skip_bad(self, i: int, e: json.JSONDecodeError, report: ReportFn) -> int:
        """Report a malformed element and return where it ends (the next element start, or the array end)."""
        m = _NEXT_ELEMENT.search(self.text, max(e.pos, i + 1))
        end = m.start() if m else self.text.rfind("]")
        end = max(end, i)
        column = self._column_at(e.pos)
        kind = "too_deep" if e.msg == "nested too deeply to read" else "json_syntax"
        message = e.msg if kind == "too_deep" else syntax_message(e.msg, column)
        if e.msg == "Expecting value" and self.text.startswith("]", e.pos):
            comma = self.text.rfind(",", 0, e.pos)
            message += f" (the comma on line {self.line_at(comma)} is followed by no element: a trailing comma)"
        report(Problem(f"{message}; kept as is", self.line_at(e.pos), column,
                       snippet_of(self.text[i:min(end, i + 100)]), kind=kind))
        return end

    def object(self, unit: int) -> dict:
        obj, _ = parse(self.text[self.starts[unit]:self.ends[unit]])
        return obj  # type: ignore[return-value]

    def _serialize(self, unit: int, obj: dict) -> str:
        start, end = self.starts[unit], self.ends[unit]
        old = self.text[start:end]
        ascii_only = old.isascii() and "\\u" in old
        if "\n" not in old:
            compact = '":' in old and '": ' not in old
            return json.dumps(obj, ensure_ascii=ascii_only, separators=(",", ":") if compact else (", ", ": "))
        base = self._column_at(start) - 1
        second = old.split("\n", 2)[1]
        indent: int | str = "\t" if second.startswith("\t") else max(len(second) - len(second.lstrip(" ")) - base, 1)
        return json.dumps(obj, ensure_ascii=ascii_only, indent=indent).replace("\n", "\n" + " " * base)

    def chunks(self, replacements: dict[int, dict], exclude: set[int]) -> Iterator[bytes]:
        text, n = self.text, self.n_units
        if n == 0:
            yield text.encode("utf-8")
            return
        kept = [u for u in range(n) if u not in exclude]
        typical_sep = text[self.ends[0]:self.starts[1]] if n > 1 else ",\n"
        out = [text[:self.starts[0]]]
        for j, unit in enumerate(kept):
            out.append(self._serialize(unit, replacements[unit]) if unit in replacements
                       else text[self.starts[unit]:self.ends[unit]])
            if j + 1 < len(kept):
                out.append(text[self.ends[unit]:self.starts[unit + 1]] if unit + 1 < n else typical_sep)
            if len(out) > 4096:
                yield "".join(out).encode("utf-8")
                out = []
        out.append(text[self.ends[n - 1]:])
        yield "".join(out).encode("utf-8")

    def write_same(self, out: str, replacements: dict[int, dict], exclude: set[int]) -> None:
        atomic.write_chunks(out, self.encoding.from_utf8(self.chunks(replacements, exclude)))


def _array_key(whole: dict) -> str | None:
    """The key holding the records when a JSON object wraps them, or None when the object is a record."""
    if _RECORD_KEYS & whole.keys():
        return None
    candidates = [k for k, v in whole.items() if isinstance(v, list) and v and all(isinstance(x, dict) for x in v)]
    preferred = [k for k in ARRAY_KEYS if k in candidates]
    return (preferred or candidates or [None])[0]
