"""Rebalancing that protects gaps: cap clusters and task kinds without making the kinds that are short shorter.

Rules, in order:
- `max_per_cluster` caps each cluster; noise (cluster -1, records HDBSCAN put in no cluster) is not a cluster and
  is never capped.
- `max_per_kind` caps each kind; `balance_kind` cuts over-full kinds to their target share of what is left.
- Within a group that is cut, records of gap kinds are kept first (they are kept anyway, so they take the cap's
  slots instead of overshooting it); then unflagged records; among those, records of kinds under their target share;
  then a seeded random order.
- Floors win over caps: a kind that is a gap in the records before rebalancing (under half its target share, as in
  `taxonomy.coverage`) keeps all its records; any other kind keeps at least its target share of the output (never
  more than it had). Records a cap cut below a floor are put back, and the plan says so (`Protection`).
- `unassigned` records have no target and are never protected.

Group keys, as strings (the plan, the manifest and the dialog use them): clusters by id ("0", "1", ...), cluster
-1 as "noise"; kinds by id, no kind as "unassigned".
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field

from explorer.core.analysis import taxonomy
from explorer.core.errors import DatasetError

NOISE = "noise"
UNASSIGNED = taxonomy.UNASSIGNED
_EPS = 1e-9


@dataclass
class Rebalance:
    max_per_cluster: int | None = None
    max_per_kind: int | None = None
    balance_kind: bool = False
    """Cut over-full kinds toward the taxonomy's target shares."""
    seed: int = 0
    taxonomy_path: str | None = None

    def needs_analysis(self) -> bool:
        return bool(self.max_per_cluster or self.max_per_kind or self.balance_kind)


@dataclass
class Protection:
    """A kind the caps would have cut below its floor, and what was kept instead."""
    kind: str
    before: int
    caps_alone: int
    """What the caps alone would have left."""
    after: int
    reason: str
    """'gap' (all its records kept) or 'target share' (kept at its target share of the output)."""

    def text(self) -> str:
        return (f"{self.kind} {self.after} kept ({self.reason}; "
                f"the caps alone would keep {self.caps_alone} of {self.before})")


@dataclass
class GroupCount:
    key: str
    before: int
    after: int
    note: str = ""
    """Kinds: 'protected (gap)', 'protected (target share)', 'gap' (a gap no cap touched). Clusters: 'not capped'
    (noise), 'over cap (protected)'. Or ''."""


@dataclass
class RebalancePlan:
    before: list[int]
    kept: list[int]
    protected: list[Protection] = field(default_factory=list)
    per_kind: list[GroupCount] = field(default_factory=list)
    per_cluster: list[GroupCount] = field(default_factory=list)

    @property
    def dropped(self) -> int:
        return len(self.before) - len(self.kept)


def kind_key(row: dict) -> str:
    return row.get("kind") or UNASSIGNED


def cluster_key(row: dict) -> str:
    value = row.get("cluster")
    if value is None:
        return UNASSIGNED
    return NOISE if int(value) < 0 else str(int(value))


def counts(ids: list[int], rows: list[dict] | None, key) -> dict[str, int]:
    """Records per group key (`kind_key` or `cluster_key`), largest first; {} without rows."""
    if rows is None:
        return {}
    return dict(Counter(key(rows[i]) for i in ids).most_common())


def share_of(share: float, total: int) -> int:
    """ceil(share × total), without float noise turning 0.04 × 25 into 2."""
    return math.ceil(share * total - _EPS)


