"""Changing one field or turn of a record inside its own source format (so same-format export stays exact).

Where a field lives is the format's own description (`formats.layout_of`); nothing here knows a format."""

from __future__ import annotations

import copy

from explorer.core import formats
from explorer.core.errors import DatasetError
from explorer.core.formats import FIELDS, ColumnMapping, FieldLayout, TurnList

__all__ = ["EditError", "FIELDS", "insert_turn", "move_turn", "remove_turn", "set_field", "set_turn"]


class EditError(DatasetError):
    """An edit that cannot apply to this record (unknown id, a field its format does not have...)."""


def _layout(fmt: str, obj: dict, mapping: ColumnMapping | None) -> FieldLayout:
    layout = formats.layout_of(fmt, obj, mapping)
    if layout is None:
        raise EditError(f"{fmt} records cannot be edited field by field or turn by turn")
    return layout


def _turns(fmt: str, obj: dict, mapping: ColumnMapping | None, layout: FieldLayout | None = None
           ) -> tuple[list, TurnList]:
    """The (mutable) turn list of a conversation record and how its turns are written."""
    where = (layout or _layout(fmt, obj, mapping)).turns
    if where is None:
        raise EditError(f"{fmt} records store fields, not turns; edit instruction/input/response/system instead")
    turns = obj.get(where.key)
    if not isinstance(turns, list):
        raise EditError(f"the record's {where.key} is not a list of turns")
    return turns, where


def _role_of(turns: list, i: int, where: TurnList) -> str | None:
    if where.role is None:
        return "user" if where.only_user or i % 2 == 0 else "assistant"
    turn = turns[i]
    return where.role_of(turn.get(where.role)) if isinstance(turn, dict) else None


def _role_index(turns: list, where: TurnList, role: str, last: bool) -> int | None:
    order = range(len(turns) - 1, -1, -1) if last else range(len(turns))
    return next((i for i in order if _role_of(turns, i, where) == role), None)


def _new_turn(where: TurnList, role: str, content: str) -> object:
    if where.content is None:
        return content
    if where.role is None:
        return {where.content: content}
    return {where.role: where.tag(role), where.content: content}


def set_field(fmt: str, obj: dict, field: str, value: str, mapping: ColumnMapping | None = None) -> dict:
    """A copy of `obj` with `field` (instruction/input/response/system) set to `value`, in the format's keys."""
    if field not in FIELDS:
        raise EditError(f"unknown field {field!r}; use one of {', '.join(FIELDS)}")
    new = copy.deepcopy(obj)
    layout = _layout(fmt, new, mapping)
    key = layout.key_in(new, field)
    if key is not None:
        new[key] = value
        return new
    if layout.turns is None:
        raise EditError(f"{fmt} records have no {field} field")
    turns, where = _turns(fmt, new, mapping, layout)
    if field == "input":
        raise EditError(f"{fmt} records have no separate input; edit the instruction")
    if field == "system":
        if where.role is None:
            raise EditError(f"{fmt} records have no system prompt")
        index = _role_index(turns, where, "system", last=False)
        if index is None:
            turns.insert(0, _new_turn(where, "system", value))
            return new
    else:
        role = "user" if field == "instruction" else "assistant"
        index = _role_index(turns, where, role, last=field == "response")
        if index is None:
            raise EditError(f"the record has no {role} turn")
    _set_turn_content(turns, index, where, value)
    return new


def _set_turn_content(turns: list, index: int, where: TurnList, value: str) -> None:
    if where.content is None:
        turns[index] = value
    else:
        turns[index][where.content] = value


def set_turn(fmt: str, obj: dict, turn: int, value: str, mapping: ColumnMapping | None = None) -> dict:
    """A copy of `obj` with the content of its `turn`-th message (0-based, as stored) set to `value`."""
    new = copy.deepcopy(obj)
    turns, where = _turns(fmt, new, mapping)
    if not 0 <= turn < len(turns):
        raise EditError(f"the record has {len(turns)} turns; there is no turn {turn}")
    _set_turn_content(turns, turn, where, value)
    return new


TURN_ROLES = ("user", "assistant", "system", "tool")


def insert_turn(fmt: str, obj: dict, index: int, role: str, content: str,
                mapping: ColumnMapping | None = None) -> dict:
    """A copy of `obj` with a new message inserted at `index` (role user/assistant/system/tool)."""
    new = copy.deepcopy(obj)
    turns, where = _turns(fmt, new, mapping)
    if not 0 <= index <= len(turns):
        raise EditError(f"cannot insert at {index}: the record has {len(turns)} turns")
    if role not in TURN_ROLES:
        raise EditError(f"a turn's role is one of {', '.join(TURN_ROLES)}, not {role!r}")
    if where.only_user and role != "user":
        raise EditError(f"{fmt} records hold user turns only; cannot add a {role} turn")
    turns.insert(index, _new_turn(where, role, content))
    return new


def remove_turn(fmt: str, obj: dict, index: int, mapping: ColumnMapping | None = None) -> dict:
    new = copy.deepcopy(obj)
    turns, _ = _turns(fmt, new, mapping)
    if not 0 <= index < len(turns):
        raise EditError(f"the record has {len(turns)} turns; there is no turn {index}")
    del turns[index]
    return new


def move_turn(fmt: str, obj: dict, index: int, to: int, mapping: ColumnMapping | None = None) -> dict:
    new = copy.deepcopy(obj)
    turns, _ = _turns(fmt, new, mapping)
    if not (0 <= index < len(turns) and 0 <= to < len(turns)):
        raise EditError(f"the record has {len(turns)} turns; cannot move {index} to {to}")
    turns.insert(to, turns.pop(index))
    return new
