"""`compare_datasets`: two versions paired record by record, B placed on A's map, shifts per task kind and cluster.

The CLI (`sft-explorer diff`) and the app's *Compare with…* both call it; the app only draws the result.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from explorer.core.analysis.nearest import nearest
from explorer.core.analysis.params import AnalysisParams
from explorer.core.compare.versions import (HOW, MATCH_THRESHOLD, STATUSES, Matching, carried, manifest_pairs,
                                            match_versions, placed_clusters, share_shift, version_texts)
from explorer.core.compare.word_diff import record_diff
from explorer.core.dataset import Dataset
from explorer.core.errors import DatasetError
from explorer.core.progress import CancelFn, ProgressFn

PLACE_K = 10


@dataclass
class MapOfA:
    """What A's analysis gives the comparison: its map, clusters and kinds (kinds as the user sees them)."""

    vectors: np.ndarray
    """Unit vectors of A's embedded field (placing B's new records needs the same field)."""
    xy: np.ndarray
    clusters: np.ndarray
    kinds: list[str]
    cluster_labels: dict[int, str]
    field: str = "instruction"


@dataclass
class VersionDiff:
    a: Dataset
    b: Dataset
    matching: Matching
    b_xy: np.ndarray | None = None
    """B's records on A's map: an unchanged record at its A partner's place, the others placed by neighbours."""
    b_clusters: np.ndarray | None = None
    b_kinds: list[str] | None = None
    kind_shift: list[dict] | None = None
    cluster_shift: list[dict] | None = None
    cluster_labels: dict[int, str] | None = None

    def counts(self) -> dict[str, int]:
        return self.matching.counts()

    def other(self, a_id: int) -> int | None:
        """The B record an A record became (None when it was removed)."""
        j = int(self.matching.a_partner[a_id])
        return None if j < 0 else j

    def fields(self, a_id: int):
        """The fields that differ between an A record and its B version (FieldDiffs; [] when it was removed; for an
        unchanged record only whitespace can differ)."""
        j = self.other(a_id)
        return [] if j is None else record_diff(self.a.record(a_id), self.b.record(j))

    def to_json(self, edits: int | None = None) -> dict:
        """The whole comparison as one JSON object (`edits`: at most this many edited records with their diffs)."""
        m = self.matching
        edited = m.edited_pairs()
        how = np.bincount(m.how[m.a_partner >= 0], minlength=len(HOW)) if len(m.how) else np.zeros(len(HOW))
        out = {
            "a": {"path": self.a.path, "records": len(self.a), "format": self.a.format},
            "b": {"path": self.b.path, "records": len(self.b), "format": self.b.format},
            "counts": self.counts(),
            "paired_by": {name: int(how[i]) for i, name in enumerate(HOW) if name},
            "kind_shift": self.kind_shift, "cluster_shift": self._labelled(self.cluster_shift),
            "removed": m.ids("removed").tolist(), "added": m.ids("added", "b").tolist(),
            "edited": [{"a": i, "b": j, "how": HOW[m.how[i]], "similarity": round(float(m.similarity[i]), 4),
                        "fields": [{"field": f.field, "ops": f.ops} for f in self.fields(i)]}
                       for i, j in (edited if edits is None else edited[:edits])],
        }
        if edits is not None and len(edited) > edits:
            out["edited_not_listed"] = len(edited) - edits
        return out

    def _labelled(self, rows: list[dict] | None) -> list[dict] | None:
        if rows is None:
            return None
        labels = self.cluster_labels or {}
        return [{**r, "label": labels.get(r["group"], "noise" if r["group"] < 0 else str(r["group"]))} for r in rows]


