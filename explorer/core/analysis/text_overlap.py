"""How much two texts share in characters: the check that keeps an embedding blind to a language (an English model
on Chinese puts every text near every other) from calling strangers the same text."""

from __future__ import annotations

import re

MIN_SHARED_BIGRAMS = 0.45
"""Character-bigram Dice overlap that an edit or a paraphrase keeps with its original. Measured on hand pairs:
paraphrases and edits (English and Chinese) 0.50–0.79; unrelated Chinese questions that an English model puts at
cosine ≥ 0.9 0.14–0.36 (they share 是什么, 如何, 的？)."""


UNIT = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]|[^\W_\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]+", re.U)


def units(text: str) -> list[str]:
    """Words (lower-cased) and single CJK characters of `text`, in order."""
    return UNIT.findall(text.lower())


def join_units(u: list[str]) -> str:
    """Units back into text: CJK characters side by side, words apart."""
    return "".join(x if len(x) == 1 and not x.isascii() else f" {x} " for x in u).strip().replace("  ", " ")


def bigram_overlap(x: str, y: str) -> float:
    """Dice coefficient of the two texts' character bigrams (whitespace normalized, lower-cased)."""
    gx, gy = _bigrams(x), _bigrams(y)
    if not gx or not gy:
        return float(_normal(x) == _normal(y))
    return 2 * len(gx & gy) / (len(gx) + len(gy))


def _normal(text: str) -> str:
    return " ".join(text.split()).lower()


def _bigrams(text: str) -> set[str]:
    t = _normal(text)
    return {t[i:i + 2] for i in range(len(t) - 1)}
