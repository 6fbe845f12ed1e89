"""Two versions of a dataset, record by record: each record of A ∪ B is unchanged, edited, removed or added.

Records are paired one to one, in three passes over what is still unpaired: the same content (every turn, whitespace
normalized, so a converted export still matches), then the same instruction (an edited answer), then the nearest
instruction by embedding above a similarity threshold that shares enough of its characters (an edited instruction).
A curated export's manifest says which source record each output record is, and then pairs exactly.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Callable

import numpy as np

from explorer.core.analysis.nearest import nearest
from explorer.core.analysis.text_overlap import MIN_SHARED_BIGRAMS, bigram_overlap
from explorer.core.dataset import Dataset
from explorer.core.progress import CancelFn, ProgressFn, Ticker
from explorer.core.record import Record

STATUSES = ("unchanged", "edited", "removed", "added")
MATCH_THRESHOLD = 0.85
"""Cosine similarity of two instructions from which an unpaired A and B record are one record, edited."""
CANDIDATES = 10
PAIRING_LEXICAL_DIMS = 64
"""Wording dimensions of the pairing candidates (enough to rank a few near texts; the SVD is the fit's cost)."""
HOW = ("", "content", "instruction", "nearest", "manifest")
"""How a pair was made (codes in `Matching.how`)."""


@dataclass
class VersionTexts:
    """What pairing reads of each record."""

    content: list[bytes]
    instruction: list[str]
    user_turns: list[int]


def _normal(text: str) -> str:
    return " ".join(text.split())


def content_key(record: Record) -> bytes:
    """A digest of every turn's role and text (whitespace normalized); metadata and source format do not count."""
    h = hashlib.blake2b(digest_size=16)
    for m in record.messages:
        h.update(m.role.encode())
        h.update(b"\x1f")
        h.update(_normal(m.content).encode("utf-8", "surrogatepass"))
        h.update(b"\x1e")
    return h.digest()


def version_texts(dataset: Dataset, progress: ProgressFn | None = None, cancel: CancelFn | None = None
                  ) -> VersionTexts:
    """Content digests and instructions of every record, read once."""
    out = VersionTexts([], [], [])
    for record in dataset.iter_records(progress, cancel):
        out.content.append(content_key(record))
        out.instruction.append(record.instruction)
        out.user_turns.append(sum(1 for m in record.messages if m.role == "user"))
    return out


@dataclass
class Matching:
    a_partner: np.ndarray
    """(n_a,) the B record each A record became, −1 when removed."""
    b_partner: np.ndarray
    """(n_b,) the A record each B record was, −1 when added."""
    a_status: np.ndarray
    """(n_a,) index into STATUSES: unchanged, edited or removed."""
    b_status: np.ndarray
    """(n_b,) index into STATUSES: unchanged, edited or added."""
    how: np.ndarray
    """(n_a,) index into HOW: how each A record was paired."""
    similarity: np.ndarray
    """(n_a,) instruction cosine similarity of pairs made by nearest neighbour (1 for the others, 0 unpaired)."""

    def counts(self) -> dict[str, int]:
        a = np.bincount(self.a_status, minlength=4)
        b = np.bincount(self.b_status, minlength=4)
        return {"unchanged": int(a[0]), "edited": int(a[1]), "removed": int(a[2]), "added": int(b[3])}

    def ids(self, status: str, side: str = "a") -> np.ndarray:
        """Record ids of A (or B, `side='b'`) with this status."""
        codes = self.a_status if side == "a" else self.b_status
        return np.flatnonzero(codes == STATUSES.index(status))

    def edited_pairs(self) -> list[tuple[int, int]]:
        ids = self.ids("edited")
        return [(int(i), int(self.a_partner[i])) for i in ids]


def _pair_equal(a_keys: list, b_keys: list, a_left: list[int], b_left: list[int],
                a_partner: np.ndarray, b_partner: np.ndarray, how: np.ndarray, code: int) -> None:
    """Pair records with equal keys one to one, in id order (the first copy in A with the first in B)."""
    waiting: dict = defaultdict(deque)
    for i in a_left:
        waiting[a_keys[i]].append(i)
    for j in b_left:
        queue = waiting.get(b_keys[j])
        if queue:
            i = queue.popleft()
            a_partner[i], b_partner[j], how[i] = j, i, code


def match_versions(a: VersionTexts, b: VersionTexts,
                   embed: Callable[[list[str]], np.ndarray] | None = None, threshold: float = MATCH_THRESHOLD,
                   pairs: list[tuple[int, int]] | None = None, progress: ProgressFn | None = None) -> Matching:
    """Pair A's records with B's (see the module doc). `embed(texts)` gives unit vectors of instructions (None: no
    nearest-neighbour pass); `pairs`: (A id, B id) known from an export manifest, used instead of guessing."""
    n_a, n_b = len(a.content), len(b.content)
    a_partner = np.full(n_a, -1, np.int64)
    b_partner = np.full(n_b, -1, np.int64)
    how = np.zeros(n_a, np.int8)
    similarity = np.zeros(n_a, np.float32)
    ticker = Ticker(progress, None, 3, "Pairing records")
    if pairs is not None:
        for i, j in pairs:
            a_partner[i], b_partner[j], how[i] = j, i, HOW.index("manifest")
    else:
        _pair_equal(a.content, b.content, range(n_a), range(n_b), a_partner, b_partner, how, HOW.index("content"))
        ticker.update(1)
        a_instr = [_normal(t) for t in a.instruction]
        b_instr = [_normal(t) for t in b.instruction]
        a_left, b_left = _unpaired(a_partner, a_instr), _unpaired(b_partner, b_instr)
        _pair_equal(a_instr, b_instr, a_left.tolist(), b_left.tolist(), a_partner, b_partner, how,
                    HOW.index("instruction"))
        ticker.update(2)
        a_left, b_left = _unpaired(a_partner, a_instr), _unpaired(b_partner, b_instr)
        if embed is not None and len(a_left) and len(b_left):
            _pair_nearest(a, b, a_left, b_left, embed, threshold, a_partner, b_partner, how, similarity)
    similarity[(how > 0) & (how != HOW.index("nearest"))] = 1.0
    ticker.finish()
    a_status = np.full(n_a, STATUSES.index("removed"), np.int8)
    b_status = np.full(n_b, STATUSES.index("added"), np.int8)
    paired = np.flatnonzero(a_partner >= 0)
    same = np.array([a.content[i] == b.content[a_partner[i]] for i in paired], dtype=bool)
    a_status[paired] = np.where(same, STATUSES.index("unchanged"), STATUSES.index("edited"))
    b_status[a_partner[paired]] = a_status[paired]
    return Matching(a_partner, b_partner, a_status, b_status, how, similarity)


def _unpaired(partner: np.ndarray, instructions: list[str]) -> np.ndarray:
    """Unpaired records that have an instruction (records without one pair only by their whole content)."""
    return np.array([i for i in np.flatnonzero(partner < 0).tolist() if instructions[i]], dtype=np.int64)


def _pair_nearest(a: VersionTexts, b: VersionTexts, a_left: np.ndarray, b_left: np.ndarray, embed, threshold: float,
                  a_partner, b_partner, how, similarity) -> None:
    """Pair the still unpaired, most similar first, one to one: an embedding cosine ≥ threshold and, so that a model
    that does not know the language (every Chinese text alike to an English model) cannot pair strangers, a
    character-bigram overlap ≥ MIN_SHARED_BIGRAMS. Candidates are the nearest by meaning and wording together."""
    from explorer.core.analysis.lexical import LexicalModel, hybrid

    a_texts = [a.instruction[i] for i in a_left]
    b_texts = [b.instruction[j] for j in b_left]
    va, vb = embed(a_texts), embed(b_texts)
    lex = LexicalModel(a_texts + b_texts, dims=PAIRING_LEXICAL_DIMS, seed=0)
    idx, _ = nearest(hybrid(vb, lex.transform(b_texts), 0.5), hybrid(va, lex.transform(a_texts), 0.5),
                     k=min(CANDIDATES, len(a_left)))
    sims = np.stack([np.einsum("nd,nd->n", vb, va[idx[:, c]]) for c in range(idx.shape[1])], axis=1) \
        if idx.shape[1] else np.zeros((len(vb), 0), np.float32)  # column by column: never n × k × d at once
    candidates = []
    for r, c in zip(*np.nonzero(sims >= threshold)):
        shared = bigram_overlap(b_texts[r], a_texts[idx[r, c]])
        if shared >= MIN_SHARED_BIGRAMS:
            candidates.append((float(sims[r, c]) + shared, int(r), int(c)))
    for _, r, c in sorted(candidates, reverse=True):
        i, j = int(a_left[idx[r, c]]), int(b_left[r])
        if a_partner[i] < 0 and b_partner[j] < 0:
            a_partner[i], b_partner[j], how[i] = j, i, HOW.index("nearest")
            similarity[i] = sims[r, c]


def carried(b_partner: np.ndarray, keeps: np.ndarray, a_values: np.ndarray | list,
            b_new_values: dict[int, object]) -> list:
    """A value per B record: where `keeps`, its A partner's; elsewhere `b_new_values[j]`."""
    return [a_values[b_partner[j]] if keep else b_new_values[j] for j, keep in enumerate(keeps.tolist())]


def share_shift(a_groups: list, b_groups: list) -> list[dict]:
    """Per group (task kind, cluster): count and share in A and in B and the shift in share (B − A), largest
    shift first."""
    a_used = a_groups
    ca: dict = defaultdict(int)
    cb: dict = defaultdict(int)
    for g in a_used:
        ca[g] += 1
    for g in b_groups:
        cb[g] += 1
    na, nb = max(len(a_used), 1), max(len(b_groups), 1)
    rows = [{"group": g, "a": ca[g], "b": cb[g], "a_share": round(ca[g] / na, 4), "b_share": round(cb[g] / nb, 4),
             "shift": round(cb[g] / nb - ca[g] / na, 4)} for g in set(ca) | set(cb)]
    return sorted(rows, key=lambda r: (-abs(r["shift"]), str(r["group"])))


def placed_clusters(idx: np.ndarray, sims: np.ndarray, a_clusters: np.ndarray) -> np.ndarray:
    """The cluster of each placed point: the similarity-weighted vote of its nearest A records' clusters."""
    out = np.empty(len(idx), np.int64)
    for r in range(len(idx)):
        votes: dict[int, float] = defaultdict(float)
        for c, s in zip(a_clusters[idx[r]].tolist(), sims[r].tolist()):
            votes[c] += max(s, 1e-3) ** 4
        out[r] = max(votes, key=votes.get)
    return out


def manifest_pairs(manifest: dict, n_a: int, n_b: int) -> list[tuple[int, int]] | None:
    """(source id, output id) from an export manifest's `output.ids` ranges, or None when it has none or they do
    not fit these two datasets (then records are paired by content)."""
    ranges = (manifest.get("output") or {}).get("ids")
    if not isinstance(ranges, list):
        return None
    try:
        ids = [i for start, stop in ranges for i in range(int(start), int(stop))]
    except (TypeError, ValueError):
        return None
    if len(ids) != n_b or (ids and (min(ids) < 0 or max(ids) >= n_a)):
        return None
    return [(i, j) for j, i in enumerate(ids)]
