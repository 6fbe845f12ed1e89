"""A user's column mapping: which source keys hold the instruction, input, response, system or conversation.

`user_turns=KEY` names a list whose items are all user turns (MT-Bench-style question files: `turns: [q1, q2]`).
Such records are prompts: every turn is a user turn and there is no assistant turn; they are never alternated."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from explorer.core.errors import DatasetError
from explorer.core.formats.base import FieldLayout, Format, TurnList, as_text, join_input, meta_of, message
from explorer.core.formats.conversations import _read_turns, _turns
from explorer.core.record import Record, normalize_role

MAPPABLE = ("instruction", "input", "response", "system", "conversations", "user_turns", "role", "content")


def is_string_list(value: object) -> bool:
    """A non-empty list of plain strings (a conversation mapping alternates them; user_turns= does not)."""
    turns = _turns(value)
    return bool(turns) and all(isinstance(t, str) for t in turns)


@dataclass(frozen=True)
class ColumnMapping:
    instruction: str | None = None
    input: str | None = None
    response: str | None = None
    system: str | None = None
    conversations: str | None = None
    user_turns: str | None = None
    """A list whose items are all user turns (no assistant turn): prompts, never alternated."""
    role: str = "role"
    content: str = "content"

    @classmethod
    def parse(cls, text: str) -> "ColumnMapping":
        """Parse `instruction=question,response=std_answer` (also input=, system=, conversations=, user_turns=,
        role=, content=)."""
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
        if mapping.user_turns:
            others = [n for n in ("instruction", "input", "response", "conversations") if values.get(n)]
            if others:
                raise DatasetError(f"--map user_turns= cannot be combined with {'=, '.join(others)}= "
                                   "(only system=, and content= for lists of objects)")
        elif not mapping.conversations and not (mapping.instruction and mapping.response):
            raise DatasetError("--map needs instruction= and response=, conversations=, or user_turns=")
        return mapping

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}

    def __str__(self) -> str:
        return ",".join(f"{k}={v}" for k, v in self.to_dict().items()
                        if not (k == "role" and v == "role") and not (k == "content" and v == "content"))

    def used_keys(self) -> set[str]:
        return {v for k, v in asdict(self).items() if v and k not in ("role", "content")}

    def matches(self, obj: dict) -> bool:
        if self.user_turns:
            return self.user_turns in obj
        if self.conversations:
            return self.conversations in obj
        return self.instruction in obj and self.response in obj

    def to_record(self, obj: dict, rid: int) -> Record:
        warnings: list[str] = []
        msgs = []
        if self.system and obj.get(self.system) not in (None, ""):
            msgs.append(message("system", as_text(obj.get(self.system), self.system, warnings)))
        if self.user_turns:
            msgs += self._user_turns(obj.get(self.user_turns), warnings)
        elif self.conversations:
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

    def _user_turns(self, value: object, warnings: list[str]) -> list:
        """Every item a user turn: strings as they are, objects by their content key."""
        turns = _turns(value)
        if turns is None:
            if isinstance(value, str):
                turns = [value] if value else []
            else:
                warnings.append(f"{self.user_turns} is null" if value is None
                                else f"{self.user_turns} is a {type(value).__name__}, not a list of turns")
                return []
        msgs = []
        for k, turn in enumerate(turns):
            if isinstance(turn, dict):
                turn = turn.get(self.content)
                what = f"turn {k} {self.content}"
            else:
                what = f"turn {k}"
            msgs.append(message("user", as_text(turn, what, warnings)))
        return msgs

    def layout(self, obj: dict) -> FieldLayout:
        """Where the mapped fields live; a turn list's shape (strings or objects) is read from the object."""
        system = (self.system,) if self.system else ()
        key = self.user_turns or self.conversations
        if not key:
            return FieldLayout(instruction=(self.instruction,) if self.instruction else (),
                               input=(self.input,) if self.input else (),
                               response=(self.response,) if self.response else (), system=system)
        items = _turns(obj.get(key)) or []
        objects = bool(items) and all(isinstance(t, dict) for t in items)
        if self.user_turns:
            turns = TurnList(key, role=None, content=self.content if objects else None, only_user=True)
        elif objects:
            tags: dict[str, str] = {}  # new turns are tagged as this record tags its turns already
            for t in items:
                tag = t.get(self.role)
                if normalize_role(tag):
                    tags.setdefault(normalize_role(tag), tag)
            turns = TurnList(key, self.role, self.content, tuple(tags.items()))
        else:
            turns = TurnList(key, role=None, content=None)
        return FieldLayout(system=system, turns=turns)

    def as_format(self) -> Format:
        return Format("mapped", f"column mapping {self}", self.matches, self.to_record, layout=self.layout)
