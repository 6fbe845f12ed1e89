"""Edits from their JSON form: the session journal's lines and hand-written recipe lines."""

from __future__ import annotations

from typing import Callable

from explorer.core.curation.edits import (Batch, Delete, Edit, InsertTurn, MoveTurn, RemoveTurn, RenameCluster,
                                          Replace, Restore, SetField, SetKind, SetTurn, Tag, Untag)
from explorer.core.curation.fields import EditError


def _ids(obj: dict) -> tuple[int, ...]:
    ids = obj.get("ids")
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise EditError("'ids' must be a list of record ids (integers)")
    return tuple(ids)


def _text(obj: dict, key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str):
        raise EditError(f"'{key}' must be a string")
    return value


def _int(obj: dict, key: str) -> int:
    value = obj.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise EditError(f"'{key}' must be an integer")
    return value


def _set(obj: dict) -> Edit:
    if "turn" in obj:
        return SetTurn(_int(obj, "id"), _int(obj, "turn"), _text(obj, "value"))
    return SetField(_int(obj, "id"), _text(obj, "field"), _text(obj, "value"))


_READERS: dict[str, Callable[[dict], Edit]] = {
    "delete": lambda o: Delete(_ids(o)),
    "restore": lambda o: Restore(_ids(o)),
    "tag": lambda o: Tag(_ids(o), _text(o, "tag")),
    "untag": lambda o: Untag(_ids(o), _text(o, "tag")),
    "set": _set,
    "insert_turn": lambda o: InsertTurn(_int(o, "id"), _int(o, "index"), _text(o, "role"), _text(o, "content")),
    "remove_turn": lambda o: RemoveTurn(_int(o, "id"), _int(o, "index")),
    "move_turn": lambda o: MoveTurn(_int(o, "id"), _int(o, "index"), _int(o, "to")),
    "rename_cluster": lambda o: RenameCluster(_int(o, "cluster"), o.get("name") if isinstance(o.get("name"), str) else None),
    "replace": lambda o: Replace(_int(o, "id"), o.get("object") if isinstance(o.get("object"), dict) else None),
    "kind": lambda o: SetKind(_ids(o), o.get("kind") if isinstance(o.get("kind"), str) and o["kind"] else None),
    "batch": lambda o: Batch(tuple(read_edit(e) for e in o.get("edits", [])), str(o.get("name", ""))),
}


def read_edit(obj: object) -> Edit:
    """Read an edit from its JSON form (the journal's, or a hand-written recipe line)."""
    if not isinstance(obj, dict) or obj.get("op") not in _READERS:
        ops = ", ".join(_READERS)
        raise EditError(f"not an edit: expected an object with 'op' one of {ops}")
    return _READERS[obj["op"]](obj)
