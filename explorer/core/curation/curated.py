"""Curated exports: the session's edits applied, records selected by tags/ids/flags/clusters/kinds, groups
rebalanced, and a manifest that says how to reproduce the file."""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from explorer.core import atomic
from explorer.core.analysis import taxonomy
from explorer.core.curation.edits import CurationState
from explorer.core.curation.rebalancing import (NOISE, Rebalance, RebalancePlan, cluster_key, counts, kind_key,
                                                plan_rebalance)
from explorer.core.curation.session import source_fingerprint
from explorer.core.dataset import Dataset
from explorer.core.errors import DatasetError
from explorer.core.export import ExportResult, export

if TYPE_CHECKING:
    from explorer.core.analysis.pipeline import Analysis

__all__ = ["NOISE", "ExportPlan", "Rebalance", "RebalancePlan", "Selection", "curated_export", "plan_export",
           "backup_path", "read_analysis", "rebalance", "recheck_edited", "rows_from_analysis", "select"]


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
    view_filter: dict | None = None
    """The app's filter-bar filter that `ids` came from (written to the manifest; the ids are what counts)."""

    def needs_analysis(self) -> bool:
        return bool(self.flags or self.without_flags or self.clusters or self.kinds)


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


def rows_from_analysis(analysis: Analysis, deleted=(), flags: list[list[str]] | None = None,
                       kinds: list[str] | None = None) -> list[dict]:
    """The per-record rows `select` and the rebalancing read, built from a live `Analysis` (no files).

    One dict per record, in id order, with the keys of an `analyze` folder's records.jsonl that curation reads:
    `id`, `cluster` (int, -1 for noise), `kind` (None when unassigned), `flags` (list) and `near_duplicate_of`.
    Records in `deleted` (ids the session deleted) also get `deleted: True`, and `select` leaves them out like
    the session's own deleted records. The analysis must cover the dataset being exported (same record count).
    `flags`: the flags as they are now (the app's `LiveAnalysis.flags`, edited records re-checked) instead of the
    analysed ones; `kinds`: the kinds as they are now (the user's where they set one).
    """
    gone = set(deleted)
    rows = []
    for i, (cluster, kind, flags) in enumerate(zip(analysis.clusters, kinds or analysis.kinds,
                                                   flags or analysis.flags)):
        row = {"id": i, "cluster": int(cluster), "kind": None if kind == taxonomy.UNASSIGNED else kind,
               "flags": list(flags), "near_duplicate_of": analysis.duplicate_of[i]}
        if i in gone:
            row["deleted"] = True
        rows.append(row)
    return rows


def select(dataset: Dataset, state: CurationState, sel: Selection, rows: list[dict] | None) -> list[int]:
    """Record ids that pass every filter, in id order."""
    if sel.needs_analysis() and rows is None:
        raise DatasetError("--flag, --cluster and --kind filters need an analysis: run `sft-explorer analyze` and "
                           "pass its folder with --analysis")
    if rows is not None and len(rows) != len(dataset):
        raise DatasetError(f"the analysis has {len(rows)} records but the dataset has {len(dataset)}; "
                           "analyze this dataset again")
    wanted_ids = set(sel.ids) if sel.ids is not None else None
    kept = []
    for rid in range(len(dataset)):
        deleted = rid in state.deleted or (rows is not None and rows[rid].get("deleted"))
        if deleted and not sel.include_deleted:
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
            if sel.kinds and kind_key(row) not in sel.kinds:
                continue
        kept.append(rid)
    return kept


def recheck_edited(rows: list[dict], dataset: Dataset, state: CurationState, max_tokens: int | None = None
                   ) -> list[dict]:
    """Rows of an `analyze` folder with the flags of records the session edited checked again (their text is not
    what was analysed); duplicate flags, which need the whole dataset, are kept as analysed."""
    from explorer.core import formats
    from explorer.core.analysis.checks import CheckParams
    from explorer.core.analysis.live import recheck

    params = CheckParams() if max_tokens is None else CheckParams(max_tokens=max_tokens)
    out = list(rows)
    for rid, obj in state.objects.items():
        if 0 <= rid < len(out):
            record = formats.to_record(dataset.format_of(rid), obj, rid, dataset.mapping)
            kept = [f for f in out[rid].get("flags", []) if f in ("duplicate", "near_duplicate")]
            out[rid] = dict(out[rid], flags=recheck(record, params)[0] + kept)
    return out


def backup_path(source: str | Path) -> Path:
    """Where the original is kept when an export replaces the source file."""
    return Path(f"{source}.bak")


def rebalance(ids: list[int], rows: list[dict] | None, rb: Rebalance) -> list[int]:
    """The ids the caps keep, gap kinds and target shares protected (see `rebalancing`)."""
    return plan_rebalance(ids, rows, rb).kept


