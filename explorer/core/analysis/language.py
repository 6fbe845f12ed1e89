"""A script-based language guess: enough to tell Chinese from English and to spot mix-ups, with no model."""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_CODE_BLOCK = re.compile(r"```.*?(```|$)", re.S)
MIN_LETTERS = 6


def guess(text: str) -> str | None:
    """'zh', 'ja', 'ko', 'ru', 'ar', 'latin', or None when the text has too few letters to say."""
    text = _CODE_BLOCK.sub(" ", text)
    counts = {
        "ja": len(_KANA.findall(text)), "ko": len(_HANGUL.findall(text)), "zh": len(_CJK.findall(text)),
        "ru": len(_CYRILLIC.findall(text)), "ar": len(_ARABIC.findall(text)), "latin": len(_LATIN.findall(text)),
    }
    if counts["ja"] >= 2:
        return "ja"
    # One CJK character carries about as much as a short Latin word: weigh it 3×.
    counts["zh"] *= 3
    best = max(counts, key=counts.get)
    return best if counts[best] >= MIN_LETTERS else None
