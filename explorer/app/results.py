"""Typed views of the analysis results the panels show (the core keeps plain dicts for its JSON files)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Balance:
    clusters: int
    evenness: float
    """Normalized entropy of the cluster sizes: 1 is perfectly even."""
    largest_share: float
    """The largest cluster's share of all counted records (as in the clusters table)."""
    noise_share: float

    @classmethod
    def from_dict(cls, d: dict) -> Balance:
        return cls(d["clusters"], d["normalized_entropy"], d["largest_share"], d["noise_share"])


@dataclass(frozen=True)
class KindCoverage:
    kind: str
    name_en: str
    name_zh: str
    count: int
    share: float
    target: float | None
    """None for `unassigned`, which has no target."""
    gap: bool
    unsure: int = 0
    """Records whose predicted kind is uncertain (`kind_classifier.SURE`): the ones to check first."""

    @classmethod
    def from_dict(cls, d: dict) -> KindCoverage:
        return cls(d["kind"], d["name_en"], d["name_zh"], d["count"], d["share"], d["target"], d["gap"],
                   d.get("unsure", 0))


@dataclass(frozen=True)
class ClusterCentre:
    cluster: int
    x: float
    y: float
    size: int
