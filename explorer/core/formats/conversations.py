"""Conversation lists: ShareGPT (from/value), OpenAI messages (role/content), LIMA/UltraChat (plain strings)."""

from __future__ import annotations

import json

from explorer.core.formats.base import FieldLayout, Format, TurnList, as_text, meta_of, message
from explorer.core.record import Message, Record, normalize_role

_SHAREGPT_TAGS = {"system": "system", "user": "human", "assistant": "gpt", "tool": "observation"}


def _turns(value: object) -> list | None:
    """A conversation list; CSV cells may hold it as a JSON string."""
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, list) else None


def _dict_turns(obj: dict, key: str) -> list | None:
    turns = _turns(obj.get(key))
    if turns and all(isinstance(t, dict) for t in turns):
        return turns
    return None


def _read_turns(turns: list, role_key: str, content_key: str, warnings: list[str]) -> list[Message]:
    msgs = []
    for k, turn in enumerate(turns):
        tag = turn.get(role_key)
        role = normalize_role(tag)
        if role is None:
            warnings.append(f"turn {k} has an unknown role {tag!r}; read as user")
            role = "user"
        extra = {key: v for key, v in turn.items() if key not in (role_key, content_key)}
        content = turn.get(content_key)
        if content is None and extra.get("tool_calls"):
            text = ""
        else:
            text = as_text(content, f"turn {k} {content_key}", warnings)
        msgs.append(message(role, text, tag if isinstance(tag, str) else None, extra))
    return msgs


def _system_first(obj: dict, msgs: list[Message], warnings: list[str]) -> list[Message]:
    system = obj.get("system")
    if system not in (None, "") and not any(m.role == "system" for m in msgs):
        msgs.insert(0, message("system", as_text(system, "system", warnings)))
    return msgs


# ShareGPT / FastChat ---------------------------------------------------------------------------

def _sharegpt_keys(turns: list) -> tuple[str, str]:
    first = turns[0]
    return ("from", "value") if "from" in first else ("role", "content")


def sharegpt_match(obj: dict) -> bool:
    turns = _dict_turns(obj, "conversations")
    if not turns:
        return False
    role_key, content_key = _sharegpt_keys(turns)
    return role_key in turns[0] and content_key in turns[0]


def sharegpt_to_record(obj: dict, rid: int) -> Record:
    warnings: list[str] = []
    turns = _dict_turns(obj, "conversations") or []
    role_key, content_key = _sharegpt_keys(turns)
    msgs = _system_first(obj, _read_turns(turns, role_key, content_key, warnings), warnings)
    return Record(rid, "sharegpt", msgs, meta_of(obj, {"conversations", "system"}), warnings)


def sharegpt_from_record(record: Record) -> dict:
    turns = []
    for m in record.messages:
        tag = m.source_role if record.format == "sharegpt" and m.source_role else _SHAREGPT_TAGS[m.role]
        if m.extra and m.extra.get("tool_calls"):
            turns.append({"from": "function_call", "value": json.dumps(m.extra["tool_calls"], ensure_ascii=False)})
            if m.content:
                turns.append({"from": tag, "value": m.content})
        else:
            turns.append({"from": tag, "value": m.content})
    return {"conversations": turns}


def sharegpt_layout(obj: dict) -> FieldLayout:
    turns = _dict_turns(obj, "conversations")
    role_key, content_key = _sharegpt_keys(turns) if turns else ("from", "value")
    tags = tuple(_SHAREGPT_TAGS.items()) if role_key == "from" else ()
    return FieldLayout(turns=TurnList("conversations", role_key, content_key, tags))


SHAREGPT = Format("sharegpt", "conversations: [{from, value}] (ShareGPT, FastChat)",
                  sharegpt_match, sharegpt_to_record, sharegpt_from_record, layout=sharegpt_layout)


# OpenAI / Hugging Face messages ----------------------------------------------------------------

def messages_match(obj: dict) -> bool:
    turns = _dict_turns(obj, "messages")
    return bool(turns) and "role" in turns[0]


def messages_to_record(obj: dict, rid: int) -> Record:
    warnings: list[str] = []
    msgs = _read_turns(_dict_turns(obj, "messages") or [], "role", "content", warnings)
    return Record(rid, "messages", msgs, meta_of(obj, {"messages"}), warnings)


def messages_from_record(record: Record) -> dict:
    out = []
    for m in record.messages:
        calls_only = not m.content and m.extra and m.extra.get("tool_calls")
        turn = {"role": m.role, "content": None if calls_only else m.content}
        if m.extra:
            turn.update({k: v for k, v in m.extra.items() if k not in ("role", "content")})
        out.append(turn)
    obj: dict = {"messages": out}
    tools = record.meta.get("tools")
    if tools is not None:
        obj["tools"] = tools
    return obj


MESSAGES = Format("messages", "messages: [{role, content}] (OpenAI, Hugging Face chat)",
                  messages_match, messages_to_record, messages_from_record,
                  layout=FieldLayout(turns=TurnList("messages", "role", "content")))


# LIMA / UltraChat raw: alternating user/assistant strings ----------------------------------------

def _string_turns(obj: dict) -> tuple[str, list] | None:
    for key in ("conversations", "data"):
        turns = _turns(obj.get(key))
        if turns and all(isinstance(t, str) for t in turns):
            return key, turns
    return None


def lima_match(obj: dict) -> bool:
    return _string_turns(obj) is not None


def lima_to_record(obj: dict, rid: int) -> Record:
    key, turns = _string_turns(obj) or ("conversations", [])
    msgs = [message("user" if k % 2 == 0 else "assistant", t) for k, t in enumerate(turns)]
    return Record(rid, "lima", msgs, meta_of(obj, {key}))


def lima_layout(obj: dict) -> FieldLayout:
    key, _ = _string_turns(obj) or ("conversations", [])
    return FieldLayout(turns=TurnList(key, role=None, content=None))


LIMA = Format("lima", "conversations: [user, assistant, ...] as plain strings (LIMA, UltraChat)",
              lima_match, lima_to_record, layout=lima_layout)

