"""The analysis as the dataset stands now: deleted records left out, edited records re-checked.

An `Analysis` describes the file as it was analysed. Curation changes it record by record; `LiveAnalysis` keeps
the per-record facts that are cheap to recompute (flags, token counts, deletion) current after every edit, undo
and redo, and answers every count the app and the export show — clusters, flags, task-kind coverage, balance —
over the records that are still there (and, optionally, inside a filter mask). Placement on the map and the
clusters themselves stay as analysed until the user re-runs the analysis.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence

import numpy as np

from explorer.core import tokens as tokens_mod
from explorer.core.analysis import checks, clustering, kind_classifier, taxonomy
from explorer.core.analysis.packed import PackedFlags
from explorer.core.analysis.pipeline import Analysis
from explorer.core.analysis.texts import one_record_texts
from explorer.core.record import Record

FLAG_NAMES = tuple(checks.FLAGS)
KEPT_FROM_ANALYSIS = ("near_duplicate", "eval_overlap")
"""Flags that need the neighbour graph or the eval sets: an edited record keeps what the analysis found until it
is re-run."""


def recheck(record: Record, params: checks.CheckParams, prompt_only: bool = False) -> tuple[list[str], dict[str, int]]:
    """Flags (all but duplicate/near-duplicate) and token counts of one record as it is now."""
    texts = one_record_texts(record, prompt_only)
    enc = tokens_mod.encoding()
    counts = {name: len(enc.encode_ordinary(getattr(texts, name)[0])) for name in ("instruction", "response",
                                                                                   "conversation")}
    flags = checks.flags_for(texts.instruction[0], texts.response[0], counts["instruction"], counts["response"],
                             counts["conversation"], texts.has_assistant[0], texts.ends_with_assistant[0], params,
                             texts.prompt_only[0])
    return flags, counts


def flag_matrix(flags: Sequence[list[str]], n: int) -> np.ndarray:
    """(n, len(FLAG_NAMES)) bool: which flags each record has (lists are packed first; packed bits are read
    without a loop over records)."""
    packed = flags if isinstance(flags, PackedFlags) else PackedFlags.from_lists(flags, FLAG_NAMES)
    matrix = np.zeros((n, len(FLAG_NAMES)), dtype=bool)
    for k, name in enumerate(packed.names):
        matrix[:, FLAG_NAMES.index(name)] = (packed.bits >> np.uint64(k)) & np.uint64(1)
    return matrix


class FlagRows(Sequence):
    """The flag names of each record, read from a flag matrix (which stays the one thing that changes)."""

    def __init__(self, matrix: np.ndarray):
        self.matrix = matrix

    def __len__(self) -> int:
        return len(self.matrix)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return [FLAG_NAMES[k] for k in np.flatnonzero(self.matrix[i]).tolist()]

    def __iter__(self) -> Iterator[list[str]]:
        return iter(PackedFlags.from_matrix(self.matrix, FLAG_NAMES))


class LiveAnalysis:
    """Current flags, tokens and counts over the records that are not deleted."""

    def __init__(self, analysis: Analysis):
        self.analysis = analysis
        n = len(analysis.clusters)
        self.check_params = checks.CheckParams(analysis.params.max_tokens, analysis.params.near_duplicate_threshold)
        self.taxonomy = taxonomy.load_taxonomy(analysis.params.taxonomy_path)
        self.alive = np.ones(n, dtype=bool)
        self.tokens = {name: values.copy() for name, values in analysis.tokens.items()}
        self.flag_matrix = flag_matrix(analysis.flags, n)
        self.flags = FlagRows(self.flag_matrix)
        """Each record's flags now, as lists of names (read from `flag_matrix`: no million lists to keep)."""
        self.any_flag = self.flag_matrix.any(axis=1)
        self._flag_columns = np.ascontiguousarray(self.flag_matrix.T)
        """One contiguous row per flag: counting a flag under a mask reads one row, not the whole matrix."""
        names = sorted(set(analysis.kinds))  # what np.unique gives, without sorting a million strings
        code_of = {name: k for k, name in enumerate(names)}
        self.kind_names = np.array(names, dtype=str)
        self.kind_codes = np.fromiter((code_of[k] for k in analysis.kinds), np.int64, n)
        self.unsure = kind_classifier.unsure(analysis.kind_confidence)
        """Records whose kind is predicted with low confidence (not set by the user): the ones to check first."""
        cluster_ids, cluster_codes = np.unique(analysis.clusters, return_inverse=True)
        self.cluster_ids = cluster_ids.astype(np.int64)
        self.cluster_codes = cluster_codes.astype(np.int64)
        self._differs: set[int] = set()
        """Records whose flags or tokens are not the analysed ones (edited)."""
        self.rechecked = 0
        """How many records were re-checked since the analysis (for tests and the status bar)."""

    def __len__(self) -> int:
        return len(self.alive)

    # -- keeping up with edits ----------------------------------------------------------------------
    def update(self, ids: Iterable[int], deleted: Collection[int], edited_record: Callable[[int], Record | None],
               user_kind: Callable[[int], str | None] = lambda i: None) -> None:
        """Bring `ids` up to date: deleted or not, re-checked when their content differs from the file, and of the
        kind the user gave them.

        `edited_record(i)` returns the record as edited, or None when it is as in the file (never edited, or the
        edit was undone), in which case the analysed flags and tokens come back. `user_kind(i)` is the kind the
        user set (None: the predicted one)."""
        ids = np.fromiter((int(i) for i in ids), dtype=np.int64)
        if not len(ids):
            return
        self.alive[ids] = [i not in deleted for i in ids.tolist()]
        for i in ids.tolist():
            given = user_kind(i)
            self.kind_codes[i] = self._kind_code(given or self.analysis.kinds[i])
            self.unsure[i] = given is None and bool(kind_classifier.unsure(self.analysis.kind_confidence[i]))
        for i in ids.tolist():
            record = edited_record(i)
            if record is None:
                if i in self._differs:  # the edit was undone: the analysed facts hold again
                    self._set(i, list(self.analysis.flags[i]), {k: int(v[i]) for k, v in self.analysis.tokens.items()})
                    self._differs.discard(i)
                continue
            flags, counts = recheck(record, self.check_params, self.analysis.texts.prompt_only[i]
                                    if len(self.analysis.texts.prompt_only) else False)
            flags += [f for f in self.analysis.flags[i] if f in KEPT_FROM_ANALYSIS]
            self._set(i, [f for f in FLAG_NAMES if f in flags], counts)
            self._differs.add(i)
            self.rechecked += 1

    def _kind_code(self, kind: str) -> int:
        names = self.kind_names.tolist()
        if kind not in names:  # a kind the user gave that the analysis never predicted
            self.kind_names = np.array(names + [kind], dtype=object).astype(str)
            return len(names)
        return names.index(kind)

    def kinds(self) -> list[str]:
        """Each record's task kind now: the user's where they gave one, else the predicted one."""
        return self.kind_names[self.kind_codes].tolist()

    def _set(self, i: int, flags: list[str], counts: dict[str, int]) -> None:
        self.flag_matrix[i] = [name in flags for name in FLAG_NAMES]
        self._flag_columns[:, i] = self.flag_matrix[i]
        self.any_flag[i] = bool(flags)
        for name, value in counts.items():
            self.tokens[name][i] = value

    # -- counts over what is there now ---------------------------------------------------------------
    def mask(self, within: np.ndarray | None = None) -> np.ndarray:
        """Records counted: not deleted, and inside `within` (a boolean mask) when given."""
        return self.alive if within is None else self.alive & within

    def count(self, within: np.ndarray | None = None) -> int:
        return int(self.mask(within).sum())

    def cluster_sizes(self, within: np.ndarray | None = None) -> dict[int, int]:
        """Records per cluster (noise is -1), every analysed cluster listed, emptied ones with 0."""
        sizes = np.bincount(self.cluster_codes[self.mask(within)], minlength=len(self.cluster_ids))
        return dict(zip(self.cluster_ids.tolist(), sizes.tolist()))

    def flagged_per_cluster(self, within: np.ndarray | None = None) -> dict[int, int]:
        m = self.mask(within) & self.any_flag
        sizes = np.bincount(self.cluster_codes[m], minlength=len(self.cluster_ids))
        return dict(zip(self.cluster_ids.tolist(), sizes.tolist()))

    def flag_counts(self, within: np.ndarray | None = None) -> dict[str, int]:
        m = self.mask(within)
        return {name: int(np.count_nonzero(self._flag_columns[k] & m)) for k, name in enumerate(FLAG_NAMES)}

    def flagged(self, within: np.ndarray | None = None) -> int:
        return int((self.any_flag & self.mask(within)).sum())

    def kind_counts(self, within: np.ndarray | None = None) -> dict[str, int]:
        counts = np.bincount(self.kind_codes[self.mask(within)], minlength=len(self.kind_names))
        return dict(zip(self.kind_names.tolist(), counts.tolist()))

    def unsure_counts(self, within: np.ndarray | None = None) -> dict[str, int]:
        """Records per kind whose predicted kind is uncertain (`kind_classifier.SURE`)."""
        counts = np.bincount(self.kind_codes[self.mask(within) & self.unsure], minlength=len(self.kind_names))
        return dict(zip(self.kind_names.tolist(), counts.tolist()))

    def kind_ids(self, kind: str, within: np.ndarray | None = None, unsure_only: bool = False) -> np.ndarray:
        """Records of `kind` now (only those whose predicted kind is uncertain, with `unsure_only`)."""
        names = self.kind_names.tolist()
        if kind not in names:
            return np.zeros(0, dtype=np.int64)
        m = (self.kind_codes == names.index(kind)) & self.mask(within)
        return np.flatnonzero(m & self.unsure if unsure_only else m)

    def coverage(self, within: np.ndarray | None = None) -> list[dict]:
        """Task-kind coverage, gaps and uncertain records of what is there now (see `taxonomy.coverage`)."""
        return taxonomy.coverage_from_counts(self.taxonomy, self.kind_counts(within), self.unsure_counts(within))

    def balance(self, within: np.ndarray | None = None) -> dict:
        """Cluster balance of what is there now; shares are of all counted records, as in the clusters table."""
        return clustering.balance(self.analysis.clusters[self.mask(within)])

    def ids_with_flag(self, flag: str, within: np.ndarray | None = None) -> np.ndarray:
        return np.flatnonzero(self.flag_matrix[:, FLAG_NAMES.index(flag)] & self.mask(within))
