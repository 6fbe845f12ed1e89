"""Word-level differences between two texts (Chinese and Japanese by character), for showing what an edit changed."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Iterator

from explorer.core.record import Record

TOKEN = re.compile(r"\s+|[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]|[^\W\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]+|\W",
                   re.U)
REWRITE_RATIO = 0.4
"""Below this share of tokens in common, a changed text is shown as removed and added whole."""
MAX_TOKENS = 3_000
"""Longer texts are compared as a whole (one deletion, one insertion): difflib is quadratic on long inputs
(4k tokens took 0.9 s, a repetitive 4k-token text 21 s)."""


def word_diff(a: str, b: str) -> list[tuple[str, str]]:
    """`a` → `b` as runs of ('=', text), ('-', removed text), ('+', added text); joining the '=' and '-' runs gives
    `a` back, the '=' and '+' runs give `b`."""
    ta, tb = TOKEN.findall(a), TOKEN.findall(b)
    if len(ta) > MAX_TOKENS or len(tb) > MAX_TOKENS:
        return [op for op in (("-", a), ("+", b)) if op[1]] if a != b else [("=", a)]
    matcher = difflib.SequenceMatcher(None, ta, tb, autojunk=False)
    if matcher.real_quick_ratio() < REWRITE_RATIO or matcher.quick_ratio() < REWRITE_RATIO or \
            matcher.ratio() < REWRITE_RATIO:  # a rewrite (quick upper bounds first): word runs would only interleave
        return [op for op in (("-", a), ("+", b)) if op[1]]
    ops: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(("=", "".join(ta[i1:i2])))
            continue
        if i2 > i1:
            ops.append(("-", "".join(ta[i1:i2])))
        if j2 > j1:
            ops.append(("+", "".join(tb[j1:j2])))
    return ops


@dataclass
class FieldDiff:
    field: str
    """'system', 'instruction', 'response', 'turn 3 (user)' or, when the turns do not line up, 'conversation'."""
    a: str
    b: str
    ops: list[tuple[str, str]]


def record_diff(a: Record, b: Record) -> list[FieldDiff]:
    """The fields that differ between two versions of a record, each with its word diff."""
    def pairs() -> Iterator[tuple[str, str, str]]:
        if a.system != b.system:
            yield "system", a.system, b.system
        ma = [m for m in a.messages if m.role != "system"]
        mb = [m for m in b.messages if m.role != "system"]
        if [m.role for m in ma] != [m.role for m in mb]:
            yield "conversation", _joined(ma), _joined(mb)
            return
        last_assistant = max((i for i, m in enumerate(ma) if m.role == "assistant"), default=-1)
        first_user = next((i for i, m in enumerate(ma) if m.role == "user"), -1)
        for i, (x, y) in enumerate(zip(ma, mb)):
            if x.content != y.content:
                name = "instruction" if i == first_user else "response" if i == last_assistant else \
                    f"turn {i + 1} ({x.role})"
                yield name, x.content, y.content
    return [FieldDiff(name, x, y, word_diff(x, y)) for name, x, y in pairs()]


def _joined(messages) -> str:
    return "\n\n".join(f"[{m.role}] {m.content}" for m in messages)
