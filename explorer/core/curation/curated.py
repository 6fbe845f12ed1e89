"""Curated exports: the session's edits applied, records selected by tags/ids/flags/clusters/kinds, groups
rebalanced, and a manifest that says how to reproduce the file."""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from explorer.core import atomic
from explorer.core.analysis import taxonomy
from explorer.core.curation.edits import CurationState
from explorer.core.curation.session import source_fingerprint
from explorer.core.dataset import Dataset
from explorer.core.errors import DatasetError
from explorer.core.export import ExportResult, export


@dataclass
class Selection:
    tags: list[str] = field(default_factory=list)
    without_tags: list[str] = field(default_factory=list)
    ids: list[int] | None = None
    flags: list[str] = field(default_factory=list)
    without_flags: list[str] = field(default_factory=list)
    clusters: list[int] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    include_deleted: bool = False

    def needs_analysis(self) -> bool:
        return bool(self.flags or self.without_flags or self.clusters or self.kinds)


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


def read_analysis(folder: str | Path, dataset: Dataset) -> list[dict]:
    """The per-record rows of an `analyze` output folder, checked to belong to this dataset."""
    path = Path(folder) / "records.jsonl"
    try:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, ValueError) as e:
        raise DatasetError(f"cannot read the analysis: {e}", str(path)) from None
    if len(rows) != len(dataset):
        raise DatasetError(f"the analysis has {len(rows)} records but the dataset has {len(dataset)}; "
                           "run analyze on this dataset again", str(path))
    return rows


def select(dataset: Dataset, state: CurationState, sel: Selection, rows: list[dict] | None) -> list[int]:
    """Record ids that pass every filter, in id order."""
    if sel.needs_analysis() and rows is None:
        raise DatasetError("--flag, --cluster and --kind filters need an analysis: run `sft-explorer analyze` and "
                           "pass its folder with --analysis")
    wanted_ids = set(sel.ids) if sel.ids is not None else None
    kept = []
    for rid in range(len(dataset)):
        if rid in state.deleted and not sel.include_deleted:
            continue
        if wanted_ids is not None and rid not in wanted_ids:
            continue
        tags = state.tags.get(rid, set())
        if any(t not in tags for t in sel.tags) or any(t in tags for t in sel.without_tags):
            continue
        if rows is not None:
            row = rows[rid]
            flags = set(row.get("flags", []))
            if any(f not in flags for f in sel.flags) or flags & set(sel.without_flags):
                continue
            if sel.clusters and row.get("cluster") not in sel.clusters:
                continue
            if sel.kinds and (row.get("kind") or taxonomy.UNASSIGNED) not in sel.kinds:
                continue
        kept.append(rid)
    return kept


def rebalance(ids: list[int], rows: list[dict] | None, rb: Rebalance) -> list[int]:
    """Cap groups; within an over-full group keep unflagged records first, then a seeded random order."""
    if not rb.needs_analysis():
        return ids
    if rows is None:
        raise DatasetError("rebalancing needs an analysis: run `sft-explorer analyze` and pass --analysis")
    rng = random.Random(rb.seed)
    priority = {rid: (len(rows[rid].get("flags", [])), rng.random()) for rid in ids}

    def cap(ids: list[int], key: str, limits: dict[object, int] | int) -> list[int]:
        groups: dict[object, list[int]] = {}
        for rid in ids:
            groups.setdefault(_group(rows[rid], key), []).append(rid)
        kept: list[int] = []
        for group, members in groups.items():
            limit = limits if isinstance(limits, int) else limits.get(group, len(members))
            kept += sorted(members, key=priority.__getitem__)[:limit]
        return sorted(kept)

    if rb.max_per_cluster:
        ids = cap(ids, "cluster", rb.max_per_cluster)
    if rb.max_per_kind:
        ids = cap(ids, "kind", rb.max_per_kind)
    if rb.balance_kind:
        targets = taxonomy.load_taxonomy(rb.taxonomy_path).targets()
        total = len(ids)
        ids = cap(ids, "kind", {k: math.ceil(share * total) for k, share in targets.items()})
    return ids


def _group(row: dict, key: str) -> object:
    value = row.get(key)
    return (value or taxonomy.UNASSIGNED) if key == "kind" else value


def _counts(ids: list[int], rows: list[dict] | None, key: str) -> dict[str, int]:
    if rows is None:
        return {}
    return dict(Counter(str(rows[i].get(key)) for i in ids).most_common())


def curated_export(dataset: Dataset, state: CurationState, out: str | Path, to: str | None, sel: Selection,
                   rb: Rebalance, rows: list[dict] | None, edit_count: int, progress=None, cancel=None) -> ExportResult:
    """Export the session's view of the dataset, filtered and rebalanced, plus OUT.manifest.json."""
    selected = select(dataset, state, sel, rows)
    kept = rebalance(selected, rows, rb)
    keep = set(kept)
    exclude = [rid for rid in range(len(dataset)) if rid not in keep]
    replacements = {rid: obj for rid, obj in state.objects.items() if rid in keep}
    result = export(dataset, out, to, replacements=replacements, exclude=exclude, progress=progress, cancel=cancel)
    everyone = list(range(len(dataset)))
    manifest = {
        "source": {"path": str(Path(dataset.path).resolve()), "sha256": source_fingerprint(dataset.path),
                   "format": dataset.format, "container": dataset.container, "records": len(dataset)},
        "session_edits": edit_count,
        "output": {"path": str(out), "format": result.format, "container": result.container,
                   "records": result.written, "skipped": [{"id": i, "reason": r} for i, r in result.skipped]},
        "selection": asdict(sel), "rebalance": asdict(rb),
        "counts": {"in": len(dataset), "deleted_in_session": len(state.deleted), "selected": len(selected),
                   "out": len(kept)},
        "per_cluster": {"in": _counts(everyone, rows, "cluster"), "out": _counts(kept, rows, "cluster")},
        "per_kind": {"in": _counts(everyone, rows, "kind"), "out": _counts(kept, rows, "kind")},
    }
    atomic.write_chunks(f"{out}.manifest.json", [json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")])
    return result
