"""Which text of each record is embedded, and per-record text fields for tokens and checks."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from explorer.core.analysis.packed import PackedStrings
from explorer.core.dataset import Dataset
from explorer.core.progress import CancelFn, ProgressFn
from explorer.core.record import Record

EMBED_FIELDS = ("instruction", "response", "user_turns")
STRING_COLUMNS = ("instruction", "response", "user_turns", "conversation", "system")


@dataclass
class RecordTexts:
    """Columns of text, one entry per record, read once from the dataset."""

    instruction: list[str]
    response: list[str]
    user_turns: list[str]
    conversation: list[str]
    system: list[str]
    user_turn_count: list[int]
    has_assistant: list[bool]
    ends_with_assistant: list[bool]
    prompt_only: list[bool] = field(default_factory=list)
    """Records that are prompts by design (format `prompts`, or mapped as user turns only): no answer expected."""

    def field(self, name: str) -> list[str]:
        if name not in EMBED_FIELDS:
            raise ValueError(f"unknown embed field {name!r}; use one of {', '.join(EMBED_FIELDS)}")
        return getattr(self, name)

    def __len__(self) -> int:
        return len(self.instruction)

    def packed(self) -> RecordTexts:
        """The same columns with the strings packed (`PackedStrings`), to send to another process."""
        return replace(self, **{name: PackedStrings(getattr(self, name)) for name in STRING_COLUMNS})


def read_texts(dataset: Dataset, progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> RecordTexts:
    """Read every record once and keep the text columns the analysis needs."""
    cols = RecordTexts([], [], [], [], [], [], [], [])
    user_turns_mapping = dataset.mapping is not None and bool(getattr(dataset.mapping, "user_turns", None))
    for record in dataset.iter_records(progress, cancel):
        add_record(cols, record, user_turns_mapping and record.format == "mapped")
    return cols


def add_record(cols: RecordTexts, record: Record, prompt_only: bool = False) -> None:
    """Append one record's columns; `prompt_only` also when the record's format is `prompts`."""
    users = [m.content for m in record.messages if m.role == "user"]
    cols.instruction.append(record.instruction)
    cols.response.append(record.response)
    cols.user_turns.append("\n".join(users))
    cols.conversation.append("\n".join(m.content for m in record.messages))
    cols.system.append(record.system)
    cols.user_turn_count.append(len(users))
    cols.has_assistant.append(any(m.role == "assistant" for m in record.messages))
    cols.ends_with_assistant.append(bool(record.messages) and record.messages[-1].role == "assistant")
    cols.prompt_only.append(prompt_only or record.format == "prompts")
