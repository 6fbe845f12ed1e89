"""Readable cluster labels by class-based TF-IDF, for English and Chinese text alike.

Latin-script text is split into lower-cased words (stop words dropped); CJK runs are cut into words by jieba
when it is installed, else into character bigrams, since Chinese has no spaces. A term scores high when many of
a cluster's records use it and few records outside
do: counting records, not occurrences, and leaving out numbers and capitalised names inside a sentence, labels
templated data ("Noah buys 5 packs of 12 marbles…") by its template rather than by the names that fill it. A
cluster with no distinctive term falls back to its commonest words, then to the start of its first instruction:
a label is never empty.
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


_NAME = re.compile(r"(?<![.!?:\n]\s)(?<!^)\b[A-Z][a-z]+\b")
"""A capitalised word that does not start a sentence: most often a name filled into a template."""


def terms(text: str, mask_names: bool = False) -> list[str]:
    """Words (English) and character bigrams (CJK) of a text (capitalised names inside sentences left out when
    `mask_names`)."""
    lowered = (_NAME.sub(" ", text) if mask_names else text).lower()
    out = [w for w in _WORD.findall(lowered) if w not in STOP_WORDS and len(w) > 1]
    cut = chinese_segmenter()
    for run in _CJK_RUN.findall(text):
        if cut is not None:
            out += [w for w in cut(run) if len(w) > 1 and w not in CJK_STOP_WORDS]
        else:
            out += [a + b for a, b in zip(run, run[1:]) if not (a in CJK_STOP or b in CJK_STOP)]
    return out


CJK_STOP_WORDS = frozenset("""
我们 你们 他们 什么 怎么 如何 为什么 可以 一个 这个 那个 以下 下面 以上 请问 一下 一些 哪些 还是 或者 因为 所以 如果 但是
然后 没有 就是 不是 自己 这些 那些 进行 需要 要求 根据 给出 问题 回答 内容
""".split())


def chinese_segmenter():
    """jieba's word cutter when installed (its dictionary loads once, quietly), else None."""
    global _JIEBA
    if _JIEBA is None:
        try:
            import logging

            import jieba

            jieba.setLogLevel(logging.WARNING)
            _JIEBA = jieba.lcut
        except ImportError:
            _JIEBA = False
    return _JIEBA or None


_JIEBA = None


def cluster_keywords(texts: list[str], labels: np.ndarray, top: int = 5) -> dict[int, list[str]]:
    """Top terms per cluster id (noise, −1, included as its own class): share of the cluster's records using a
    term × how rare the term is among all records. Never empty for a cluster with any text."""
    docs: dict[int, Counter] = {}
    sizes: Counter = Counter()
    first: dict[int, str] = {}
    for text, label in zip(texts, labels.tolist()):
        docs.setdefault(label, Counter()).update(set(terms(text, mask_names=True)))
        sizes[label] += 1
        if text.strip():
            first.setdefault(label, text)
    df = Counter()
    for counts in docs.values():
        df.update(counts)
    n = max(len(texts), 1)
    out = {}
    for label, counts in docs.items():
        scored = sorted(((c / sizes[label]) * math.log(1 + n / df[t]), t) for t, c in counts.items() if c > 1)
        words: list[str] = []
        for _, t in reversed(scored):
            if len(words) == top:
                break
            if not any(t.rstrip("s") == w.rstrip("s") for w in words):  # "pack" adds nothing after "packs"
                words.append(t)
        out[label] = words or _fallback([t for t, l in zip(texts, labels.tolist()) if l == label], first.get(label))
    return _distinct(out, sizes)


def _distinct(keywords: dict[int, list[str]], sizes: Counter, shown: int = 3) -> dict[int, list[str]]:
    """Where a cluster's first `shown` terms are a bigger cluster's too (one template split in two), its next term
    that the bigger cluster lacks (else any next term) takes the last place, so the labels differ and say how."""
    owners: dict[tuple[str, ...], set[str]] = {}
    for label in sorted(keywords, key=lambda c: (-sizes[c], c)):
        words = keywords[label]
        owner = owners.get(tuple(words[:shown]))
        if label >= 0 and owner is not None:
            extras = sorted(words[shown:], key=lambda w: w in owner)  # stable: the other cluster's terms last
            for extra in extras:
                if tuple(words[:shown - 1] + [extra]) not in owners:
                    keywords[label] = words[:shown - 1] + [extra] + [w for w in words[shown - 1:] if w != extra]
                    break
        owners.setdefault(tuple(keywords[label][:shown]), set(keywords[label]))
    return keywords


def _fallback(texts: list[str], first: str | None, top: int = 3) -> list[str]:
    """No distinctive term: the words most of the records share (stop words allowed), else the first words of
    the first instruction."""
    shared = Counter()
    for text in texts:
        shared.update(set(_WORD.findall(text.lower())))
    common = [w for w, c in shared.most_common(top) if c > 1]
    if common:
        return common
    return [" ".join((first or "").split()[:5])[:40]] if first else []


def label_text(keywords: list[str], n: int = 3, kind: str | None = None) -> str:
    """'kind: word · word · word' (the kind when most of the cluster is one task kind)."""
    words = " · ".join(keywords[:n]) if keywords else "(empty texts)"
    return f"{kind}: {words}" if kind else words


def dominant_kinds(clusters: np.ndarray, kinds: list[str], unassigned: str, share: float = 0.5) -> dict[int, str]:
    """The task kind of at least `share` of each cluster's records, where one is (unassigned does not count)."""
    out = {}
    for c in np.unique(clusters[clusters >= 0]).tolist():
        members = Counter(kinds[i] for i in np.flatnonzero(clusters == c).tolist())
        kind, count = members.most_common(1)[0]
        if kind != unassigned and count >= share * sum(members.values()):
            out[c] = kind
    return out


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
