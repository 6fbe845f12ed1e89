"""Dolly: instruction / context / response / category."""

from __future__ import annotations

from explorer.core.formats.base import FieldLayout, Format, as_text, join_input, meta_of, message
from explorer.core.record import Record

_USED = {"instruction", "context", "response"}


def match(obj: dict) -> bool:
    return "instruction" in obj and "context" in obj and "response" in obj


def to_record(obj: dict, rid: int) -> Record:
    warnings: list[str] = []
    context = obj.get("context")
    context = "" if context is None else as_text(context, "context", warnings)
    msgs = [
        message("user", join_input(as_text(obj.get("instruction"), "instruction", warnings), context)),
        message("assistant", as_text(obj.get("response"), "response", warnings)),
    ]
    return Record(rid, "dolly", msgs, meta_of(obj, _USED), warnings)


LAYOUT = FieldLayout(instruction=("instruction",), input=("context",), response=("response",))
FORMAT = Format("dolly", "instruction / context / response / category (Dolly)", match, to_record, layout=LAYOUT)
