"""The open dataset and everything done to it: session (edits), analysis, live counts, selection, filter.

A `Workspace` is Qt-free. Long work (loading, analysing, searching, placing, exporting) is handed out as jobs —
functions `job(progress, cancel)` — that the caller runs where it likes (a thread in the app, inline in the CLI
and in tests) and whose results go back through the matching `*_done` method. Every change is announced by a
plain event; the Qt layer turns events into signals and widgets subscribe to the ones they need.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from explorer.app.events import Event
from explorer.app.results import Balance, ClusterCentre, KindCoverage
from explorer.app.workspace_compare import WorkspaceCompare
from explorer.app.workspace_jobs import Job, WorkspaceJobs
from explorer.core import formats, tokens
from explorer.core.analysis import vectors_folder
from explorer.core.analysis.near_duplicates import near_duplicate_groups
from explorer.core.analysis.facets import FacetIndex, Filter, metadata_columns
from explorer.core.analysis.labels import carry_renames
from explorer.core.analysis.live import LiveAnalysis
from explorer.core.analysis.pipeline import Analysis, AnalysisParams
from explorer.core.curation import edits as E
from explorer.core.curation.session import Session, source_fingerprint
from explorer.core.dataset import Dataset, load
from explorer.core.errors import DatasetError
from explorer.core.formats import ColumnMapping
from explorer.core.record import Record
from explorer.core.settings import load_eval_sets

DUPLICATE_THRESHOLD = 0.95
"""The duplicates panel's first cosine threshold: its groups are made with the analysis, off the window's thread."""


@dataclass
class PreparedAnalysis:
    """An analysis and what the window makes from it, built in the analysis job's thread: at a million records
    these take seconds the window must not wait for."""

    analysis: Analysis
    live: LiveAnalysis
    centres: list[ClusterCentre]
    duplicate_roots: dict[float, np.ndarray]
    """Near-duplicate group root per record, by cosine threshold (more are added as the user asks)."""


def _groups(analysis: Analysis, threshold: float, cancel=None) -> np.ndarray:
    """Near-duplicate roots at `threshold`, on the analysis' neighbour graph and the instructions' own wording."""
    own = analysis.own_wording
    alike = None if own is None else own.checker(analysis.texts.field(analysis.params.embed_field), cancel)
    return near_duplicate_groups(analysis.neighbors, analysis.vectors, threshold, alike)


def prepare(analysis: Analysis) -> PreparedAnalysis:
    """The live counts (before any edit), the clusters' centres and the first near-duplicate groups."""
    roots: dict[float, np.ndarray] = {}
    if analysis.neighbors is not None:
        if analysis.near_roots is not None:  # the analysis' own threshold: grouped already
            roots[round(analysis.params.near_duplicate_threshold, 4)] = analysis.near_roots
        if DUPLICATE_THRESHOLD not in roots:
            roots[DUPLICATE_THRESHOLD] = _groups(analysis, DUPLICATE_THRESHOLD)
    return PreparedAnalysis(analysis, LiveAnalysis(analysis), _centres_of_clusters(analysis), roots)


@dataclass
class Loaded:
    dataset: Dataset
    columns: dict
    """Categorical metadata columns (facets.metadata_columns)."""
    fingerprint: str | None = None
    """The source file's hash, taken by the load job (hashing a big file on the GUI thread would stall it)."""


