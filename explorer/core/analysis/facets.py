"""Faceted filters: flag × kind × cluster × tag × token range × metadata column, with live counts per facet.

A `Filter` is a plain value (saved per dataset, written into export manifests). Values inside one facet are
alternatives (any of them); facets combine with AND. `facet_counts` counts each value of one facet under the
other facets' filter, as faceted search does, so the user sees what a click would give.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from explorer.core.analysis.live import FLAG_NAMES, LiveAnalysis

NO_FLAGS = "(no flags)"
UNTAGGED = "(untagged)"
FACETS = ("flag", "kind", "cluster", "tag")
MAX_COLUMN_VALUES = 100
"""A metadata column with more distinct values than this is free text, not a facet."""


@dataclass(frozen=True)
class Filter:
    flags: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    clusters: frozenset[int] = frozenset()
    tags: frozenset[str] = frozenset()
    min_tokens: int | None = None
    max_tokens: int | None = None
    columns: tuple[tuple[str, frozenset[str]], ...] = ()
    """Metadata column → accepted values."""

    def is_empty(self) -> bool:
        return not (self.flags or self.kinds or self.clusters or self.tags or self.columns) and \
            self.min_tokens is None and self.max_tokens is None

    def values(self, facet: str) -> frozenset:
        if facet in FACETS:
            return getattr(self, facet + "s")
        return dict(self.columns).get(facet, frozenset())

    def with_values(self, facet: str, values) -> Filter:
        """A copy with `facet` (a facet name or a metadata column) set to `values` (empty: no condition)."""
        values = frozenset(values)
        if facet in FACETS:
            return replace(self, **{facet + "s": values})
        columns = dict(self.columns)
        if values:
            columns[facet] = values
        else:
            columns.pop(facet, None)
        return replace(self, columns=tuple(sorted(columns.items())))

    def to_json(self) -> dict:
        out: dict = {name + "s": sorted(self.values(name)) for name in FACETS if self.values(name)}
        if self.min_tokens is not None or self.max_tokens is not None:
            out["tokens"] = [self.min_tokens, self.max_tokens]
        if self.columns:
            out["columns"] = {k: sorted(v) for k, v in self.columns}
        return out

    @classmethod
    def from_json(cls, data: Mapping) -> Filter:
        lo, hi = (list(data.get("tokens") or [None, None]) + [None, None])[:2]
        return cls(frozenset(data.get("flags", ())), frozenset(data.get("kinds", ())),
                   frozenset(int(c) for c in data.get("clusters", ())), frozenset(data.get("tags", ())),
                   None if lo is None else int(lo), None if hi is None else int(hi),
                   tuple(sorted((k, frozenset(v)) for k, v in (data.get("columns") or {}).items())))

    def describe(self) -> str:
        """One line for the status bar and the manifest: 'kind: math, coding · tokens 100–4096'."""
        parts = [f"{name}: {', '.join(str(v) for v in sorted(self.values(name)))}" for name in FACETS
                 if self.values(name)]
        parts += [f"{k}: {', '.join(sorted(v))}" for k, v in self.columns]
        if self.min_tokens is not None or self.max_tokens is not None:
            parts.append(f"tokens {self.min_tokens if self.min_tokens is not None else 0}–"
                         f"{self.max_tokens if self.max_tokens is not None else '∞'}")
        return " · ".join(parts) or "no filter"


@dataclass
class FacetIndex:
    """What the filter looks at, per record: the live analysis, the tags, and categorical metadata columns."""

    live: LiveAnalysis
    tags: Mapping[int, set[str]]
    columns: dict[str, tuple[list[str], np.ndarray]] = field(default_factory=dict)
    """column → (value names, value code per record; -1 where the record has no value)."""

    def facet_names(self) -> list[str]:
        return list(FACETS) + sorted(self.columns)

    def mask(self, flt: Filter, skip: str | None = None) -> np.ndarray:
        """Records inside the filter (deleted ones included; `LiveAnalysis.mask` leaves them out)."""
        live = self.live
        n = len(live)
        m = np.ones(n, dtype=bool)
        if flt.flags and skip != "flag":
            cols = [FLAG_NAMES.index(f) for f in flt.flags if f in FLAG_NAMES]
            want = live.flag_matrix[:, cols].any(axis=1) if cols else np.zeros(n, dtype=bool)
            if NO_FLAGS in flt.flags:
                want |= ~live.any_flag
            m &= want
        if flt.kinds and skip != "kind":
            codes = [k for k, name in enumerate(live.kind_names.tolist()) if name in flt.kinds]
            m &= np.isin(live.kind_codes, codes)
        if flt.clusters and skip != "cluster":
            m &= np.isin(live.analysis.clusters, list(flt.clusters))
        if flt.tags and skip != "tag":
            m &= self._tag_mask(flt.tags)
        if flt.min_tokens is not None and skip != "tokens":
            m &= live.tokens["conversation"] >= flt.min_tokens
        if flt.max_tokens is not None and skip != "tokens":
            m &= live.tokens["conversation"] <= flt.max_tokens
        for column, values in flt.columns:
            if column != skip and column in self.columns:
                names, codes = self.columns[column]
                m &= np.isin(codes, [k for k, name in enumerate(names) if name in values])
        return m

    def _tag_mask(self, wanted: frozenset[str]) -> np.ndarray:
        m = np.zeros(len(self.live), dtype=bool)
        tagged = [rid for rid, tags in self.tags.items() if tags & wanted]
        m[tagged] = True
        if UNTAGGED in wanted:
            untagged = np.ones(len(self.live), dtype=bool)
            untagged[[rid for rid, tags in self.tags.items() if tags]] = False
            m |= untagged
        return m

    def facet_counts(self, flt: Filter, facet: str) -> dict:
        """Records (not deleted) per value of `facet` under every other facet of `flt`."""
        live = self.live
        within = live.mask(self.mask(flt, skip=facet))
        if facet == "flag":
            counts = live.flag_counts(within)
            counts[NO_FLAGS] = int((within & ~live.any_flag).sum())
            return counts
        if facet == "kind":
            return {k: v for k, v in live.kind_counts(within).items()}
        if facet == "cluster":
            return live.cluster_sizes(within)
        if facet == "tag":
            counts: dict[str, int] = {}
            for rid, tags in self.tags.items():
                if within[rid]:
                    for t in tags:
                        counts[t] = counts.get(t, 0) + 1
            counts[UNTAGGED] = int(within.sum()) - sum(1 for rid, tags in self.tags.items() if tags and within[rid])
            return dict(sorted(counts.items()))
        names, codes = self.columns[facet]
        per = np.bincount(codes[within & (codes >= 0)], minlength=len(names))
        return dict(zip(names, per.tolist()))


def metadata_columns(objects, limit: int = MAX_COLUMN_VALUES) -> dict[str, tuple[list[str], np.ndarray]]:
    """Categorical top-level columns of the source records (e.g. `category`, `source`, `lang`): scalar values,
    at most `limit` distinct ones. `objects` yields each record's source object (or None) in id order."""
    values: dict[str, dict[str, int]] = {}
    rows: list[dict] = []
    dropped: set[str] = set()
    for obj in objects:
        row = {}
        if isinstance(obj, dict):
            for key, value in obj.items():
                if key in dropped or isinstance(value, (dict, list)) or value is None:
                    continue
                text = str(value)
                if len(text) > 80:
                    dropped.add(key)
                    continue
                seen = values.setdefault(key, {})
                if text not in seen:
                    if len(seen) >= limit:
                        dropped.add(key)
                        continue
                    seen[text] = len(seen)
                row[key] = seen[text]
        rows.append(row)
    out = {}
    for key, seen in values.items():
        codes = np.array([row.get(key, -1) for row in rows], dtype=np.int64)
        present = int((codes >= 0).sum())
        if key in dropped or len(seen) < 2 or len(seen) > max(10, present // 2):  # nearly unique: ids or texts
            continue
        out[key] = (list(seen), codes)
    return out