@dataclass
class ExportPlan:
    """What an export would write, computed without writing anything."""
    records: int
    """Records in the dataset."""
    deleted_in_session: int
    rebalance: RebalancePlan
    """`before` = the selected ids, `kept` = the ids to write; per-kind/per-cluster counts; protections."""
    per_kind_in: dict[str, int] = field(default_factory=dict)
    per_cluster_in: dict[str, int] = field(default_factory=dict)

    @property
    def selected(self) -> list[int]:
        return self.rebalance.before

    @property
    def kept(self) -> list[int]:
        return self.rebalance.kept

    @property
    def dropped(self) -> int:
        return self.rebalance.dropped

    def protected_lines(self) -> list[str]:
        return [f"protected: {p.text()}" for p in self.rebalance.protected]


def plan_export(dataset: Dataset, state: CurationState, sel: Selection, rb: Rebalance,
                rows: list[dict] | None) -> ExportPlan:
    """Select and rebalance without writing: before/after counts per kind and per cluster, protections, drops."""
    selected = select(dataset, state, sel, rows)
    everyone = list(range(len(dataset)))
    return ExportPlan(len(dataset), len(state.deleted), plan_rebalance(selected, rows, rb),
                      counts(everyone, rows, kind_key), counts(everyone, rows, cluster_key))


GROUP_NOTES = {
    "per_cluster": f"cluster ids as strings; '{NOISE}' = cluster -1 (in no cluster; never capped)",
    "per_kind": f"task kind ids; '{taxonomy.UNASSIGNED}' = no kind",
    "in": "every record of the source", "before": "the selected records, before rebalancing",
    "out": "the records written",
    "ids": "output.ids: the source record ids written, in output order, as [start, stop) ranges (valid while the "
           "output's sha256 is output.sha256)",
    "protected": "kinds a cap would have cut below their floor (a gap keeps all its records, any other kind its "
                 "target share of the output), with what the caps alone would have kept",
}


def id_ranges(ids) -> list[list[int]]:
    """Sorted ids as [start, stop) ranges (compact in a manifest: a curated file keeps long runs)."""
    out: list[list[int]] = []
    for i in sorted(int(x) for x in ids):
        if out and out[-1][1] == i:
            out[-1][1] = i + 1
        else:
            out.append([i, i + 1])
    return out


def curated_export(dataset: Dataset, state: CurationState, out: str | Path, to: str | None, sel: Selection,
                   rb: Rebalance, rows: list[dict] | None, edit_count: int, progress=None, cancel=None,
                   plan: ExportPlan | None = None, overwrite_source: bool = False) -> ExportResult:
    """Export the session's view of the dataset, filtered and rebalanced, plus OUT.manifest.json.

    `plan`: the `plan_export` result for these same arguments, when the caller already has it (not recomputed).
    `overwrite_source`: the user asked explicitly to replace the source file (refused otherwise).
    """
    plan = plan or plan_export(dataset, state, sel, rb, rows)
    selected, kept = plan.selected, plan.kept
    keep = set(kept)
    exclude = [rid for rid in range(len(dataset)) if rid not in keep]
    replacements = {rid: obj for rid, obj in state.objects.items() if rid in keep}
    if overwrite_source and Path(out).resolve() == Path(dataset.path).resolve():
        shutil.copy2(dataset.path, backup_path(dataset.path))  # the original stays one rename away
    whole = sum(1 for rid in keep if rid not in state.deleted) == len(dataset) - len(state.deleted)
    result = export(dataset, out, to, replacements=replacements, exclude=exclude, overwrite_source=overwrite_source,
                    records_only=not whole, progress=progress, cancel=cancel)
    manifest = {
        "source": {"path": str(Path(dataset.path).resolve()), "sha256": source_fingerprint(dataset.path),
                   "format": dataset.format, "container": dataset.container, "records": len(dataset)},
        "session_edits": edit_count,
        "output": {"path": str(out), "format": result.format, "container": result.container,
                   "records": result.written, "skipped": [{"id": i, "reason": r} for i, r in result.skipped],
                   "ids": id_ranges(keep - {i for i, _ in result.skipped}),
                   "sha256": source_fingerprint(out)},
        "selection": asdict(sel), "view_filter": sel.view_filter,
        "rebalance": {**asdict(rb), "taxonomy_path": str(taxonomy.in_effect(rb.taxonomy_path))
                      if rb.needs_analysis() else rb.taxonomy_path},  # which file the kinds' targets came from
        "counts": {"in": len(dataset), "deleted_in_session": len(state.deleted), "selected": len(selected),
                   "out": len(kept)},
        "per_cluster": {"in": plan.per_cluster_in, "before": counts(selected, rows, cluster_key),
                        "out": counts(kept, rows, cluster_key)},
        "per_kind": {"in": plan.per_kind_in, "before": counts(selected, rows, kind_key),
                     "out": counts(kept, rows, kind_key)},
        "protected": [asdict(p) for p in plan.rebalance.protected],
        "notes": GROUP_NOTES,
    }
    atomic.write_chunks(f"{out}.manifest.json", [json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")])
    return result
