"""Problems found while reading a dataset: reported to the user, never fatal."""

from __future__ import annotations

from dataclasses import dataclass, asdict

SNIPPET_CHARS = 80


@dataclass(slots=True, frozen=True)
class Problem:
    message: str
    line: int | None = None
    """Physical 1-based line in the source file, when the container has lines."""
    column: int | None = None
    snippet: str = ""
    severity: str = "error"
    """'error': the unit could not be read as a record (it is kept verbatim); 'warning': it loaded with a caveat."""
    record: int | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in (None, "")}

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else (
            f"record {self.record}" if self.record is not None else "file")
        if self.column is not None:
            where += f", column {self.column}"
        text = f"{where}: {self.message}"
        return f"{text}  [{self.snippet}]" if self.snippet else text


def snippet_of(raw: bytes | str) -> str:
    """A short printable excerpt of a bad line, safe to show in a terminal or a label."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="backslashreplace")
    text = raw.strip().replace("\r", "\\r").replace("\n", "\\n").replace("\t", " ")
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1] + "…"
