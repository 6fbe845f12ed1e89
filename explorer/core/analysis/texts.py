"""Which text of each record is embedded, and per-record text fields for tokens and checks."""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from explorer.core.analysis.packed import StringsBuilder
from explorer.core.dataset import Dataset
from explorer.core.progress import CancelFn, ProgressFn
from explorer.core.record import Record

EMBED_FIELDS = ("instruction", "response", "user_turns")
STRING_COLUMNS = ("instruction", "response", "user_turns", "conversation", "system")


@dataclass
class RecordTexts:
    """Columns of text, one entry per record, read once from the dataset (`read_texts` packs the strings and
    keeps the counts and marks as numpy arrays; lists work too, for a record or two)."""

    instruction: Sequence[str]
    response: Sequence[str]
    user_turns: Sequence[str]
    conversation: Sequence[str]
    system: Sequence[str]
    user_turn_count: Sequence[int]
    has_assistant: Sequence[bool]
    ends_with_assistant: Sequence[bool]
    prompt_only: Sequence[bool] = field(default_factory=list)
    """Records that are prompts by design (format `prompts`, or mapped as user turns only): no answer expected."""
    uses_tools: Sequence[bool] = field(default_factory=list)
    """Records with a tool call, a tool result or tool definitions (`tools`/`functions`): tool use by structure."""

    def field(self, name: str) -> Sequence[str]:
        if name not in EMBED_FIELDS:
            raise ValueError(f"unknown embed field {name!r}; use one of {', '.join(EMBED_FIELDS)}")
        return getattr(self, name)

    def __len__(self) -> int:
        return len(self.instruction)

    @property
    def nbytes(self) -> int:
        """Bytes held by the packed columns (0 for list columns)."""
        return sum(getattr(getattr(self, name), "nbytes", 0) for name in (*STRING_COLUMNS, *MARK_COLUMNS))


MARK_COLUMNS = ("user_turn_count", "has_assistant", "ends_with_assistant", "prompt_only", "uses_tools")


def read_texts(dataset: Dataset, progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> RecordTexts:
    """Read every record once and keep the text columns the analysis needs, packed (a million records' texts
    cost their UTF-8 bytes, not a Python string each)."""
    strings = {name: StringsBuilder() for name in STRING_COLUMNS}
    marks = {name: array("i" if name == "user_turn_count" else "b") for name in MARK_COLUMNS}
    user_turns_mapping = dataset.mapping is not None and bool(getattr(dataset.mapping, "user_turns", None))
    for record in dataset.iter_records(progress, cancel):
        columns = record_columns(record, user_turns_mapping and record.format == "mapped")
        for name in STRING_COLUMNS:
            strings[name].add(columns[name])
        for name in MARK_COLUMNS:
            marks[name].append(columns[name])
    return RecordTexts(**{name: b.build() for name, b in strings.items()},
                       **{name: np.array(a, np.int32 if a.typecode == "i" else bool) for name, a in marks.items()})


def record_columns(record: Record, prompt_only: bool = False) -> dict:
    """One record's value in every column; `prompt_only` also when the record's format is `prompts`."""
    users = [m.content for m in record.messages if m.role == "user"]
    return {"instruction": record.instruction, "response": record.response, "user_turns": "\n".join(users),
            "conversation": "\n".join(m.content for m in record.messages), "system": record.system,
            "user_turn_count": len(users), "has_assistant": any(m.role == "assistant" for m in record.messages),
            "ends_with_assistant": bool(record.messages) and record.messages[-1].role == "assistant",
            "prompt_only": prompt_only or record.format == "prompts", "uses_tools": _uses_tools(record)}


def _uses_tools(record: Record) -> bool:
    if any(m.role == "tool" or (m.extra and (m.extra.get("tool_calls") or m.extra.get("function_call")))
           for m in record.messages):
        return True
    meta = record.meta or {}
    return any(not _empty(meta.get(key)) for key in ("tools", "functions"))


def _empty(value: object) -> bool:
    return value in (None, "", "[]", [], {}) or (isinstance(value, float) and value != value)  # NaN: a missing cell


def one_record_texts(record: Record, prompt_only: bool = False) -> RecordTexts:
    """The columns of a single record (re-checking an edited record)."""
    return RecordTexts(**{name: [value] for name, value in record_columns(record, prompt_only).items()})
