"""Text search over records: a substring, or a regular expression when the text is one."""

from __future__ import annotations

import re
from collections.abc import Callable

from explorer.core.progress import CancelFn, ProgressFn, Ticker

FIELDS = ("instruction", "response")


def compile_query(text: str) -> re.Pattern:
    """Case-insensitive; text that is not a valid regular expression is searched for literally."""
    try:
        return re.compile(text, re.I)
    except re.error:
        return re.compile(re.escape(text), re.I)


def search_texts(text: str, n: int, text_of: Callable[[int, str], str], progress: ProgressFn | None = None,
                 cancel: CancelFn | None = None, fields: tuple[str, ...] = FIELDS) -> list[int]:
    """Ids (of 0..n-1) whose `fields` match `text`; `text_of(id, field)` gives a record's text as it is now."""
    pattern = compile_query(text.strip())
    ticker = Ticker(progress, cancel, n, "Searching")
    hits = []
    for rid in range(n):
        if rid % 2000 == 0:
            ticker.update(rid)
        if any(pattern.search(text_of(rid, f)) for f in fields):
            hits.append(rid)
    return hits