def plan_rebalance(ids: list[int], rows: list[dict] | None, rb: Rebalance) -> RebalancePlan:
    """Which of `ids` the caps keep, with gap kinds and target shares protected. Pure: reads, writes nothing."""
    if not rb.needs_analysis():
        return _finish(RebalancePlan(list(ids), list(ids)), rows, rb, set())
    if rows is None:
        raise DatasetError("rebalancing needs an analysis: run `sft-explorer analyze` and pass --analysis")
    tax = taxonomy.load_taxonomy(rb.taxonomy_path)
    targets = tax.targets()
    coverage = taxonomy.coverage(tax, [kind_key(rows[i]) for i in ids])
    before = {row["kind"]: row["count"] for row in coverage if row["count"]}
    gaps = {row["kind"] for row in coverage if row["gap"] and row["count"]}
    short = {row["kind"] for row in coverage if row["target"] is not None and row["share"] < row["target"]}
    rng = random.Random(rb.seed)
    order = {rid: (len(rows[rid].get("flags", [])), rng.random()) for rid in ids}

    caps_alone = _apply_caps(ids, rows, rb, targets, order.__getitem__)
    preferred = {rid: (kind_key(rows[rid]) not in gaps, o[0], kind_key(rows[rid]) not in short, o[1])
                 for rid, o in order.items()}
    kept = set(_apply_caps(ids, rows, rb, targets, preferred.__getitem__))

    dropped: dict[str, list[int]] = {}
    for rid in sorted(set(ids) - kept, key=order.__getitem__):
        dropped.setdefault(kind_key(rows[rid]), []).append(rid)
    while True:  # floors grow with the output; each pass only adds records, so this ends
        have = Counter(kind_key(rows[i]) for i in kept)
        total, added = len(kept), False
        for kind, count in before.items():
            if kind not in targets:
                continue
            floor = count if kind in gaps else min(count, share_of(targets[kind], total))
            missing = floor - have[kind]
            if missing > 0 and dropped.get(kind):
                back, dropped[kind] = dropped[kind][:missing], dropped[kind][missing:]
                kept.update(back)
                added = True
        if not added:
            break

    alone = Counter(kind_key(rows[i]) for i in caps_alone)
    after = Counter(kind_key(rows[i]) for i in kept)
    protected = [Protection(kind, before[kind], alone[kind], after[kind], "gap" if kind in gaps else "target share")
                 for kind in before if after[kind] > alone[kind]]
    return _finish(RebalancePlan(list(ids), sorted(kept), protected), rows, rb, gaps)


def _apply_caps(ids: list[int], rows: list[dict], rb: Rebalance, targets: dict[str, float], priority) -> list[int]:
    def cap(ids: list[int], key, limit) -> list[int]:
        groups: dict[str, list[int]] = {}
        for rid in ids:
            groups.setdefault(key(rows[rid]), []).append(rid)
        kept: list[int] = []
        for group, members in groups.items():
            n = limit(group)
            kept += members if n is None else sorted(members, key=priority)[:n]
        return sorted(kept)

    if rb.max_per_cluster:
        ids = cap(ids, cluster_key, lambda g: None if g in (NOISE, UNASSIGNED) else rb.max_per_cluster)
    if rb.max_per_kind:
        ids = cap(ids, kind_key, lambda g: rb.max_per_kind)
    if rb.balance_kind:
        total = len(ids)
        ids = cap(ids, kind_key, lambda g: share_of(targets[g], total) if g in targets else None)
    return ids


def _finish(plan: RebalancePlan, rows: list[dict] | None, rb: Rebalance, gaps: set[str]) -> RebalancePlan:
    if rows is None:
        return plan
    notes = {kind: "gap" for kind in gaps} | {p.kind: f"protected ({p.reason})" for p in plan.protected}
    k_before, k_after = counts(plan.before, rows, kind_key), counts(plan.kept, rows, kind_key)
    plan.per_kind = [GroupCount(k, n, k_after.get(k, 0), notes.get(k, "")) for k, n in k_before.items()]
    c_before, c_after = counts(plan.before, rows, cluster_key), counts(plan.kept, rows, cluster_key)
    plan.per_cluster = [GroupCount(k, n, c_after.get(k, 0), _cluster_note(k, c_after.get(k, 0), rb))
                        for k, n in c_before.items()]
    return plan


def _cluster_note(key: str, after: int, rb: Rebalance) -> str:
    if not rb.max_per_cluster:
        return ""
    if key in (NOISE, UNASSIGNED):
        return "not capped"
    return "over cap (protected)" if after > rb.max_per_cluster else ""
