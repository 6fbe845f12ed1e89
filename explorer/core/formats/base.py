"""Shared pieces of the per-format modules: the Format description and value helpers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable

from explorer.core.record import Message, Record, normalize_role

FIELDS = ("instruction", "input", "response", "system")


@dataclass(frozen=True)
class TurnList:
    """Where a conversation's turns live: a list under `key`, each turn an object {role: tag, content: text}."""

    key: str
    role: str | None = "role"
    """The key of a turn's role tag; None: turns carry no role (their place decides it, see `only_user`)."""
    content: str | None = "content"
    """The key of a turn's text; None: turns are plain strings."""
    tags: tuple[tuple[str, str], ...] = ()
    """(role, tag) pairs: the tag a new turn of that role is written with (absent: the role name itself)."""
    only_user: bool = False
    """Roleless turns are all user turns (prompt lists); otherwise they alternate user/assistant."""

    def tag(self, role: str) -> str:
        return dict(self.tags).get(role, role)

    def role_of(self, tag: object) -> str | None:
        """The role a stored tag stands for: one of this list's own tags, or a common alias (human, gpt...)."""
        return next((role for role, t in self.tags if t == tag), None) or normalize_role(tag)


@dataclass(frozen=True)
class FieldLayout:
    """Where a record's instruction / input / response / system / turns live in its source object.

    Each field is a tuple of alternative keys (the first one the object has is used; a new key is the
    first). A field with no keys is not a key of its own: it lives in `turns`, or the format lacks it."""

    instruction: tuple[str, ...] = ()
    input: tuple[str, ...] = ()
    response: tuple[str, ...] = ()
    system: tuple[str, ...] = ()
    turns: TurnList | None = None

    def keys(self, field: str) -> tuple[str, ...]:
        return getattr(self, field) if field in FIELDS else ()

    def key_in(self, obj: dict, field: str) -> str | None:
        """The key that holds `field` in `obj` (the first alternative when none is present); None if no key."""
        keys = self.keys(field)
        return next((k for k in keys if k in obj), keys[0] if keys else None)

    @property
    def is_conversation(self) -> bool:
        return self.turns is not None

    def instruction_and_input(self, obj: dict) -> tuple[str, str] | None:
        """Instruction and input as the source keeps them apart; None when the format has no separate input."""
        if not self.input:
            return None
        instruction = obj.get(self.key_in(obj, "instruction")) if self.instruction else None
        if not isinstance(instruction, str):
            return None
        extra = obj.get(self.key_in(obj, "input"))
        return instruction, extra if isinstance(extra, str) else ""


@dataclass(frozen=True)
class Format:
    name: str
    description: str
    match: Callable[[dict], bool]
    """True when a source object has this format's keys (and value shapes)."""
    to_record: Callable[[dict, int], Record]
    from_record: Callable[[Record], dict] | None = None
    """Convert a normalized record into this format; raises NotExpressible when it cannot."""
    layout: FieldLayout | Callable[[dict], FieldLayout] | None = None
    """Where its fields live (for edits): fixed, or a function of the object when that decides; None: not editable."""

    def layout_for(self, obj: dict) -> FieldLayout | None:
        return self.layout(obj) if callable(self.layout) else self.layout


class NotExpressible(ValueError):
    """A record cannot be written in a target format without losing structure."""


def as_text(value: object, what: str, warnings: list[str]) -> str:
    """Content as a string. Null, numbers and structures are converted visibly, never to 'None'."""
    if isinstance(value, str):
        return value
    if value is None:
        warnings.append(f"{what} is null")
        return ""
    if isinstance(value, list) and all(isinstance(p, dict) for p in value):
        texts = [p.get("text") for p in value if p.get("type", "text") == "text"]
        if all(isinstance(t, str) for t in texts) and texts:
            return "\n".join(texts)
    warnings.append(f"{what} is a {type(value).__name__}, not text")
    return json.dumps(value, ensure_ascii=False)


def meta_of(obj: dict, used: tuple[str, ...] | set[str]) -> dict:
    return {k: v for k, v in obj.items() if k not in used}


def join_input(instruction: str, extra: str) -> str:
    """The Alpaca convention: instruction, a blank line, then the input (when there is one)."""
    return f"{instruction}\n\n{extra}" if extra else instruction


def pairs_of(record: Record) -> tuple[str, list[tuple[str, str]]]:
    """Split a record into (system, [(user, assistant), ...]); raise NotExpressible otherwise."""
    msgs = list(record.messages)
    system = ""
    if msgs and msgs[0].role == "system":
        system = msgs.pop(0).content
    if any(m.role not in ("user", "assistant") for m in msgs):
        roles = sorted({m.role for m in msgs} - {"user", "assistant"})
        raise NotExpressible(f"has {'/'.join(roles)} turns")
    if not msgs or len(msgs) % 2:
        raise NotExpressible("turns do not pair up as user/assistant")
    pairs = []
    for user, assistant in zip(msgs[::2], msgs[1::2]):
        if user.role != "user" or assistant.role != "assistant":
            raise NotExpressible("turns do not alternate user/assistant")
        pairs.append((user.content, assistant.content))
    return system, pairs


def message(role: str, content: str, source_role: str | None = None, extra: dict | None = None) -> Message:
    return Message(role=role, content=content, source_role=source_role, extra=extra or None)
