"""CSV and TSV: the first row names the columns; each later row is a unit written back exactly."""

from __future__ import annotations

import csv
import io
import json
from array import array
from typing import Iterator

from explorer.core import atomic
from explorer.core.containers.base import ReportFn, Source, TextEncoding, TextLines, decode_strict, splice
from explorer.core.problems import Problem, snippet_of
from explorer.core.progress import CancelFn, ProgressFn, Ticker

csv.field_size_limit(1 << 30)  # SFT cells can be megabytes long


class CsvSource(TextLines, Source):
    def __init__(self, path: str, raw: bytes, delimiter: str | None = None):
        self.path = path
        self.encoding = TextEncoding(raw, path)
        self.text = decode_strict(self.encoding.to_utf8(raw), path, len(self.encoding.bom))
        self.delimiter = delimiter or _sniff_delimiter(self.text[:65536])
        self.container = "tsv" if self.delimiter == "\t" else "csv"
        self.header: list[str] = []
        self.starts = array("q")
        self.first_lines = array("q")

    @property
    def n_units(self) -> int:
        return len(self.starts)

    def _span(self, unit: int) -> tuple[int, int]:
        end = self.starts[unit + 1] if unit + 1 < len(self.starts) else len(self.text)
        return self.starts[unit], end

    def line(self, unit: int) -> int | None:
        return self.first_lines[unit]

    def _rows(self) -> Iterator[tuple[int, int, list[str]]]:
        """(start offset, first physical line, fields) for each CSV row, quoted newlines included."""
        offsets = [0]

        def lines() -> Iterator[str]:
            pos = 0
            for piece in io.StringIO(self.text, newline=""):
                pos += len(piece)
                offsets.append(pos)
                yield piece

        reader = csv.reader(lines(), delimiter=self.delimiter)
        consumed = 0
        for fields in reader:
            yield offsets[consumed], consumed + 1, fields
            consumed = reader.line_num

    def scan(self, report: ReportFn, progress: ProgressFn | None, cancel: CancelFn | None) -> Iterator[tuple[int, dict]]:
        ticker = Ticker(progress, cancel, len(self.text), "Reading CSV")
        try:
            for start, line, fields in self._rows():
                unit = len(self.starts)
                self.starts.append(start)
                self.first_lines.append(line)
                if not unit & 0x0FFF:
                    ticker.update(start)
                if not fields:
                    continue
                if not self.header:
                    self.header = fields
                    if len(set(fields)) < len(fields):
                        report(Problem("the header repeats a column name; later columns win", line, severity="warning",
                                       kind="duplicate_column"))
                    continue
                if len(fields) > len(self.header):
                    report(Problem(f"{len(fields)} fields but the header has {len(self.header)}; kept as is", line,
                                   None, snippet_of(self.delimiter.join(fields)), kind="field_count"))
                    continue
                if len(fields) < len(self.header):
                    report(Problem(f"{len(fields)} fields but the header has {len(self.header)}; missing ones are empty",
                                   line, severity="warning", kind="field_count"))
                    fields = fields + [""] * (len(self.header) - len(fields))
                yield unit, dict(zip(self.header, fields))
        except csv.Error as e:
            report(Problem(f"CSV error: {e}; the rest of the file was not read", len(self.first_lines) or None,
                           kind="csv_syntax"))
        ticker.finish()

    def object(self, unit: int) -> dict:
        start, end = self._span(unit)
        fields = next(csv.reader(io.StringIO(self.text[start:end], newline=""), delimiter=self.delimiter))
        return dict(zip(self.header, fields + [""] * (len(self.header) - len(fields))))

    def _serialize(self, unit: int, obj: dict) -> str:
        start, end = self._span(unit)
        old = self.text[start:end]
        ending = old[len(old.rstrip("\r\n")):] or ("\n" if unit + 1 < self.n_units else "")
        out = io.StringIO()
        writer = csv.writer(out, delimiter=self.delimiter, lineterminator=ending)
        writer.writerow([_cell(obj.get(name, "")) for name in self.header])
        return out.getvalue()

    def write_same(self, out: str, replacements: dict[int, dict], exclude: set[int]) -> None:
        pieces = splice(self.text, self._span, replacements, exclude, self._serialize)
        atomic.write_chunks(out, self.encoding.from_utf8(p.encode("utf-8") for p in pieces))


def _cell(value: object) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _sniff_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample.split("\n", 1)[0], delimiters=",\t;|").delimiter
    except csv.Error:
        return ","
