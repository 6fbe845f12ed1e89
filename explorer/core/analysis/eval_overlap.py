"""Training records that overlap an evaluation set: the instruction shares a long n-gram with an eval item, or its
embedding is almost the eval item's.

N-grams are counted in *units*: a word of letters or digits (lower-cased), or one CJK character, so Chinese is
matched by character n-grams and mixed text works. Wording found in many eval items ("Answer the following
question…", "阅读下面的句子并回答问题：") is template, not an item: it is masked, and an n-gram mostly made of it is not
used. An eval item shorter than n units matches a training instruction that is the same text. Eval files are read
with the normal loaders (any format, prompts only included; a file of no known format gives its prompt-like key,
such as `question`, or a remembered `--map`). The n-gram pass is one set lookup per window; the embedding pass
uses `nearest`, and a paraphrase must also share characters with the item (`text_overlap`), so that a model blind
to the language cannot match strangers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from explorer.core.analysis.nearest import nearest
from explorer.core.analysis.text_overlap import MIN_SHARED_BIGRAMS, bigram_overlap, join_units, units
from explorer.core import mappings
from explorer.core.dataset import PROMPT_KEYS, load
from explorer.core.formats import UNKNOWN
from explorer.core.errors import DatasetError
from explorer.core.progress import CancelFn, ProgressFn, Ticker

SHORT_MIN_UNITS = 4
"""An eval item shorter than n units is matched as a whole from this many units (shorter ones are too generic)."""
EMBEDDING_CANDIDATES = 3
"""Nearest eval items checked for a paraphrase (the first that also shares enough characters counts)."""
TEMPLATE_SHARE = 0.005
"""An n-gram in more than this share of the eval items (and in more than 3) is template wording, not an item."""


@dataclass
class EvalSets:
    """The eval items of every eval file, in one list."""

    paths: list[str]
    texts: list[str] = field(default_factory=list)
    """Each item's instruction (first user turn, with input/context)."""
    set_of: list[int] = field(default_factory=list)
    """Index into `paths` of each item's file."""
    record_ids: list[int] = field(default_factory=list)
    """Each item's record id in its file (0-based, as the loaders count)."""

    @property
    def names(self) -> list[str]:
        return [Path(p).name for p in self.paths]

    def __len__(self) -> int:
        return len(self.texts)


def files_digest(paths: list[str]) -> tuple:
    """What identifies the eval files' contents cheaply: path, size and modification time of each."""
    out = []
    for p in paths:
        try:
            st = os.stat(p)
            out.append((str(Path(p).resolve()), st.st_size, st.st_mtime_ns))
        except OSError:
            out.append((str(p), -1, -1))
    return tuple(out)


