"""Readable cluster labels by class-based TF-IDF, for English and Chinese text alike.

Latin-script text is split into lower-cased words (stop words dropped); CJK runs become character bigrams,
since Chinese has no spaces. A term scores high when it is frequent in one cluster and rare across clusters.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

_WORD = re.compile(r"[a-z][a-z0-9+#'_-]*[a-z0-9+#]|[a-z]")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
STOP_WORDS = frozenset("""
a an the and or but if then else of to in on at by for with from into onto about as is are was were be been being
am do does did doing have has had having it its it's this that these those there here what which who whom whose
when where why how not no nor so than too very can could should would will shall may might must i me my we our
you your he him his she her they them their us all any each few more most other some such only own same just also
up down out over under again once s t don now please give write make tell one two use using following below above
words sentence text answer question following given based
""".split())
CJK_STOP = frozenset("的了是在和有我你他她它们这那个一不就也都而及与或请下面以上什么怎么如何为什吗呢吧啊")


def terms(text: str) -> list[str]:
    """Words (English) and character bigrams (CJK) of a text."""
    lowered = text.lower()
    out = [w for w in _WORD.findall(lowered) if w not in STOP_WORDS and len(w) > 1]
    for run in _CJK_RUN.findall(text):
        chars = [c for c in run]
        out += [a + b for a, b in zip(chars, chars[1:]) if not (a in CJK_STOP or b in CJK_STOP)]
    return out


def cluster_keywords(texts: list[str], labels: np.ndarray, top: int = 5) -> dict[int, list[str]]:
    """Top c-TF-IDF terms per cluster id (noise, −1, included as its own class)."""
    per_class: dict[int, Counter] = {}
    for text, label in zip(texts, labels.tolist()):
        per_class.setdefault(label, Counter()).update(terms(text))
    total = Counter()
    for counts in per_class.values():
        total.update(counts)
    avg_words = sum(total.values()) / max(len(per_class), 1)
    out = {}
    for label, counts in per_class.items():
        size = sum(counts.values()) or 1
        scored = sorted(((c / size) * math.log(1 + avg_words / total[t]), t) for t, c in counts.items() if c > 1)
        out[label] = [t for _, t in reversed(scored[-top:])]
    return out


def label_text(keywords: list[str], n: int = 3) -> str:
    return " · ".join(keywords[:n]) if keywords else "(no common words)"


def carry_renames(old_members: dict[int, set[int]], renames: dict[int, str], new_labels: np.ndarray,
                  min_jaccard: float = 0.5) -> dict[int, str]:
    """Move user-given cluster names onto the new clusters that clearly continue the old ones (Jaccard ≥ 0.5)."""
    new_members: dict[int, set[int]] = {}
    for rid, label in enumerate(new_labels.tolist()):
        if label >= 0:
            new_members.setdefault(label, set()).add(rid)
    carried: dict[int, str] = {}
    for old, name in renames.items():
        members = old_members.get(old, set())
        best, score = None, 0.0
        for new, current in new_members.items():
            j = len(members & current) / max(len(members | current), 1)
            if j > score:
                best, score = new, j
        if best is not None and score >= min_jaccard and best not in carried:
            carried[best] = name
    return carried
