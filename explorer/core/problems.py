"""Problems found while reading a dataset: reported to the user, never fatal.

Every problem has a severity (how bad), a kind (a short machine name for what went wrong, used to count and
filter) and the physical lines it covers. `ordered` puts errors first; `summary` counts them by kind.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass

SNIPPET_CHARS = 80

SEVERITIES = ("error", "warning", "info")
"""Most severe first. 'error': a unit could not be read as a record (it is kept verbatim); 'warning': it loaded
with a caveat; 'info': worth knowing, nothing is wrong with the data."""

KINDS = {
    "json_syntax": "the text is not valid JSON",
    "not_an_object": "a valid JSON value that is not an object (a list, string, number or null)",
    "invalid_utf8": "bytes that are not valid UTF-8",
    "lone_surrogate": "a lone UTF-16 surrogate escape such as \\ud800, which is not text",
    "too_deep": "nested too deeply to read",
    "nonstandard_json": "NaN, Infinity or a huge number: read with Python's parser",
    "duplicate_key": "an object repeats a key; the last value is used",
    "csv_syntax": "the CSV reader stopped",
    "field_count": "a CSV row has more or fewer fields than the header",
    "duplicate_column": "the CSV header repeats a column name",
    "format_unknown": "no known SFT format fits the record's keys; a column mapping reads it",
    "mixed_formats": "records of more than one format in one file",
    "oasst_thread": "an OASST message tree that could not be assembled completely",
    "null_content": "a field is null where text was expected",
    "non_text_content": "a field holds a number, list or object where text was expected",
    "unknown_role": "a conversation turn has a role this app does not know",
    "record_shape": "a record's structure is not what its format expects",
    "other": "anything else",
}


@dataclass(slots=True, frozen=True)
class Problem:
    message: str
    """The whole explanation, as the parser gave it (never shortened)."""
    line: int | None = None
    """Physical 1-based line in the source file where the problem starts, when the container has lines."""
    column: int | None = None
    snippet: str = ""
    """A printable excerpt of the first bad line; a long line is cut and says how long it is."""
    severity: str = "error"
    """'error': the unit could not be read as a record (it is kept verbatim); 'warning': it loaded with a caveat;
    'info': a note."""
    record: int | None = None
    kind: str = "other"
    """A short machine name (see KINDS): json_syntax, not_an_object, format_unknown, ..."""
    end_line: int | None = None
    """The last physical line the problem covers, when it spans more than one (a record broken across lines)."""

    @property
    def last_line(self) -> int | None:
        return self.end_line if self.end_line is not None else self.line

    @property
    def n_lines(self) -> int:
        """How many physical lines the problem covers (0 when it has no line)."""
        return 0 if self.line is None else self.last_line - self.line + 1

    @property
    def lines(self) -> str:
        """'12' or '12–13' or '' when the problem has no line."""
        if self.line is None:
            return ""
        return str(self.line) if self.last_line == self.line else f"{self.line}–{self.last_line}"

    def to_dict(self) -> dict:
        d = {k: v for k, v in asdict(self).items() if v not in (None, "")}
        if self.line is not None:
            d["end_line"] = self.last_line
        return d

    def __str__(self) -> str:
        if self.line is not None:
            where = f"line {self.line}" if self.last_line == self.line else f"lines {self.lines}"
        else:
            where = f"record {self.record}" if self.record is not None else "file"
        if self.column is not None:
            where += f", column {self.column}"
        text = f"{where}: {self.message}"
        return f"{text}  [{self.snippet}]" if self.snippet else text


def snippet_of(raw: bytes | str) -> str:
    """A short printable excerpt of a bad line, safe to show in a terminal or a label; a cut says so."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="backslashreplace")
    text = raw.strip().replace("\r", "\\r").replace("\n", "\\n").replace("\t", " ")
    if len(text) <= SNIPPET_CHARS:
        return text
    return text[: SNIPPET_CHARS - 1] + f"… (cut; {len(text):,} characters in all)"


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def ordered(problems) -> list[Problem]:
    """Problems with errors first, then warnings, then notes; in file order within each severity."""
    return sorted(problems, key=lambda p: (severity_rank(p.severity), p.line is None, p.line or 0))


def counts_by_kind(problems) -> dict[str, Counter]:
    """{severity: Counter(kind)}, severities most severe first, kinds most frequent first."""
    found: dict[str, Counter] = {}
    for p in problems:
        found.setdefault(p.severity, Counter())[p.kind] += 1
    return {s: found[s] for s in sorted(found, key=severity_rank)}


def summary(problems) -> str:
    """One line: '5 errors (json_syntax 5), 1731 warnings (format_unknown 1731)'; '' when there are none."""
    parts = []
    for severity, kinds in counts_by_kind(problems).items():
        n = sum(kinds.values())
        noun = {"info": "note"}.get(severity, severity) + ("" if n == 1 else "s")
        parts.append(f"{n} {noun} (" + ", ".join(f"{k} {c}" for k, c in kinds.most_common()) + ")")
    return ", ".join(parts)


def record_warning_kind(message: str) -> str:
    """The kind of a warning a format reader left on a record (they are plain sentences)."""
    if message.startswith("no known format"):
        return "format_unknown"
    if message.endswith(" is null"):
        return "null_content"
    if message.endswith(", not text"):
        return "non_text_content"
    if "unknown role" in message:
        return "unknown_role"
    return "record_shape"


EXCERPT_LINE_CHARS = 400
EXCERPT_SPAN_LINES = 20


def excerpt(source, problem: Problem, context: int = 3) -> str:
    """The raw lines around a problem as plain text, each with its line number; the problem's own lines are
    marked with '>'. Long lines are cut (and say so); a long span shows its start and end. '' when the problem
    has no line or the container has no lines."""
    if problem.line is None or source is None:
        return ""
    first, last = problem.line, problem.last_line
    if last - first + 1 > EXCERPT_SPAN_LINES:
        head = EXCERPT_SPAN_LINES * 3 // 4
        pieces = [(first - context, first + head - 1), (last - (EXCERPT_SPAN_LINES - head) + 1, last + context)]
    else:
        pieces = [(first - context, last + context)]
    out: list[str] = []
    width = len(str(pieces[-1][1]))
    shown_to = 0
    for k, (a, b) in enumerate(pieces):
        a = max(a, 1)
        if k:
            out.append(f"{'':>{width}}   ⋮ ({a - shown_to - 1:,} lines not shown)")
        texts = source.physical_lines(a, b)
        for n, text in enumerate(texts, start=a):
            body = text.rstrip("\r\n")
            if len(body) > EXCERPT_LINE_CHARS:
                body = body[:EXCERPT_LINE_CHARS] + f"… (cut; {len(body):,} characters in all)"
            mark = ">" if first <= n <= last else " "
            out.append(f"{mark} {n:>{width}} │ {body}")
        shown_to = a + len(texts) - 1
    return "\n".join(out)
