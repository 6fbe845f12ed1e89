"""Prompts only: one prompt per record (`instruction`, `prompt`, `question`, `query`, `text` or `input`), perhaps
with scalar metadata beside it (`category`, `id`, `source`, ...), and no answer. Such files are evaluation sets,
prompt pools for distillation, or data before the answers are written. Detected last, after every format that has
an answer."""

from __future__ import annotations

from explorer.core.formats.base import FieldLayout, Format, as_text, join_input, meta_of, message
from explorer.core.record import Record

PROMPT_KEYS = ("instruction", "prompt", "question", "query", "text", "input")
"""The first of these the record has is its prompt; `input` after `instruction` is the instruction's input."""


def _prompt_key(obj: dict) -> str | None:
    return next((k for k in PROMPT_KEYS if isinstance(obj.get(k), str)), None)


def match(obj: dict) -> bool:
    """A string prompt, and nothing but scalars beside it (lists or objects would be a structure we don't know)."""
    return _prompt_key(obj) is not None and all(not isinstance(v, (list, dict)) for v in obj.values())


def to_record(obj: dict, rid: int) -> Record:
    warnings: list[str] = []
    key = _prompt_key(obj)
    text = as_text(obj.get(key), key, warnings)
    used = {key}
    if key == "instruction" and isinstance(obj.get("input"), str):
        text = join_input(text, obj["input"])
        used.add("input")
    return Record(rid, "prompts", [message("user", text)], meta_of(obj, used), warnings)


def layout(obj: dict) -> FieldLayout:
    key = _prompt_key(obj) or PROMPT_KEYS[0]
    return FieldLayout(instruction=(key,), input=("input",) if key == "instruction" else ())


FORMAT = Format("prompts", "prompts only, no answers (instruction / prompt / question / query / text)", match,
                to_record, None, layout=layout)
