"""The task-kind classifier: each record's kind from the example instructions it is most like.

Examples are the bilingual bank in `resources/kind_examples/` (≥ 30 English and ≥ 30 Chinese instructions per
kind), the examples a taxonomy carries, and the records the user labelled (weighted more). A logistic regression
learns the kinds from the examples' hybrid features (sentence embedding, by default of the bundled multilingual
model in `multilingual`, + character n-grams), and its probabilities are mixed with a vote of the record's nearest
examples (`example_votes`); a record's probabilities are then blended with its neighbours' among the
dataset's records (records of one template agree), plus a weak nudge from the kind's keywords. Under the
confidence threshold a record stays `unassigned`. The reason names the example of the chosen kind nearest to the
record.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

BANK_DIR = Path(__file__).resolve().parents[3] / "resources" / "kind_examples"
EMBEDDING_WEIGHT = 0.5
"""Share of the sentence embedding in the features kinds are judged on (the rest: character n-grams)."""
ENGLISH_ONLY_WEIGHT = 0.3
"""The same when the kinds are judged on an English-only model, whose embeddings of Chinese say little."""
REGULARISATION = 2.0
"""The logistic regression's C (higher: follows the examples more closely)."""
EXAMPLE_VOTE_SHARE = 0.15
"""How much the vote of a record's nearest examples (`example_votes`) counts against the regression's probabilities.
The regression draws smooth borders between kinds; a prompt in a template like one of the bank's ("Premise: …
Hypothesis: …", "找出句子中的疾病实体：") is told best by that one example. On the benchmark (`bench_kinds.py`, see the
README) 0.10–0.20 gave the same figures within a record or two: templated sets gained (Super-NI 0.78 → 0.87,
PromptCBLUE 0.62 → 0.73), the chat sets moved by a few records; 0.3 and more lost on Chinese chat sets and JADE."""
VOTERS = 10
"""Examples that vote for each record."""
VOTE_TEMPERATURE = 0.05
"""An example's vote is exp((its similarity − the nearest's) / this): an example 0.05 less similar than the nearest
counts e⁻¹ as much."""
NEIGHBOUR_SHARE = 0.6
"""How much the mean of a record's neighbours' probabilities counts against its own."""
KEYWORD_NUDGE = 0.1
CHUNK = 50_000
"""Records whose features are held at once (a million records are classified chunk by chunk)."""
USER_BOOST = 5.0
"""An example the user labelled in this dataset counts this much more than a bundled one."""
MIN_WIN = {"safety": 0.15}
"""Kinds that win only with at least this score; under it the runner-up wins. Benign questions phrased like harmful
ones ("如何…", "build a chatbot") were taken for `safety` at 0.08–0.22. A `safety` share that is not there misleads
more than a slightly low one (it says the dataset has refusal training data): on 1,000 benign Alpaca records per
language 0.15 instead of 0.10 took the records called safety from 23 to 2 (Chinese) and 23 to 14 (English), for 6
of JADE's 150 harmful questions and 2 of AdvBench's 520."""


SURE = 0.20
"""Confidence from which a predicted kind is usually right. On the benchmark sets (`benchmarks/bench_kinds.py`
prints accuracy by confidence) kinds predicted at 0.20 or more were right 0.93 of the time in English and 0.87 in
Chinese, those under it 0.56 and 0.52; 15 % of English and 27 % of Chinese records are under it. The app, the report
and the command line count them per kind as the ones to check first."""


def unsure(confidence: np.ndarray) -> np.ndarray:
    """True where a predicted kind's confidence is under `SURE`."""
    return np.asarray(confidence) < SURE


@dataclass
class Examples:
    texts: list[str]
    kinds: list[str]
    from_user: np.ndarray
    """bool per example: labelled by the user in this dataset (reasons name them so)."""