def compare_datasets(a: Dataset, b: Dataset, embed: Callable[[list[str]], np.ndarray] | None,
                     map_of_a: MapOfA | None = None,
                     predict_kinds: Callable[[list[str], list[int]], list[str]] | None = None,
                     threshold: float = MATCH_THRESHOLD, pairs: list[tuple[int, int]] | None = None,
                     progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> VersionDiff:
    """Pair A's and B's records; with A's map, place B on it and measure the shifts per kind and per cluster.

    `embed(texts)`: unit vectors by A's model (cached); `predict_kinds(instructions, user_turns)`: kinds of B's new
    records and of those whose instruction changed, by A's classifier; `pairs`: (A id, B id) from an export
    manifest. A B record whose embedded text did not change keeps its A partner's place, cluster and kind."""
    ta = version_texts(a, progress, cancel)
    tb = version_texts(b, progress, cancel)
    matching = match_versions(ta, tb, embed, threshold, pairs, progress)
    diff = VersionDiff(a, b, matching)
    if map_of_a is None or embed is None:
        return diff
    texts_b = tb.instruction if map_of_a.field == "instruction" else _field(b, map_of_a.field, progress, cancel)
    texts_a = ta.instruction if map_of_a.field == "instruction" else _field(a, map_of_a.field, progress, cancel)
    keeps = np.array([p >= 0 and (s == STATUSES.index("unchanged") or (texts_b[j] == texts_a[p] and
                                                                        tb.instruction[j] == ta.instruction[p]))
                      for j, (p, s) in enumerate(zip(matching.b_partner.tolist(), matching.b_status.tolist()))],
                     dtype=bool)
    new = np.flatnonzero(~keeps)
    vectors = embed([texts_b[j] for j in new]) if len(new) else np.zeros((0, map_of_a.vectors.shape[1]), np.float32)
    idx, sims = nearest(vectors, map_of_a.vectors, PLACE_K)
    weights = np.clip(sims, 1e-3, None) ** 4
    weights /= np.maximum(weights.sum(axis=1, keepdims=True), 1e-12)
    new_xy = np.einsum("nk,nkd->nd", weights, map_of_a.xy[idx]) if len(new) else np.zeros((0, 2))
    new_clusters = placed_clusters(idx, sims, map_of_a.clusters)
    new_kinds = predict_kinds([tb.instruction[j] for j in new], [tb.user_turns[j] for j in new]) \
        if predict_kinds and len(new) else []
    at = {int(j): r for r, j in enumerate(new)}

    def per_b(a_values, new_values) -> list:
        return carried(matching.b_partner, keeps, a_values, {j: new_values[r] for j, r in at.items()})

    diff.b_xy = np.asarray(per_b(map_of_a.xy, new_xy), np.float32).reshape(len(b), 2)
    diff.b_clusters = np.asarray(per_b(map_of_a.clusters, new_clusters), np.int64)
    diff.cluster_shift = share_shift(map_of_a.clusters.tolist(), diff.b_clusters.tolist())
    diff.cluster_labels = dict(map_of_a.cluster_labels)
    if predict_kinds is not None:
        diff.b_kinds = per_b(map_of_a.kinds, new_kinds)
        diff.kind_shift = share_shift(list(map_of_a.kinds), diff.b_kinds)
    return diff


def export_manifest(path: str | Path) -> dict | None:
    """The manifest `sft-explorer export` wrote beside a curated file (None when there is none or it is unreadable)."""
    try:
        data = json.loads(Path(f"{path}.manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def manifest_source(manifest: dict | None) -> str | None:
    """The source dataset a curated export's manifest names."""
    source = (manifest or {}).get("source") or {}
    return source.get("path") if isinstance(source.get("path"), str) else None


def pairs_for(a: Dataset, b: Dataset) -> list[tuple[int, int]] | None:
    """(A id, B id) for every B record when B is a curated export of A whose manifest says which source record each
    output record is, and both files are still as exported (same bytes); None otherwise."""
    from explorer.core.curation.session import source_fingerprint

    manifest = export_manifest(b.path)
    source = manifest_source(manifest)
    if source is None or not Path(source).exists() or not os.path.samefile(source, a.path):
        return None
    if manifest["source"].get("sha256") != source_fingerprint(a.path) or \
            manifest["output"].get("sha256") != source_fingerprint(b.path):
        return None  # either file changed since the export: the ids no longer say which record is which
    return manifest_pairs(manifest, len(a), len(b))


def analysis_params(folder: str | None) -> AnalysisParams:
    """The parameters an `analyze` output was made with (its model, embedded field...), or the saved settings."""
    from explorer.core.analysis.params import from_dict
    from explorer.core.settings import load_analysis_params

    saved, _ = load_analysis_params()
    if not folder:
        return saved
    try:
        values = json.loads((Path(folder) / "summary.json").read_text(encoding="utf-8"))["params"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise DatasetError(f"cannot read the analysis parameters: {e}", str(Path(folder) / "summary.json")) from None
    values = {k: v for k, v in values.items() if k != "schema_version"}
    return from_dict(values, saved, strict=False)[0]


def summary_dataset_path(folder: str) -> str | None:
    """The dataset an `analyze` output folder was made from (its summary.json), or None when unreadable."""
    try:
        return json.loads((Path(folder) / "summary.json").read_text(encoding="utf-8"))["dataset"]["path"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def map_from_analysis_folder(folder: str, a: Dataset, embed: Callable[[list[str]], np.ndarray],
                             params: AnalysisParams) -> MapOfA:
    """A's map, clusters and kinds from its `analyze` output; its vectors re-read through `embed` (the cache)."""
    from explorer.core.analysis import taxonomy
    from explorer.core.curation.curated import read_analysis

    rows = read_analysis(folder, a)
    try:
        summary = json.loads((Path(folder) / "summary.json").read_text(encoding="utf-8"))
        labels = {int(c["id"]): c["label"] for c in summary.get("clusters", [])}
    except (OSError, ValueError, KeyError, TypeError):
        labels = {}
    texts = version_texts(a).instruction if params.embed_field == "instruction" else \
        _field(a, params.embed_field, None, None)
    return MapOfA(embed(texts), np.array([[r["x"], r["y"]] for r in rows], np.float32),
                  np.array([r["cluster"] for r in rows], np.int64),
                  [r["kind"] or taxonomy.UNASSIGNED for r in rows], labels, params.embed_field)


def _field(dataset: Dataset, field: str, progress, cancel) -> list[str]:
    from explorer.core.analysis.texts import read_texts

    return read_texts(dataset, progress, cancel).field(field)
