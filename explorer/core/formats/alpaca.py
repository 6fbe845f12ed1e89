"""Alpaca: instruction/input/output, also GPTeacher's `response` and LLaMA-Factory's system/history."""

from __future__ import annotations

from explorer.core.formats.base import FieldLayout, Format, as_text, join_input, meta_of, message, pairs_of
from explorer.core.record import Record

_USED = {"instruction", "input", "output", "response", "system", "history"}


def match(obj: dict) -> bool:
    return "instruction" in obj and ("output" in obj or "response" in obj) and "context" not in obj


def to_record(obj: dict, rid: int) -> Record:
    warnings: list[str] = []
    msgs = []
    system = obj.get("system")
    if system not in (None, ""):
        msgs.append(message("system", as_text(system, "system", warnings)))
    history = obj.get("history")
    if isinstance(history, list):
        for k, turn in enumerate(history):
            if isinstance(turn, (list, tuple)) and len(turn) == 2:
                msgs.append(message("user", as_text(turn[0], f"history[{k}][0]", warnings)))
                msgs.append(message("assistant", as_text(turn[1], f"history[{k}][1]", warnings)))
            else:
                warnings.append(f"history[{k}] is not a [user, assistant] pair")
    elif history not in (None, ""):
        warnings.append("history is not a list")
    instruction = as_text(obj.get("instruction"), "instruction", warnings)
    extra = obj.get("input")
    extra = "" if extra is None else as_text(extra, "input", warnings)
    key = "output" if "output" in obj else "response"
    msgs.append(message("user", join_input(instruction, extra)))
    msgs.append(message("assistant", as_text(obj.get(key), key, warnings)))
    return Record(rid, "alpaca", msgs, meta_of(obj, _USED), warnings)


def from_record(record: Record) -> dict:
    system, pairs = pairs_of(record)
    obj: dict = {"instruction": pairs[-1][0], "input": "", "output": pairs[-1][1]}
    if system:
        obj["system"] = system
    if len(pairs) > 1:
        obj["history"] = [list(p) for p in pairs[:-1]]
    return obj


LAYOUT = FieldLayout(instruction=("instruction",), input=("input",), response=("output", "response"),
                     system=("system",))
FORMAT = Format("alpaca", "instruction / input / output (Alpaca, GPTeacher, LLaMA-Factory)", match, to_record, from_record,
                layout=LAYOUT)
