"""Changing one field or turn of a record inside its own source format (so same-format export stays exact)."""

from __future__ import annotations

import copy

from explorer.core.errors import DatasetError

FIELDS = ("instruction", "input", "response", "system")


class EditError(DatasetError):
    """An edit that cannot apply to this record (unknown id, a field its format does not have...)."""


_FIELD_KEYS = {
    "alpaca": {"instruction": ("instruction",), "input": ("input",), "response": ("output", "response"),
               "system": ("system",)},
    "dolly": {"instruction": ("instruction",), "input": ("context",), "response": ("response",)},
    "prompt_completion": {"instruction": ("prompt",), "response": ("completion",), "system": ("system",)},
    "preference": {"instruction": ("prompt",), "response": ("chosen",), "system": ("system",)},
}
_QA_PAIRS = (("question", "answer"), ("question", "std_answer"), ("question", "response"), ("query", "response"),
             ("query", "answer"), ("input", "target"), ("input", "output"), ("prompt", "response"),
             ("prompt", "answer"), ("instruction", "answer"))


def _turns(fmt: str, obj: dict) -> tuple[list, str | None, str | None]:
    """(turn list, role key, content key) of a conversation record; list items may be plain strings (lima)."""
    if fmt == "messages":
        return obj["messages"], "role", "content"
    if fmt == "sharegpt":
        turns = obj["conversations"]
        return (turns, "from", "value") if turns and "from" in turns[0] else (turns, "role", "content")
    if fmt == "lima":
        key = "conversations" if isinstance(obj.get("conversations"), list) else "data"
        return obj[key], None, None
    raise EditError(f"{fmt} records store fields, not turns; edit instruction/input/response/system instead")


_USER_TAGS = {"user", "human", "prompter"}
_ASSISTANT_TAGS = {"assistant", "gpt", "model", "bot"}


def _role_index(turns: list, role_key: str | None, tags: set[str], last: bool) -> int | None:
    order = range(len(turns) - 1, -1, -1) if last else range(len(turns))
    for i in order:
        if role_key is None:
            if (i % 2 == 0) == ("user" in tags):
                return i
        elif str(turns[i].get(role_key, "")).lower() in tags:
            return i
    return None


def set_field(fmt: str, obj: dict, field: str, value: str) -> dict:
    """A copy of `obj` with `field` (instruction/input/response/system) set to `value`, in the format's keys."""
    if field not in FIELDS:
        raise EditError(f"unknown field {field!r}; use one of {', '.join(FIELDS)}")
    new = copy.deepcopy(obj)
    if fmt in _FIELD_KEYS:
        keys = _FIELD_KEYS[fmt].get(field)
        if not keys:
            raise EditError(f"{fmt} records have no {field} field")
        key = next((k for k in keys if k in new), keys[0])
        new[key] = value
        return new
    if fmt == "qa":
        q, a = next(((q, a) for q, a in _QA_PAIRS if q in new and a in new), (None, None))
        key = {"instruction": q, "response": a, "system": "system_prompt"}.get(field)
        if key is None or q is None:
            raise EditError(f"qa records have no {field} field")
        new[key] = value
        return new
    turns, role_key, content_key = _turns(fmt, new)
    if field == "input":
        raise EditError(f"{fmt} records have no separate input; edit the instruction")
    if field == "system":
        if fmt == "lima":
            raise EditError("lima records have no system prompt")
        index = _role_index(turns, role_key, {"system"}, last=False)
        if index is None:
            turns.insert(0, {role_key: "system", content_key: value})
            return new
    else:
        tags = _USER_TAGS if field == "instruction" else _ASSISTANT_TAGS
        index = _role_index(turns, role_key, tags, last=field == "response")
        if index is None:
            raise EditError(f"the record has no {'user' if field == 'instruction' else 'assistant'} turn")
    _set_turn_content(turns, index, content_key, value)
    return new


def _set_turn_content(turns: list, index: int, content_key: str | None, value: str) -> None:
    if content_key is None:
        turns[index] = value
    else:
        turns[index][content_key] = value


def set_turn(fmt: str, obj: dict, turn: int, value: str) -> dict:
    """A copy of `obj` with the content of its `turn`-th message (0-based, as stored) set to `value`."""
    new = copy.deepcopy(obj)
    turns, _, content_key = _turns(fmt, new)
    if not 0 <= turn < len(turns):
        raise EditError(f"the record has {len(turns)} turns; there is no turn {turn}")
    _set_turn_content(turns, turn, content_key, value)
    return new


def insert_turn(fmt: str, obj: dict, index: int, role: str, content: str) -> dict:
    """A copy of `obj` with a new message inserted at `index` (role user/assistant/system/tool)."""
    new = copy.deepcopy(obj)
    turns, role_key, content_key = _turns(fmt, new)
    if not 0 <= index <= len(turns):
        raise EditError(f"cannot insert at {index}: the record has {len(turns)} turns")
    if role_key is None:
        turns.insert(index, content)
    else:
        tag = role if role_key == "role" else {"user": "human", "assistant": "gpt", "tool": "observation"}.get(role, role)
        turns.insert(index, {role_key: tag, content_key: content})
    return new


def remove_turn(fmt: str, obj: dict, index: int) -> dict:
    new = copy.deepcopy(obj)
    turns, _, _ = _turns(fmt, new)
    if not 0 <= index < len(turns):
        raise EditError(f"the record has {len(turns)} turns; there is no turn {index}")
    del turns[index]
    return new


def move_turn(fmt: str, obj: dict, index: int, to: int) -> dict:
    new = copy.deepcopy(obj)
    turns, _, _ = _turns(fmt, new)
    if not (0 <= index < len(turns) and 0 <= to < len(turns)):
        raise EditError(f"the record has {len(turns)} turns; cannot move {index} to {to}")
    turns.insert(to, turns.pop(index))
    return new