def load_eval_sets(paths: list[str], progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> EvalSets:
    """Read every eval file's items with the normal loaders; an unreadable or empty file is a clear error."""
    sets = EvalSets([str(p) for p in paths])
    for s, path in enumerate(sets.paths):
        try:
            dataset = load(path, mapping=mappings.remembered(path), progress=progress, cancel=cancel)
        except DatasetError as e:
            raise DatasetError(f"cannot read the eval set: {e}", path) from None
        before = len(sets.texts)
        for record in dataset.iter_records(progress, cancel):
            text = record.instruction or (_prompt_of(dataset.source_object(record.id))
                                          if dataset.format_of(record.id) == UNKNOWN else "")
            if text.strip():
                sets.texts.append(text)
                sets.set_of.append(s)
                sets.record_ids.append(record.id)
        if len(sets.texts) == before:
            raise DatasetError("the eval set has no items with a question or instruction", path)
    return sets


def _prompt_of(obj: dict) -> str:
    """An eval item of no known format (AlignBench: question, reference, evidences…): its prompt-like key's text."""
    return next((obj[k] for k in PROMPT_KEYS if isinstance(obj.get(k), str) and obj[k].strip()), "")


@dataclass
class Overlap:
    item: int
    """Index of the eval item in `EvalSets.texts`."""
    how: str
    """'13-gram' (a shared n-gram), 'same text' (a short item), or 'embedding'."""
    similarity: float
    """Cosine similarity of the embeddings (computed for every match)."""
    evidence: str = ""
    """The shared n-gram, for n-gram matches."""


def _index_items(items: list[str], n: int) -> tuple[dict[int, int], dict[tuple, int]]:
    """The eval items' n-grams (hash → first item), without template wording; and the short items as a whole.

    A run of n/2 units found in more distinct items than the template limit is template wording; the units it covers
    are masked in every item, and an n-gram is indexed only when most of its units are not masked, so "template +
    one common word" does not match, however short the template."""
    seen: set[tuple] = set()
    distinct: list[tuple[int, list[str]]] = []
    whole: dict[tuple, int] = {}
    for k, text in enumerate(items):
        u = units(text)
        key = tuple(u)
        if len(u) < n:
            if len(u) >= SHORT_MIN_UNITS:
                whole.setdefault(key, k)
        elif key not in seen:
            seen.add(key)
            distinct.append((k, u))
    m = max(SHORT_MIN_UNITS, n // 2)  # template wording is found in shorter runs, so a short template counts too
    spread: dict[int, int] = {}
    for _, u in distinct:
        for h in {h for h, _ in _grams(u, m)}:
            spread[h] = spread.get(h, 0) + 1
    limit = max(3, int(TEMPLATE_SHARE * len(distinct)))
    template = {h for h, count in spread.items() if count > limit}
    owner: dict[int, int] = {}
    for k, u in distinct:
        masked = np.zeros(len(u) + 1, np.int32)
        for h, i in _grams(u, m):
            if h in template:
                masked[i] += 1
                masked[i + m] -= 1
        covered = np.concatenate([[0], np.cumsum(np.cumsum(masked)[:-1] > 0)])
        for h, i in _grams(u, n):
            if covered[i + n] - covered[i] <= n // 2:
                owner.setdefault(h, k)
    return owner, whole


def _grams(u: list[str], n: int):
    for i in range(len(u) - n + 1):
        yield hash(tuple(u[i:i + n])), i


def ngram_matches(train: list[str], items: list[str], n: int, progress: ProgressFn | None = None,
                  cancel: CancelFn | None = None) -> list[tuple[int, str] | None]:
    """For each training text, (eval item, shared n-gram) of its first n-gram found in an eval item, or None."""
    owner, whole = _index_items(items, n)
    ticker = Ticker(progress, cancel, len(train), "Looking for eval overlap")
    out: list[tuple[int, str] | None] = []
    for r, text in enumerate(train):
        if not r & 0x0FFF:
            ticker.update(r)
        u = units(text)
        hit = None
        if tuple(u) in whole:
            hit = (whole[tuple(u)], join_units(u))
        elif len(u) >= n and owner:
            for h, i in _grams(u, n):
                if h in owner:
                    hit = (owner[h], join_units(u[i:i + n]))
                    break
        out.append(hit)
    ticker.finish()
    return out


def find_overlaps(train: list[str], train_vectors: np.ndarray, sets: EvalSets, item_vectors: np.ndarray,
                  n: int = 13, threshold: float = 0.90, progress: ProgressFn | None = None,
                  cancel: CancelFn | None = None) -> list[Overlap | None]:
    """Per training record, its overlap with an eval item (n-gram first, then embedding ≥ `threshold`), or None."""
    grams = ngram_matches(train, sets.texts, n, progress, cancel)
    if len(sets) == 0 or len(train) == 0:
        return [None] * len(train)
    idx, sims = nearest(train_vectors, item_vectors, k=EMBEDDING_CANDIDATES)
    out: list[Overlap | None] = []
    for r, hit in enumerate(grams):
        if hit is not None:
            item, gram = hit
            sim = float(train_vectors[r] @ item_vectors[item])
            out.append(Overlap(item, f"{n}-gram" if len(units(gram)) >= n else "same text", round(sim, 4), gram))
            continue
        close = next((c for c in range(idx.shape[1]) if sims[r, c] >= threshold and bigram_overlap(
            train[r], sets.texts[idx[r, c]]) >= MIN_SHARED_BIGRAMS), None)
        out.append(None if close is None else Overlap(int(idx[r, close]), "embedding", round(float(sims[r, close]), 4)))
    return out


def describe(overlap: Overlap, sets: EvalSets, snippet: int = 120) -> dict:
    """An overlap as a plain object (records.jsonl, the editor, the Quality panel): which eval file and item,
    how it matched, and the start of the item."""
    text = " ".join(sets.texts[overlap.item].split())
    s = sets.set_of[overlap.item]
    return {"eval_set": sets.names[s], "eval_path": sets.paths[s], "item": sets.record_ids[overlap.item],
            "how": overlap.how,
            "similarity": overlap.similarity, "evidence": overlap.evidence,
            "eval_text": text[:snippet] + ("…" if len(text) > snippet else "")}


@dataclass
class EvalItemsOnMap:
    """The eval items where they fall on the training map (the app draws them as distinct markers)."""

    names: list[str]
    """Eval file names."""
    paths: list[str]
    set_of: np.ndarray
    texts: list[str]
    xy: np.ndarray