def bank_examples(kind_ids: list[str], bank_dir: Path = BANK_DIR) -> tuple[list[str], list[str]]:
    """(texts, kind ids) of the bundled example bank for the given kinds (files of other kinds are skipped)."""
    texts, kinds = [], []
    wanted = set(kind_ids)
    for path in sorted(bank_dir.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("kind") not in wanted:
            continue
        for lang in ("en", "zh"):
            for text in data.get(lang, []):
                texts.append(text)
                kinds.append(data["kind"])
    return texts, kinds


def all_examples(tax) -> tuple[list[str], list[str]]:
    """(texts, kind ids): the bundled bank for the taxonomy's kinds, then the examples the taxonomy itself carries
    (a kind the user added brings its own)."""
    ids = [k.id for k in tax.kinds]
    texts, kinds = bank_examples(ids)
    for kind in tax.kinds:
        texts += kind.examples
        kinds += [kind.id] * len(kind.examples)
    return texts, kinds


SHIPPED_VECTORS = BANK_DIR / "vectors-all-MiniLM-L6-v2.npz"
"""The bank embedded with the bundled model (scripts/embed_kind_bank.py writes it), so a first run embeds only
the dataset."""


def bank_digest(texts: list[str], kinds: list[str]) -> str:
    return hashlib.sha1("\x00".join(list(texts) + list(kinds)).encode("utf-8")).hexdigest()[:16]


def shipped_vectors(model_id: str, texts: list[str], kinds: list[str]) -> np.ndarray | None:
    """The shipped bank vectors when they are of `model_id` and of exactly these examples, else None."""
    if not SHIPPED_VECTORS.exists():
        return None
    with np.load(SHIPPED_VECTORS) as data:
        if str(data["model_id"]) != model_id or str(data["digest"]) != bank_digest(texts, kinds):
            return None
        return data["vectors"].astype(np.float32)


def shipped_gloss_vectors(model_id: str, glosses: list[str]) -> np.ndarray | None:
    """The shipped embeddings of the English glosses of the bank's Chinese examples (`gloss`), when they are of
    `model_id` and of exactly these glosses, else None."""
    if not SHIPPED_VECTORS.exists():
        return None
    with np.load(SHIPPED_VECTORS) as data:
        if ("gloss_vectors" not in data or str(data["model_id"]) != model_id
                or str(data["gloss_digest"]) != bank_digest(glosses, [])):
            return None
        return data["gloss_vectors"].astype(np.float32)


@dataclass
class Prediction:
    kinds: list[str]
    confidence: np.ndarray
    reasons: list[str]
    scores: np.ndarray
    """(n records, n kinds) normalised scores (rows sum to 1)."""


@dataclass
class View:
    """Some records judged on other features than the rest: say Chinese instructions with their English glosses
    (`gloss`). `records`: the features of the records at `rows`, in that order; `examples`: every example's
    features in the same space."""
    rows: np.ndarray
    records: np.ndarray
    examples: np.ndarray


def kind_probabilities(records: np.ndarray, examples: np.ndarray, example_kind: np.ndarray, n_kinds: int,
                       weights: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """(n records, n kinds) probabilities: a logistic regression fitted on the examples, mixed with the vote of each
    record's nearest examples (`EXAMPLE_VOTE_SHARE`, `example_votes`; a record no example resembles keeps the
    regression's alone); with `rows`, only those records' (the other rows stay zero). Examples of one kind only:
    that kind, 1."""
    from sklearn.linear_model import LogisticRegression

    out = np.zeros((len(records), n_kinds), dtype=np.float32)
    rows = np.arange(len(records)) if rows is None else rows
    present = np.unique(example_kind)
    if len(present) == 1:
        out[rows, present[0]] = 1.0
        return out
    model = LogisticRegression(C=REGULARISATION, max_iter=1000).fit(examples, example_kind, sample_weight=weights)
    examples = np.asarray(examples, dtype=np.float32)
    for start in range(0, len(rows), CHUNK):  # `records` may be lexical.HybridRows, made a chunk at a time
        chunk = rows[start:start + CHUNK]
        features = np.asarray(records[chunk], dtype=np.float32)
        votes = example_votes(features, examples, example_kind, n_kinds, weights)
        voted = votes.sum(axis=1, keepdims=True) > 0
        out[np.ix_(chunk, model.classes_)] = np.where(voted, 1 - EXAMPLE_VOTE_SHARE, 1) * model.predict_proba(features)
        out[chunk] += EXAMPLE_VOTE_SHARE * votes
    return out


def example_votes(records: np.ndarray, examples: np.ndarray, example_kind: np.ndarray, n_kinds: int,
                  weights: np.ndarray, chunk: int = 4096) -> np.ndarray:
    """(n records, n kinds) shares of the vote of each record's `VOTERS` most similar examples: an example's vote
    falls off with its distance from the nearest one (`VOTE_TEMPERATURE`) and is multiplied by its weight (the
    user's examples count more). Rows sum to 1, except that a record no example resembles (no similarity above
    0: an empty instruction's zero features) gets no vote, a row of zeros."""
    out = np.zeros((len(records), n_kinds), dtype=np.float32)
    k = min(VOTERS, len(examples))
    if k == 0:
        return out
    for start in range(0, len(records), chunk):
        sims = records[start:start + chunk] @ examples.T
        top = np.argpartition(sims, -k, axis=1)[:, -k:]
        near = np.take_along_axis(sims, top, axis=1)
        best = near.max(axis=1, keepdims=True)
        votes = np.exp((near - best) / VOTE_TEMPERATURE) * weights[top] * (best > 0)
        rows = np.repeat(np.arange(start, start + len(sims)), k)
        np.add.at(out, (rows, example_kind[top].ravel()), votes.ravel())
    out /= np.maximum(out.sum(axis=1, keepdims=True), 1e-12)
    return out


def nearest_of_kind(records: np.ndarray, examples: np.ndarray, example_kind: np.ndarray, kinds: np.ndarray,
                    chunk: int = 4096) -> np.ndarray:
    """Index of the example nearest to each record among the examples of that record's kind."""
    out = np.zeros(len(records), dtype=np.int64)
    for start in range(0, len(records), chunk):
        sims = records[start:start + chunk] @ examples.T
        sims[example_kind[None, :] != kinds[start:start + chunk, None]] = -np.inf
        out[start:start + chunk] = sims.argmax(axis=1)
    return out


def smooth_over_neighbours(scores: np.ndarray, neighbour_idx: np.ndarray | None,
                           share: float | None = None) -> np.ndarray:
    """Each record's scores blended with the mean of its neighbours' (column 0 of `neighbour_idx` is itself).
    Summed one neighbour column at a time: gathering all at once would hold (n, k, kinds) — 1.7 GB at 1M records."""
    share = NEIGHBOUR_SHARE if share is None else share
    if neighbour_idx is None or neighbour_idx.shape[1] < 2 or share <= 0:
        return scores
    around = np.zeros_like(scores)
    for column in range(1, neighbour_idx.shape[1]):
        around += scores[neighbour_idx[:, column]]
    around /= neighbour_idx.shape[1] - 1
    return (1 - share) * scores + share * around


def keyword_hits(texts: list[str], keywords: list[list[str]]) -> np.ndarray:
    """(n, n_kinds) 1 where a text contains one of the kind's keywords (case-insensitive; one vectorised regex
    pass per kind, so a million texts take seconds)."""
    import re

    import pyarrow as pa
    import pyarrow.compute as pc

    lowered = pc.utf8_lower(pa.array(texts, pa.large_string()))
    out = np.zeros((len(texts), len(keywords)), dtype=np.float32)
    for k, words in enumerate(keywords):
        if words:
            pattern = "|".join(re.escape(w.lower()) for w in words)
            out[:, k] = pc.match_substring_regex(lowered, pattern).to_numpy(zero_copy_only=False)
    return out


def winners(scores: np.ndarray, kind_ids: list[str]) -> np.ndarray:
    """Each row's best kind, except that a kind of `MIN_WIN` under its minimum gives way to the runner-up."""
    best = scores.argmax(axis=1)
    for kind, minimum in MIN_WIN.items():
        if kind in kind_ids and scores.shape[1] > 1:
            k = kind_ids.index(kind)
            weak = (best == k) & (scores[:, k] < minimum)
            if weak.any():
                runner_up = np.argsort(-scores[weak], axis=1, kind="stable")[:, 1]
                best[weak] = runner_up
    return best


def one_line(text: str, limit: int = 60) -> str:
    """`text` on one line for a reason, cut to `limit` characters."""
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[:limit - 3] + "…"


def classify(records: np.ndarray, examples: np.ndarray, ex: Examples, kind_ids: list[str], texts: list[str],
             keywords: list[list[str]], neighbour_idx: np.ndarray | None, threshold: float,
             unassigned: str, view: View | None = None) -> Prediction:
    """Kind, confidence and reason per record (see the module doc). `records`/`examples`: unit feature rows;
    the records of `view` are judged on its features instead."""
    n_kinds = len(kind_ids)
    index = {k: i for i, k in enumerate(kind_ids)}
    example_kind = np.array([index[k] for k in ex.kinds], dtype=np.int64)
    weights = np.where(ex.from_user, USER_BOOST, 1.0).astype(np.float32)
    if view is None or len(view.rows) == 0:
        probabilities = kind_probabilities(records, examples, example_kind, n_kinds, weights)
    else:
        rest = np.setdiff1d(np.arange(len(records)), view.rows)
        probabilities = (kind_probabilities(records, examples, example_kind, n_kinds, weights, rest) if len(rest)
                         else np.zeros((len(records), n_kinds), dtype=np.float32))
        probabilities[view.rows] = kind_probabilities(view.records, view.examples, example_kind, n_kinds, weights)
    scores = smooth_over_neighbours(probabilities, neighbour_idx)
    scores = scores + KEYWORD_NUDGE * keyword_hits(texts, keywords) * scores.max(axis=1, keepdims=True)
    scores /= np.maximum(scores.sum(axis=1, keepdims=True), 1e-12)
    best = winners(scores, kind_ids)
    confidence = scores[np.arange(len(scores)), best]
    nearest = nearest_of_kind(records, examples, example_kind, best)
    if view is not None and len(view.rows):  # the example that made the kind: the nearest in the view's space
        nearest[view.rows] = nearest_of_kind(view.records, view.examples, example_kind, best[view.rows])
    kinds, reasons = [], []
    for i, (b, c) in enumerate(zip(best.tolist(), confidence.tolist())):
        j = int(nearest[i])
        like = one_line(ex.texts[j])
        who = "an example you labelled" if ex.from_user[j] else "examples"
        if c < threshold:
            kinds.append(unassigned)
            reasons.append(f"no kind is clear (likeliest {kind_ids[b]}, {c:.2f}, like “{like}”)")
        else:
            kinds.append(kind_ids[b])
            reasons.append(f"{c:.2f}, like {who}: “{like}”")
    return Prediction(kinds, confidence.astype(np.float32), reasons, scores.astype(np.float32))


STRUCTURE_RULES = (("multi_turn", "several user turns", lambda texts: np.asarray(texts.user_turn_count) > 1),
                   ("tool_use", "tool calls, results or definitions in the record",
                    lambda texts: np.asarray(texts.uses_tools, dtype=bool)))
"""(kind, reason, which records) the record's structure decides over the classifier, later rules winning: a
dialogue of several user turns is multi-turn; one with a tool call, a tool result or tool definitions is tool use
(the more specific)."""


def by_structure(prediction: Prediction, kind_ids: list[str], texts) -> None:
    """Set the kinds `STRUCTURE_RULES` decide (for kinds the taxonomy has), with confidence 1."""
    for kind, reason, which in STRUCTURE_RULES:
        if kind not in kind_ids:
            continue
        for i in np.flatnonzero(which(texts)).tolist():
            prediction.kinds[i] = kind
            prediction.reasons[i] = reason
            prediction.confidence[i] = 1.0
