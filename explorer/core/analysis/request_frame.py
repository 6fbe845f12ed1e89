"""The request of an instruction that carries its own material: the line that says what to do (and the closing
question), without the passage, dialogue or table it is about.

A prompt-only dataset often holds "找出句子中的疾病实体：" or "Summarize the dialogue below." followed by a long
passage; the kind is in the request, but a sentence embedding of the whole text is mostly the passage's subject. The
task kinds are judged on features that mix the whole instruction's with its request's (`SHARE`). On the benchmark
(`benchmarks/bench_kinds.py`) this took kind accuracy on Firefly's and PromptCBLUE's Chinese prompts up by 9 points
each and left the chat sets, whose instructions are mostly their own request, within a point or two.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

SHARE = 0.5
"""Share of the request's features in the kinds' features of an instruction that has one."""
LONG = 200
"""Characters from which an instruction of three lines or more is read as request + material + closing line."""
CUT = 150
"""Characters kept of the request line and of the closing line."""


def request_of(text: str) -> str | None:
    """The request within `text`, or None when the text is its own request. Two cases: the first line announces
    what follows ("…实体：", "Translate the following:") — the request is that line, plus the last line when
    there are three or more (a closing question); or a long text of three lines or more — its first and last
    lines (the last two when the last is a stub such as "答：")."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) >= 2 and lines[0][-1] in ":：":
        closing = "\n" + lines[-1][-CUT:] if len(lines) >= 3 and len(lines[-1]) >= 8 else ""
        return lines[0][:CUT] + closing
    if len(text) <= LONG or len(lines) < 3:
        return None
    closing = lines[-1] if len(lines[-1]) >= 8 else lines[-2] + "\n" + lines[-1]
    return lines[0][:CUT] + "\n" + closing[-CUT:]


def requests(texts: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """(rows, requests) of the texts that have a request apart from themselves (`request_of`)."""
    rows, found = [], []
    for i, text in enumerate(texts):
        request = request_of(text)
        if request is not None:
            rows.append(i)
            found.append(request)
    return np.asarray(rows, dtype=np.int64), found


def mixed(whole: np.ndarray, request: np.ndarray) -> np.ndarray:
    """Unit rows of (1 − SHARE) · whole + SHARE · request, float16 (a zero request row leaves the whole's)."""
    out = (1 - SHARE) * np.asarray(whole, dtype=np.float32) + SHARE * np.asarray(request, dtype=np.float32)
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
    return out.astype(np.float16)


class Overlay:
    """`base` with the rows at `rows` (sorted) replaced by `values`, read a slice or an index array at a time as
    float32 — the kinds' features of a million records without a second full copy."""

    def __init__(self, base: np.ndarray, rows: np.ndarray, values: np.ndarray):
        self.base, self.rows, self.values = base, rows, values
        self.shape = base.shape

    def __len__(self) -> int:
        return len(self.base)

    def __getitem__(self, index) -> np.ndarray:
        index = np.arange(len(self.base))[index] if isinstance(index, slice) else np.asarray(index)
        out = np.array(self.base[index], dtype=np.float32)
        if len(self.rows):
            at = np.minimum(np.searchsorted(self.rows, index), len(self.rows) - 1)
            hit = self.rows[at] == index
            out[hit] = self.values[at[hit]]
        return out
