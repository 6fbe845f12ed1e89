"""The one record model every format is normalized to."""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("system", "user", "assistant", "tool")

_ROLE_ALIASES = {
    "system": "system",
    "user": "user", "human": "user", "prompter": "user", "question": "user",
    "assistant": "assistant", "gpt": "assistant", "model": "assistant", "bot": "assistant",
    "chatgpt": "assistant", "bing": "assistant", "bard": "assistant", "answer": "assistant",
    "tool": "tool", "function": "tool", "observation": "tool", "ipython": "tool",
    "function_call": "assistant",
}


def normalize_role(tag: object) -> str | None:
    """Map a source role tag (human, gpt, prompter, observation...) to system/user/assistant/tool."""
    if not isinstance(tag, str):
        return None
    return _ROLE_ALIASES.get(tag.strip().lower())


@dataclass(slots=True)
class Message:
    role: str
    content: str
    source_role: str | None = None
    """The tag the source used (e.g. 'human', 'gpt'), kept so export can restore it."""
    extra: dict | None = None
    """Other keys the source message had (tool_calls, name, ...)."""


@dataclass(slots=True)
class Record:
    id: int
    format: str
    messages: list[Message]
    meta: dict = field(default_factory=dict)
    """Source fields that are not part of the conversation (category, id, ...)."""
    warnings: list[str] = field(default_factory=list)
    """Why parts of the record could not be read as-is (null content, wrong types...)."""

    def first(self, role: str) -> Message | None:
        return next((m for m in self.messages if m.role == role), None)

    def last(self, role: str) -> Message | None:
        return next((m for m in reversed(self.messages) if m.role == role), None)

    @property
    def system(self) -> str:
        m = self.first("system")
        return m.content if m else ""

    @property
    def instruction(self) -> str:
        """The first user turn (for Alpaca/Dolly this includes input/context)."""
        m = self.first("user")
        return m.content if m else ""

    @property
    def response(self) -> str:
        """The last assistant turn."""
        m = self.last("assistant")
        return m.content if m else ""

    @property
    def is_multi_turn(self) -> bool:
        return sum(1 for m in self.messages if m.role == "user") > 1
