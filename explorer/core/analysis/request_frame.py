"""The request of an instruction that carries its own material: the line that says what to do (and a closing line),
without the passage, dialogue or table it is about.

A prompt-only dataset often holds "找出句子中的疾病实体：" or "Summarize the dialogue below." followed by a long
passage (on the next lines, or after a colon on the same line); the kind is in the request, but a sentence
embedding of the whole text is mostly the passage's subject. The task kinds are judged on features that mix the
whole instruction's with its request's (`SHARE`), the example bank's too. On the benchmark
(`benchmarks/bench_kinds.py`) this took kind accuracy on Firefly's and PromptCBLUE's Chinese prompts up by 9 and 12
points and moved the chat sets, whose instructions are mostly their own request, by a few records. With the
Chinese glosses of an English-only kinds model (`gloss`), a glossed record's request counts half as much: the gloss
is of the whole text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

SHARE = 0.5
"""Share of the request's features in the kinds' features of an instruction that has one."""
LONG = 200
"""An instruction of three lines or more with more than this many characters of text is read as request + material
+ closing line."""
CUT = 150
"""Characters kept of the request line and of the closing line."""
STUB = 8
"""A last line shorter than this ("答：", "A:") closes nothing by itself."""

_MARKUP = "#*>-=_ \t"
_WORD = re.compile(r"[A-Za-z]{2,}|[\u3400-\u9fff]{2}")
_COLON = re.compile(r"：|:(?![/\\])(?:(?<!\d:)|(?!\d))")
"""A colon, but not an ASCII one in a time ("10:30"), a link ("https://") or a Windows path ("C:\\")."""
_CODE = re.compile(r"[(){}\[\]<>=\"\\`]")


def _is_label(line: str) -> bool:
    """A field label rather than a request: "### Response:", "Question:", "答：", "选项：", "def f(x):"."""
    core = line.strip(_MARKUP)
    return core[-1:] in (":", "：") and len(_WORD.findall(core[:-1])) <= 1


def _inline_request(line: str) -> str | None:
    """The words that open `line` up to its first colon, when they announce the material after it on the same line
    ("改进以下文本，用于视频脚本介绍：<a long paragraph>", "Proofread this: <an essay>"): not a field label, at most
    `CUT` characters, followed by more than `LONG`, and no code ("def f(x):", '{"name":'). The colon of a time,
    a link or a path is passed over (`_COLON`). The words may also just open a long question ("I have a question
    about my code: …"); the whole text still counts as much as its request."""
    colon = _COLON.search(line)
    if colon is None or colon.end() > CUT or len(line) - colon.end() <= LONG:
        return None
    head = line[:colon.end()]
    return None if _is_label(head) or _CODE.search(head) else head


def request_of(text: str) -> str | None:
    """The request within `text`, or None when the text is its own request. Leading field labels ("### Instruction:")
    are skipped. Three cases: the first line opens with words that announce a long material after a colon on the
    same line (`_inline_request`), or it announces the lines that follow ("…实体：", "Translate the following:") —
    the request is those words or that line, plus the last line when there are three lines or more and it is
    neither a stub nor a label; or the text is long, over three lines or more — its first line and its last (the
    last two when the last is a stub or a label such as "答：", and there are four lines or more)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    while lines and _is_label(lines[0]):
        lines.pop(0)
    if not lines:
        return None
    last = lines[-1]
    stub = len(last) < STUB or _is_label(last)
    inline = _inline_request(lines[0])
    if inline is not None:
        return inline + ("\n" + last[-CUT:] if len(lines) >= 3 and not stub else "")
    if len(lines) >= 2 and lines[0][-1] in ":：":
        return lines[0][:CUT] + ("\n" + last[-CUT:] if len(lines) >= 3 and not stub else "")
    if sum(map(len, lines)) <= LONG or len(lines) < 3:
        return None
    if not stub:
        closing = last
    else:
        closing = lines[-2] + "\n" + last if len(lines) >= 4 else ""
    return lines[0][:CUT] + ("\n" + closing[-CUT:] if closing else "")


def requests(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(rows, which, distinct requests): the rows of the texts that have a request apart from themselves
    (`request_of`), and for each the index of its request among the distinct ones (a templated dataset has few)."""
    rows, which, index = [], [], {}
    for i, text in enumerate(texts):
        request = request_of(text)
        if request is not None:
            rows.append(i)
            which.append(index.setdefault(request, len(index)))
    return np.asarray(rows, dtype=np.int64), np.asarray(which, dtype=np.int64), list(index)


def mixed(whole: np.ndarray, request: np.ndarray) -> np.ndarray:
    """Unit rows of (1 − SHARE) · whole + SHARE · request, float32 (a zero request row leaves the whole's)."""
    out = (1 - SHARE) * np.asarray(whole, dtype=np.float32) + SHARE * np.asarray(request, dtype=np.float32)
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
    return out


class WithRequests:
    """Feature rows `base` where the rows at `rows` (sorted, distinct) are mixed with their request's features
    (`requests[which]`, see `mixed`), made a slice or an index array at a time as float32: the kinds' features of a
    million records without a second full copy."""

    def __init__(self, base: np.ndarray, rows: np.ndarray, which: np.ndarray, requests: np.ndarray):
        if len(rows) > 1 and not np.all(np.diff(rows) > 0):
            raise ValueError("rows must be sorted and distinct")
        self.base, self.rows, self.which, self.requests = base, rows, which, requests
        self.shape = base.shape

    def __len__(self) -> int:
        return len(self.base)

    def __getitem__(self, index) -> np.ndarray:
        n = len(self.base)
        if isinstance(index, slice):
            index = np.arange(*index.indices(n))
        else:
            index = np.asarray(index)
            if index.dtype == bool or index.ndim != 1 or not np.issubdtype(index.dtype, np.integer):
                raise TypeError("index WithRequests with a slice or a 1-d array of row numbers")
            index = index % n if n else index
        out = np.array(self.base[index], dtype=np.float32)
        if len(self.rows) and len(index):
            at = np.minimum(np.searchsorted(self.rows, index), len(self.rows) - 1)
            hit = self.rows[at] == index
            if hit.any():
                out[hit] = mixed(out[hit], self.requests[self.which[at[hit]]])
        return out

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        whole = self[:]
        return whole if dtype is None else whole.astype(dtype)