class Workspace(WorkspaceJobs, WorkspaceCompare):
    def __init__(self, pipeline_factory: Callable[[Dataset], object], params: AnalysisParams = AnalysisParams()):
        """`pipeline_factory(dataset)` makes the analysis pipeline (in-process or in a helper process)."""
        self.pipeline_factory = pipeline_factory
        self.params = params
        self.dataset: Dataset | None = None
        self.session: Session | None = None
        self.pipeline = None
        self.analysis: Analysis | None = None
        self.live: LiveAnalysis | None = None
        """The analysis as the records stand now (deleted left out, edited re-checked): what every count shows."""
        self.columns: dict = {}
        self.filter = Filter()
        self.filter_mask: np.ndarray | None = None
        """Records inside the filter (None: no filter); every count is taken within it."""
        self.selection = np.zeros(0, dtype=np.int64)
        self.current: int | None = None
        self.keep_deleted_selected = False
        """When deleted records are shown (greyed), they may stay selected, so they can be restored."""
        self.can_leave_current: Callable[[], bool] = lambda: True
        """Asked before the current record changes; False keeps it (e.g. unapplied text and the user cancels)."""
        self._centres: list[ClusterCentre] = []
        self._duplicate_roots: dict[float, np.ndarray] = {}
        self.opened, self.closed = Event("opened"), Event("closed")
        self.analysis_changed = Event("analysis_changed")
        self.records_changed = Event("records_changed")
        """Ids whose content, tags or deletion changed (after an edit, undo or redo)."""
        self.history_changed = Event("history_changed")
        self.positions_changed = Event("positions_changed")
        self.selection_changed, self.current_changed = Event("selection_changed"), Event("current_changed")
        self.filter_changed = Event("filter_changed")
        self.kinds_taught = Event("kinds_taught")
        """The user set task kinds; re-running the analysis re-predicts the others from them (kinds stage only)."""
        self._taught: dict[int, str] = {}
        self.comparison = None
        """The comparison with another version (`compare_job`), None when there is none."""
        self.comparison_changed = Event("comparison_changed")
        saved = load_eval_sets()
        self.eval_paths: list[str] = [p for p in saved if Path(p).exists()]
        """Eval files looked for in the records (Preferences → Eval sets…); missing files are skipped."""
        self.missing_eval_paths: list[str] = [p for p in saved if p not in self.eval_paths]
        """Saved eval files not found now (the window says so; they stay in the settings until changed there)."""
        self.vectors_folder: Path | None = None
        """Where the records' vectors come from instead of embedding (`use_vectors_folder`), or None."""
        self.vectors_problem: str | None = None
        """Why a vectors folder beside the file was not used (the window says so)."""

    # -- opening, analysing, closing ------------------------------------------------------------------
    @staticmethod
    def load_job(path: str | Path, mapping: ColumnMapping | None = None) -> Job:
        def job(progress, cancel) -> Loaded:
            dataset = load(path, mapping=mapping, progress=progress, cancel=cancel)
            tokens.encoding()  # the BPE table loads here, not on the GUI thread when the editor counts tokens
            return Loaded(dataset, metadata_columns(dataset.source_object(i) for i in range(len(dataset))),
                          source_fingerprint(dataset.path))
        return job

    def load_done(self, loaded: Loaded) -> None:
        """Open the loaded dataset with its session (raises DatasetError when the session cannot be opened)."""
        self.close()
        self.session = Session(loaded.dataset, fingerprint=loaded.fingerprint)
        self.dataset, self.columns = loaded.dataset, loaded.columns
        self.pipeline = self.pipeline_factory(loaded.dataset)
        self._taught = dict(self.session.state.kinds)
        if self._taught and self.pipeline is not None:
            self.pipeline.set_user_examples(*self.user_examples())
        if self.eval_paths and self.pipeline is not None:
            self.pipeline.set_eval_sets(self.eval_paths)
        self.vectors_folder, self.vectors_problem = None, None
        found = vectors_folder.beside(loaded.dataset.path)
        if found is not None:
            try:
                self.use_vectors_folder(found)
            except DatasetError as e:  # made for another version of the file: embed as usual, and say why
                self.vectors_problem = str(e)
        self.opened.emit()

    def use_vectors_folder(self, folder: str | Path | None) -> None:
        """Take the records' vectors from a vectors folder (`sft-explorer embed`) instead of embedding them; None
        embeds again. The folder is checked against the dataset now (its count); its parts when the analysis reads
        them."""
        if folder is not None:
            info = vectors_folder.read_info(folder)
            if self.dataset is not None and info.count != len(self.dataset):
                raise DatasetError(f"{folder}: {info.count:,} vectors for {len(self.dataset):,} records (made for "
                                   "another version of the file?)")
        self.vectors_folder = Path(folder) if folder is not None else None
        self.vectors_problem = None
        if self.pipeline is not None:
            self.pipeline.set_vectors_folder(self.vectors_folder)

    def needs_mapping(self) -> bool:
        """No record fits a known format: analysing would embed empty strings, so a column mapping comes first."""
        ds = self.dataset
        return ds is not None and ds.mapping is None and len(ds) > 0 and \
            ds.format_counts() == {formats.UNKNOWN: len(ds)}

    def analysis_job(self, params: AnalysisParams | None = None) -> Job | None:
        if self.pipeline is None or self.needs_mapping():
            return None
        self.params = params or self.params
        pipeline, p = self.pipeline, self.params
        return lambda progress, cancel: prepare(pipeline.run(p, progress, cancel))

    def analysis_done(self, result: PreparedAnalysis | Analysis) -> None:
        """Show a finished analysis; edits made while it ran are applied to its live counts here."""
        prepared = result if isinstance(result, PreparedAnalysis) else prepare(result)
        previous, self.analysis = self.analysis, prepared.analysis
        self.live, self._centres, self._duplicate_roots = prepared.live, prepared.centres, prepared.duplicate_roots
        state = self.session.state
        self.live.update(set(state.deleted) | set(state.objects) | set(state.kinds), state.deleted,
                         self._edited_record, state.kinds.get)
        self.filter_mask = None if self.filter.is_empty() else self.facet_index().mask(self.filter)
        self._carry_cluster_names(previous)
        if previous is not None:
            self.close_comparison()  # B was placed on, and its kinds counted against, the previous analysis
        self.analysis_changed.emit()

    def _carry_cluster_names(self, previous: Analysis | None) -> None:
        """After re-clustering, user-given cluster names follow the clusters that clearly persist (one undo step,
        which keeps what the user can redo)."""
        names = self.session.state.cluster_names
        if previous is None or not names or np.array_equal(previous.clusters, self.analysis.clusters):
            return
        old_members = {c: set(np.flatnonzero(previous.clusters == c).tolist()) for c in names}
        carried = carry_renames(old_members, names, self.analysis.clusters)
        edits = [E.RenameCluster(c, None) for c in names if c not in carried]
        edits += [E.RenameCluster(c, name) for c, name in carried.items() if names.get(c) != name]
        if edits:
            carry = E.Batch(tuple(edits), "carry cluster names to the new clusters")
            self.session.apply(carry, by_user=False)
            self._changed(carry)

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
        if hasattr(self.pipeline, "close"):
            self.pipeline.close()
        had = self.dataset is not None
        self.close_comparison()
        self.dataset = self.session = self.pipeline = self.analysis = self.live = self.filter_mask = None
        self.columns, self.filter, self._centres, self._duplicate_roots = {}, Filter(), [], {}
        if had:
            self.selection, self.current = np.zeros(0, dtype=np.int64), None
            self.closed.emit()

    # -- reading --------------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.dataset) if self.dataset is not None else 0

    def record(self, rid: int) -> Record:
        """The record as the user sees it: with the session's edits."""
        obj = self.session.state.objects.get(rid)
        if obj is None:
            return self.dataset.record(rid)
        return formats.to_record(self.dataset.format_of(rid), obj, rid, self.dataset.mapping)

    def text(self, rid: int, field: str) -> str:
        if self.session is not None and rid in self.session.state.objects:
            return getattr(self.record(rid), field)
        if self.analysis is not None:
            return getattr(self.analysis.texts, field)[rid]
        return getattr(self.record(rid), field)

    def duplicate_roots(self, threshold: float) -> np.ndarray | None:
        """Each record's near-duplicate group root at this cosine threshold (itself when alone); None before an
        analysis with a neighbour graph."""
        if self.analysis is None or self.analysis.neighbors is None:
            return None
        threshold = round(threshold, 4)
        if threshold not in self._duplicate_roots:
            self._duplicate_roots[threshold] = _groups(self.analysis, threshold)
        return self._duplicate_roots[threshold]

    def grouped_duplicates(self, threshold: float) -> np.ndarray | None:
        """`duplicate_roots` if they are made already at this threshold, else None (the window asks for a
        `duplicates_job`: on a big templated file a low threshold takes seconds)."""
        return self._duplicate_roots.get(round(threshold, 4)) if self.analysis is not None else None

    def duplicates_job(self, threshold: float):
        """A job grouping near-duplicates at `threshold`; None when there is nothing to group or it is done."""
        analysis, threshold = self.analysis, round(threshold, 4)
        if analysis is None or analysis.neighbors is None or threshold in self._duplicate_roots:
            return None
        return lambda progress, cancel: (analysis, threshold, _groups(analysis, threshold, cancel))

    def duplicates_done(self, result) -> bool:
        """Keep a `duplicates_job`'s groups, unless another analysis came meanwhile."""
        analysis, threshold, roots = result
        if analysis is not self.analysis:
            return False
        self._duplicate_roots[threshold] = roots
        return True

    def is_deleted(self, rid: int) -> bool:
        return self.session is not None and rid in self.session.state.deleted

    def tags(self, rid: int) -> set[str]:
        return self.session.state.tags.get(rid, set()) if self.session else set()

    def cluster_name(self, cluster: int) -> str:
        if self.session is not None and cluster in self.session.state.cluster_names:
            return self.session.state.cluster_names[cluster]
        return self.analysis.cluster_label(cluster) if self.analysis else ""

    def balance(self) -> Balance:
        return Balance.from_dict(self.live.balance(self.filter_mask))

    def coverage(self) -> list[KindCoverage]:
        return [KindCoverage.from_dict(r) for r in self.live.coverage(self.filter_mask)]

    def kind_ids(self, kind: str, unsure_only: bool = False) -> np.ndarray:
        """Records of a task kind inside the filter (only those whose predicted kind is uncertain, with
        `unsure_only`)."""
        return self.live.kind_ids(kind, self.filter_mask, unsure_only)

    def cluster_centres(self) -> list[ClusterCentre]:
        """Median position and size of each cluster, largest first (computed once per analysis)."""
        return self._centres

    def facet_index(self) -> FacetIndex | None:
        if self.live is None:
            return None
        return FacetIndex(self.live, self.session.state.tags, self.columns)

    # -- changing -------------------------------------------------------------------------------------
    def apply(self, edit: E.Edit) -> None:
        """Commit an edit durably (raises DatasetError, and nothing changed, when it cannot be applied)."""
        self.session.apply(edit)
        self._changed(edit)

    def undo(self) -> None:
        if self.session is not None:
            edit = self.session.undo()
            if edit is not None:
                self._sync_added_kinds(edit)
                self._changed(edit)

    def redo(self) -> None:
        if self.session is not None:
            edit = self.session.redo()
            if edit is not None:
                self._sync_added_kinds(edit)
                self._changed(edit)

    def _sync_added_kinds(self, edit: E.Edit) -> None:
        """A kind added from a selection lives while records are set to it: undoing its creation takes it out of
        the user's taxonomy again (no empty kind left as a gap), redoing puts it back as it was taken out. Only the
        kinds this dataset added that the undone or redone edit names are looked at, and a kind stays while another
        dataset's session has set records to it."""
        from explorer.core.analysis import taxonomy
        from explorer.core.curation.session import sessions_that_set_kind

        added = self.session.added_kinds()
        named = E.kinds_named(edit) & set(added)
        if not named:
            return
        used = set(self.session.state.kinds.values())
        present = {k.id for k in taxonomy.load_taxonomy(self.params.taxonomy_path).kinds}
        for kind in sorted(named):
            if kind in used and kind not in present:
                path = taxonomy.restore_kind(self.params.taxonomy_path, added[kind])
            elif kind not in used and kind in present and not sessions_that_set_kind(kind, self.session.path):
                path, entry = taxonomy.remove_kind(self.params.taxonomy_path, kind)
                if entry is not None:
                    self.session.remember_added_kind(entry)  # a redo brings back the target set since
            else:
                continue
            self._use_taxonomy(path)

    def _use_taxonomy(self, path) -> None:
        """Analyse with the user's taxonomy copy just written at `path`, now and after a restart."""
        from explorer.core.settings import remember_taxonomy

        self.params = dataclasses.replace(self.params, taxonomy_path=str(path))
        remember_taxonomy(str(path))

    def _edited_record(self, rid: int) -> Record | None:
        return self.record(rid) if rid in self.session.state.objects else None

    def _changed(self, edit: E.Edit) -> None:
        ids = edit.ids()
        state = self.session.state
        if self.live is not None:
            self.live.update(ids, state.deleted, self._edited_record, state.kinds.get)
        if state.kinds != self._taught and self.pipeline is not None:  # user-set kinds teach similar records
            self._taught = dict(state.kinds)
            self.pipeline.set_user_examples(*self.user_examples())
            self.kinds_taught.emit()
        if self.filter_mask is not None:
            self.filter_mask = self.facet_index().mask(self.filter)  # flags, tags or tokens may have moved
        if len(self.selection):
            self.select(self.selection)  # deleted ids, and ids the edit moved out of the filter, drop out
        self.records_changed.emit(ids)
        self.history_changed.emit()

    def user_examples(self) -> tuple[list[str], list[str]]:
        """(instruction texts, kinds) of the records the user gave a kind: examples for the kinds stage."""
        kinds = self.session.state.kinds
        ids = sorted(i for i in kinds if i not in self.session.state.deleted)
        return [self.text(i, "instruction") for i in ids], [kinds[i] for i in ids]

    def edited_ids(self, ids: Iterable[int]) -> list[int]:
        """Those of `ids` whose content the session changed."""
        return [i for i in ids if self.session is not None and i in self.session.state.objects]

    # -- selection and filter -------------------------------------------------------------------------
    def select(self, ids, mode: str = "replace") -> None:
        """Replace, add to (`add`) or subtract from (`subtract`) the selection. Only records the user can see are
        selected: inside the filter, and not deleted unless deleted records are shown (so no action reaches a record
        the user cannot see, whatever picked it: a search, a panel, select-all)."""
        ids = np.unique(np.asarray(list(ids) if not isinstance(ids, np.ndarray) else ids, dtype=np.int64))
        if mode == "add":
            ids = np.union1d(self.selection, ids)
        elif mode == "subtract":
            ids = np.setdiff1d(self.selection, ids)
        ids = self.visible(ids)
        if not np.array_equal(ids, self.selection):
            self.selection = ids
            self.selection_changed.emit()

    def set_current(self, rid: int | None) -> None:
        if rid is not None and rid < 0:
            rid = None
        if rid != self.current and self.can_leave_current():
            self.current = rid
            self.current_changed.emit(rid)

    def set_filter(self, flt: Filter) -> None:
        """Show only the records inside `flt`; selected records outside it leave the selection (so no action
        reaches a record the user cannot see)."""
        self.filter = flt
        index = self.facet_index()
        self.filter_mask = None if index is None or flt.is_empty() else index.mask(flt)
        if len(self.selection):
            self.select(self.selection)
        self.filter_changed.emit()

    def visible(self, ids: np.ndarray) -> np.ndarray:
        """Those of `ids` inside the filter, and not deleted unless deleted records are shown."""
        ids = ids[(ids >= 0) & (ids < len(self))]
        if self.filter_mask is not None:
            ids = ids[self.filter_mask[ids]]
        deleted = self.session.state.deleted if self.session is not None else ()
        if deleted and not self.keep_deleted_selected:
            ids = ids[~np.isin(ids, np.fromiter(deleted, dtype=np.int64, count=len(deleted)))]
        return ids

    def shown_ids(self) -> np.ndarray:
        """The selection, else the filtered view, else every record (what the table lists)."""
        if len(self.selection):
            return self.selection
        return np.flatnonzero(self.filter_mask) if self.filter_mask is not None else np.arange(len(self))

    def set_kind_target(self, kind: str, share: float) -> None:
        """Give a task kind a target share; the taxonomy is saved as the user's own copy (re-run the analysis)."""
        from explorer.core.analysis.taxonomy import set_target

        self._use_taxonomy(set_target(self.params.taxonomy_path, kind, share))

    def add_kind_from(self, ids, name_en: str, name_zh: str, share: float) -> str:
        """A new task kind made of these records: saved in the user's taxonomy copy (their instructions are its
        examples), the records set to it with an undoable edit; the kinds are predicted again after."""
        from explorer.core.analysis.taxonomy import save_user_copy, with_new_kind

        ids = tuple(int(i) for i in ids)
        examples = [self.text(i, "instruction") for i in ids[:20]]
        data, kind = with_new_kind(self.params.taxonomy_path, name_en, name_zh, share, examples)
        edit = E.Batch((E.SetKind(ids, kind),), f"new task kind {kind} ({len(ids):,} records)")
        self.session.apply(edit)  # first: a refused edit leaves the taxonomy as it was
        try:
            path = save_user_copy(data)
        except OSError as e:
            self.session.undo()
            raise DatasetError(f"cannot save your taxonomy: {e}") from None
        self._use_taxonomy(path)
        self.session.remember_added_kind(data["kinds"][-1])
        self._changed(edit)
        return kind


def _centres_of_clusters(a: Analysis) -> list[ClusterCentre]:
    order = np.argsort(a.clusters, kind="stable")
    ids, starts, sizes = np.unique(a.clusters[order], return_index=True, return_counts=True)
    out = [ClusterCentre(c, *map(float, np.median(a.xy[order[s:s + size]], axis=0)), size)
           for c, s, size in zip(ids.tolist(), starts.tolist(), sizes.tolist()) if c >= 0]
    return sorted(out, key=lambda centre: -centre.size)
