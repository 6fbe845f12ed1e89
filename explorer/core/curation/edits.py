"""Edits: small values that apply to a curation state and return their own inverse (DESIGN idiom 1)."""

from __future__ import annotations

from dataclasses import dataclass, field

from explorer.core.curation import fields
from explorer.core.curation.fields import EditError
from explorer.core.dataset import Dataset


@dataclass
class CurationState:
    """What the edits have changed, on top of the untouched source dataset."""

    objects: dict[int, dict] = field(default_factory=dict)
    """Record id → its edited source object (absent: as in the source file)."""
    deleted: set[int] = field(default_factory=set)
    tags: dict[int, set[str]] = field(default_factory=dict)
    cluster_names: dict[int, str] = field(default_factory=dict)
    kinds: dict[int, str] = field(default_factory=dict)
    """Record id → the task kind the user gave it (absent: the predicted one)."""
    changed_at: dict[int, int] = field(default_factory=dict)
    """Record id → journal sequence number of its last change (per-record history lives in the journal)."""

    def object(self, dataset: Dataset, rid: int) -> dict:
        """The record's current source object (edited, or as in the source)."""
        obj = self.objects.get(rid)
        return obj if obj is not None else dataset.source_object(rid)

    def tag_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for tags in self.tags.values():
            for t in tags:
                counts[t] = counts.get(t, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


class Edit:
    op = ""

    def apply(self, state: CurationState, dataset: Dataset) -> "Edit":
        """Change `state`; return the edit that undoes this one. Raise EditError (state untouched) if it cannot."""
        raise NotImplementedError

    def ids(self) -> list[int]:
        """Records this edit touches (for content hashes and per-record history)."""
        return []

    @property
    def label(self) -> str:
        return self.op

    def to_json(self) -> dict:
        return {"op": self.op, **{k: (sorted(v) if isinstance(v, (set, frozenset)) else v)
                                  for k, v in self.__dict__.items()}}


def _check_ids(dataset: Dataset, ids) -> None:
    bad = [i for i in ids if not (isinstance(i, int) and 0 <= i < len(dataset))]
    if bad:
        raise EditError(f"no record with id {bad[0]} (the dataset has ids 0–{len(dataset) - 1})")


def _plural(n: int) -> str:
    return f"{n} record" + ("" if n == 1 else "s")


@dataclass(frozen=True)
class Replace(Edit):
    """Set a record's whole source object (None: back to the source). The inverse of content edits."""

    id: int
    object: dict | None
    op = "replace"

    def apply(self, state, dataset):
        _check_ids(dataset, [self.id])
        before = state.objects.get(self.id)
        if self.object is None:
            state.objects.pop(self.id, None)
        else:
            state.objects[self.id] = self.object
        return Replace(self.id, before)

    def ids(self):
        return [self.id]

    @property
    def label(self):
        return f"change record {self.id}"


@dataclass(frozen=True)
class _ContentEdit(Edit):
    """An edit computed from the record's current object by a function of fields.py."""

    def new_object(self, fmt: str, obj: dict, mapping=None) -> dict:
        """The changed object; `mapping`: the dataset's column mapping (where a mapped record's fields live)."""
        raise NotImplementedError

    def apply(self, state, dataset):
        rid = self.id  # type: ignore[attr-defined]
        _check_ids(dataset, [rid])
        fmt = dataset.format_of(rid)
        if rid in dataset.threads:
            raise EditError("OASST threads cannot be edited yet")
        new = self.new_object(fmt, state.object(dataset, rid), dataset.mapping)
        return Replace(rid, new).apply(state, dataset)

    def ids(self):
        return [self.id]  # type: ignore[attr-defined]


@dataclass(frozen=True)
class SetField(_ContentEdit):
    id: int
    field: str
    value: str
    op = "set"

    def new_object(self, fmt, obj, mapping=None):
        return fields.set_field(fmt, obj, self.field, self.value, mapping)

    @property
    def label(self):
        return f"edit {self.field} of record {self.id}"


@dataclass(frozen=True)
class SetTurn(_ContentEdit):
    id: int
    turn: int
    value: str
    op = "set"

    def new_object(self, fmt, obj, mapping=None):
        return fields.set_turn(fmt, obj, self.turn, self.value, mapping)

    @property
    def label(self):
        return f"edit turn {self.turn} of record {self.id}"


@dataclass(frozen=True)
class InsertTurn(_ContentEdit):
    id: int
    index: int
    role: str
    content: str
    op = "insert_turn"

    def new_object(self, fmt, obj, mapping=None):
        return fields.insert_turn(fmt, obj, self.index, self.role, self.content, mapping)

    @property
    def label(self):
        return f"add a turn to record {self.id}"


@dataclass(frozen=True)
class RemoveTurn(_ContentEdit):
    id: int
    index: int
    op = "remove_turn"

    def new_object(self, fmt, obj, mapping=None):
        return fields.remove_turn(fmt, obj, self.index, mapping)

    @property
    def label(self):
        return f"remove turn {self.index} of record {self.id}"


@dataclass(frozen=True)
class MoveTurn(_ContentEdit):
    id: int
    index: int
    to: int
    op = "move_turn"

    def new_object(self, fmt, obj, mapping=None):
        return fields.move_turn(fmt, obj, self.index, self.to, mapping)

    @property
    def label(self):
        return f"move a turn of record {self.id}"


class _IdsEdit(Edit):
    """An edit over a list of record ids (`ids_`, since `ids()` is the method every edit has). A repeated id is
    kept once: applied twice, an edit's inverse would undo it wrongly (a tag removed twice, a kind restored to
    the kind this edit set)."""

    def __post_init__(self):
        object.__setattr__(self, "ids_", tuple(dict.fromkeys(self.ids_)))  # type: ignore[attr-defined]

    def ids(self):
        return list(self.ids_)  # type: ignore[attr-defined]

    def to_json(self):
        out = {"op": self.op, "ids": list(self.ids_)}  # type: ignore[attr-defined]
        if hasattr(self, "tag"):
            out["tag"] = self.tag  # type: ignore[attr-defined]
        return out


@dataclass(frozen=True)
class Tag(_IdsEdit):
    ids_: tuple[int, ...]
    tag: str
    op = "tag"

    def apply(self, state, dataset):
        _check_ids(dataset, self.ids_)
        if not self.tag.strip():
            raise EditError("a tag cannot be empty")
        added = [i for i in self.ids_ if self.tag not in state.tags.get(i, ())]
        for i in added:
            state.tags.setdefault(i, set()).add(self.tag)
        return Untag(tuple(added), self.tag)

    @property
    def label(self):
        return f"tag {_plural(len(self.ids_))} '{self.tag}'"


@dataclass(frozen=True)
class Untag(_IdsEdit):
    ids_: tuple[int, ...]
    tag: str
    op = "untag"

    def apply(self, state, dataset):
        _check_ids(dataset, self.ids_)
        removed = [i for i in self.ids_ if self.tag in state.tags.get(i, ())]
        for i in removed:
            state.tags[i].discard(self.tag)
            if not state.tags[i]:
                del state.tags[i]
        return Tag(tuple(removed), self.tag)

    @property
    def label(self):
        return f"untag {_plural(len(self.ids_))} '{self.tag}'"


@dataclass(frozen=True)
class Delete(_IdsEdit):
    ids_: tuple[int, ...]
    op = "delete"

    def apply(self, state, dataset):
        _check_ids(dataset, self.ids_)
        newly = [i for i in self.ids_ if i not in state.deleted]
        state.deleted.update(newly)
        return Restore(tuple(newly))

    @property
    def label(self):
        return f"delete {_plural(len(self.ids_))}"


@dataclass(frozen=True)
class Restore(_IdsEdit):
    ids_: tuple[int, ...]
    op = "restore"

    def apply(self, state, dataset):
        _check_ids(dataset, self.ids_)
        back = [i for i in self.ids_ if i in state.deleted]
        state.deleted.difference_update(back)
        return Delete(tuple(back))

    @property
    def label(self):
        return f"restore {_plural(len(self.ids_))}"


@dataclass(frozen=True)
class SetKind(_IdsEdit):
    """Say which task kind records are (None: back to the predicted kind). The inverse restores each record's own
    previous kind, so it may be a Batch of several."""

    ids_: tuple[int, ...]
    kind: str | None
    op = "kind"

    def apply(self, state, dataset):
        _check_ids(dataset, self.ids_)
        before: dict[str | None, list[int]] = {}
        for i in self.ids_:
            before.setdefault(state.kinds.get(i), []).append(i)
            if self.kind:
                state.kinds[i] = self.kind
            else:
                state.kinds.pop(i, None)
        undo = tuple(SetKind(tuple(ids), kind) for kind, ids in before.items())
        return undo[0] if len(undo) == 1 else Batch(undo, self.label)

    def to_json(self):
        return {"op": self.op, "ids": list(self.ids_), "kind": self.kind}

    @property
    def label(self):
        return f"set kind of {_plural(len(self.ids_))} to {self.kind or 'predicted'}"


@dataclass(frozen=True)
class RenameCluster(Edit):
    cluster: int
    name: str | None
    op = "rename_cluster"

    def apply(self, state, dataset):
        before = state.cluster_names.get(self.cluster)
        if self.name:
            state.cluster_names[self.cluster] = self.name
        else:
            state.cluster_names.pop(self.cluster, None)
        return RenameCluster(self.cluster, before)

    @property
    def label(self):
        return f"rename cluster {self.cluster}"


@dataclass(frozen=True)
class Batch(Edit):
    """Several edits as one undo step ("delete cluster 4", "keep one, delete the others")."""

    edits: tuple[Edit, ...]
    name: str = ""
    op = "batch"

    def apply(self, state, dataset):
        inverses: list[Edit] = []
        try:
            for e in self.edits:
                inverses.append(e.apply(state, dataset))
        except EditError:
            for inv in reversed(inverses):  # all or nothing
                inv.apply(state, dataset)
            raise
        return Batch(tuple(reversed(inverses)), f"undo {self.label}")

    def ids(self):
        return sorted({i for e in self.edits for i in e.ids()})

    @property
    def label(self):
        return self.name or f"{len(self.edits)} edits"

    def to_json(self):
        return {"op": self.op, "name": self.name, "edits": [e.to_json() for e in self.edits]}


def kinds_named(edit: Edit) -> set[str]:
    """The task kinds an edit sets records to (through batches too)."""
    if isinstance(edit, Batch):
        return {k for e in edit.edits for k in kinds_named(e)}
    return {edit.kind} if isinstance(edit, SetKind) and edit.kind else set()


def edit_from_json(obj: object) -> Edit:
    """Read an edit from its JSON form (the journal's, or a hand-written recipe line)."""
    from explorer.core.curation.edit_json import read_edit

    return read_edit(obj)
