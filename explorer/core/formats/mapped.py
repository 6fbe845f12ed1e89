"""A user's column mapping: which source keys hold the instruction, input, response, system or conversation."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from explorer.core.errors import DatasetError
from explorer.core.formats.base import Format, as_text, join_input, meta_of, message
from explorer.core.formats.conversations import _read_turns, _turns
from explorer.core.record import Record

MAPPABLE = ("instruction", "input", "response", "system", "conversations", "role", "content")


@dataclass(frozen=True)
class ColumnMapping:
    instruction: str | None = None
    input: str | None = None
    response: str | None = None
    system: str | None = None
    conversations: str | None = None
    role: str = "role"
    content: str = "content"

    @classmethod
    def parse(cls, text: str) -> "ColumnMapping":
        """Parse `instruction=question,response=std_answer` (also input=, system=, conversations=, role=, content=)."""
        values: dict[str, str] = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, sep, key = part.partition("=")
            name, key = name.strip(), key.strip()
            if not sep or not key:
                raise DatasetError(f"--map part {part!r} is not NAME=KEY")
            if name not in MAPPABLE:
                raise DatasetError(f"--map names {name!r}; use one of {', '.join(MAPPABLE)}")
            values[name] = key
        mapping = cls(**values)
        if not mapping.conversations and not (mapping.instruction and mapping.response):
            raise DatasetError("--map needs instruction= and response=, or conversations=")
        return mapping

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}

    def __str__(self) -> str:
        return ",".join(f"{k}={v}" for k, v in self.to_dict().items()
                        if not (k == "role" and v == "role") and not (k == "content" and v == "content"))

    def used_keys(self) -> set[str]:
        return {v for k, v in asdict(self).items() if v and k not in ("role", "content")}

    def matches(self, obj: dict) -> bool:
        if self.conversations:
            return self.conversations in obj
        return self.instruction in obj and self.response in obj

    def to_record(self, obj: dict, rid: int) -> Record:
        warnings: list[str] = []
        msgs = []
        if self.system and obj.get(self.system) not in (None, ""):
            msgs.append(message("system", as_text(obj.get(self.system), self.system, warnings)))
        if self.conversations:
            turns = _turns(obj.get(self.conversations)) or []
            if all(isinstance(t, dict) for t in turns):
                msgs += _read_turns(turns, self.role, self.content, warnings)
            else:
                msgs += [message("user" if k % 2 == 0 else "assistant", as_text(t, f"turn {k}", warnings))
                         for k, t in enumerate(turns)]
        else:
            extra = obj.get(self.input) if self.input else None
            extra = "" if extra is None else as_text(extra, self.input, warnings)
            msgs.append(message("user", join_input(as_text(obj.get(self.instruction), self.instruction, warnings), extra)))
            msgs.append(message("assistant", as_text(obj.get(self.response), self.response, warnings)))
        return Record(rid, "mapped", msgs, meta_of(obj, self.used_keys()), warnings)

    def as_format(self) -> Format:
        return Format("mapped", f"column mapping {self}", self.matches, self.to_record)
