"""What every container (JSONL, JSON, CSV, Parquet, HF folder) offers the dataset layer."""

from __future__ import annotations

import bisect
import codecs
import re
from abc import ABC, abstractmethod
from typing import Callable, Iterator

from explorer.core.errors import DatasetError
from explorer.core.problems import Problem
from explorer.core.progress import CancelFn, ProgressFn

ReportFn = Callable[[Problem], None]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class Source(ABC):
    """A container's units (lines, array elements, rows) and how to write them back unchanged."""

    container: str = ""
    path: str = ""

    @abstractmethod
    def scan(self, report: ReportFn, progress: ProgressFn | None, cancel: CancelFn | None) -> Iterator[tuple[int, dict]]:
        """Yield (unit index, object) for every unit that is a JSON object; report the others."""

    @abstractmethod
    def object(self, unit: int) -> dict:
        """The parsed object of one unit (parsed again on every call: callers cache if they need to)."""

    def line(self, unit: int) -> int | None:
        """The physical 1-based line where a unit starts, when the container has lines."""
        return None

    def physical_lines(self, first: int, last: int) -> list[str]:
        """The text of physical lines `first`..`last` (1-based, inclusive, clipped to the file), endings kept;
        [] when the container has no lines (Parquet, Arrow)."""
        return []

    @abstractmethod
    def write_same(self, out: str, replacements: dict[int, dict], exclude: set[int]) -> None:
        """Write to `out` in this container: untouched units exactly as read, replaced ones re-serialized."""


class TextLines:
    """Physical lines of a source held as one decoded `text` (JSON documents, CSV)."""

    text: str
    _newlines: list[int] | None = None

    def newline_positions(self) -> list[int]:
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        return self._newlines

    def line_at(self, pos: int) -> int:
        """The 1-based physical line holding character `pos`."""
        return bisect.bisect_left(self.newline_positions(), pos) + 1

    def physical_lines(self, first: int, last: int) -> list[str]:
        text, newlines = self.text, self.newline_positions()
        out = []
        for n in range(max(first, 1), min(last, len(newlines) + 1) + 1):
            start = newlines[n - 2] + 1 if n >= 2 else 0
            end = newlines[n - 1] + 1 if n - 1 < len(newlines) else len(text)
            if start >= len(text):
                break
            out.append(text[start:end])
        return out


class TextEncoding:
    """The encoding of a text file, found by its byte-order mark; text is handled as UTF-8 inside."""

    def __init__(self, raw: bytes, path: str):
        self.name, self.bom = "utf-8", b""
        for bom, name in _BOMS:
            if raw.startswith(bom):
                self.name, self.bom = name, bom
                break
        self.path = path

    @property
    def is_utf8(self) -> bool:
        return self.name == "utf-8"

    def to_utf8(self, raw: bytes) -> bytes:
        """The file's bytes as UTF-8 without the BOM (a no-op copy-free slice for UTF-8)."""
        body = raw[len(self.bom):]
        if self.is_utf8:
            return body
        try:
            return body.decode(self.name).encode("utf-8")
        except UnicodeError as e:
            raise DatasetError(f"not valid {self.name} at byte {e.start + len(self.bom)}", self.path) from None

    def from_utf8(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        """Encode written UTF-8 chunks back to the file's own encoding, BOM first."""
        yield self.bom
        if self.is_utf8:
            yield from chunks
        else:
            yield b"".join(chunks).decode("utf-8").encode(self.name)


def decode_strict(data: bytes, path: str, offset: int = 0) -> str:
    """UTF-8 text, or a DatasetError naming the file's byte offset (data starts at `offset`) and line."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise DatasetError(f"not valid UTF-8 at byte offset {e.start + offset} (byte 0x{data[e.start]:02x}); "
                           "re-save the file as UTF-8", path, line) from None


def looks_like_utf16_without_bom(raw: bytes) -> bool:
    head = raw[:200]
    return len(head) >= 4 and head.count(0) >= len(head) // 4


def splice(data, span_of: Callable[[int], tuple[int, int]], replacements: dict, exclude: set[int],
           serialize: Callable[[int, dict], object]) -> Iterator:
    """`data` (bytes or str) with some units replaced or left out; untouched runs are sliced whole."""
    pos = 0
    for unit in sorted(set(replacements) | set(exclude)):
        start, end = span_of(unit)
        yield data[pos:start]
        if unit not in exclude:
            yield serialize(unit, replacements[unit])
        pos = end
    yield data[pos:]
