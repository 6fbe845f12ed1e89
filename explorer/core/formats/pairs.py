"""Two-field formats: prompt/completion (TRL, also as message lists), preference pairs, question/answer."""

from __future__ import annotations

from explorer.core.formats.base import FieldLayout, Format, as_text, meta_of, message
from explorer.core.formats.conversations import _read_turns
from explorer.core.record import Message, Record


def _side(value: object, default_role: str, what: str, warnings: list[str]) -> list[Message]:
    """A prompt or completion: a string, or (TRL conversational) a list of {role, content}."""
    if isinstance(value, list) and value and all(isinstance(t, dict) and "role" in t for t in value):
        return _read_turns(value, "role", "content", warnings)
    return [message(default_role, as_text(value, what, warnings))]


def _pair_record(obj: dict, rid: int, fmt: str, prompt_key: str, answer_key: str, used: set[str]) -> Record:
    warnings: list[str] = []
    msgs = _side(obj.get(prompt_key), "user", prompt_key, warnings)
    msgs += _side(obj.get(answer_key), "assistant", answer_key, warnings)
    system = obj.get("system_prompt", obj.get("system"))
    if system not in (None, "") and not any(m.role == "system" for m in msgs):
        msgs.insert(0, message("system", as_text(system, "system", warnings)))
    return Record(rid, fmt, msgs, meta_of(obj, used), warnings)


def pc_match(obj: dict) -> bool:
    return "prompt" in obj and "completion" in obj


def pc_to_record(obj: dict, rid: int) -> Record:
    return _pair_record(obj, rid, "prompt_completion", "prompt", "completion", {"prompt", "completion", "system"})


PROMPT_COMPLETION = Format("prompt_completion", "prompt / completion (strings or message lists)", pc_match, pc_to_record,
                           layout=FieldLayout(instruction=("prompt",), response=("completion",), system=("system",)))


def pref_match(obj: dict) -> bool:
    return "chosen" in obj and "rejected" in obj


def pref_to_record(obj: dict, rid: int) -> Record:
    """The chosen answer is the response; `rejected` stays in the metadata."""
    if "prompt" in obj:
        return _pair_record(obj, rid, "preference", "prompt", "chosen", {"prompt", "chosen", "system"})
    warnings: list[str] = []
    msgs = _side(obj.get("chosen"), "assistant", "chosen", warnings)
    return Record(rid, "preference", msgs, meta_of(obj, {"chosen"}), warnings)


PREFERENCE = Format("preference", "prompt / chosen / rejected (preference pairs)", pref_match, pref_to_record,
                    layout=FieldLayout(instruction=("prompt",), response=("chosen",), system=("system",)))

QA_KEYS = (
    ("question", "answer"), ("question", "std_answer"), ("question", "response"),
    ("query", "response"), ("query", "answer"), ("input", "target"), ("input", "output"),
    ("prompt", "response"), ("prompt", "answer"), ("instruction", "answer"),
)


def _qa_keys(obj: dict) -> tuple[str, str] | None:
    return next((pair for pair in QA_KEYS if pair[0] in obj and pair[1] in obj), None)


def qa_match(obj: dict) -> bool:
    return _qa_keys(obj) is not None


def qa_to_record(obj: dict, rid: int) -> Record:
    q, a = _qa_keys(obj) or QA_KEYS[0]
    return _pair_record(obj, rid, "qa", q, a, {q, a, "system_prompt", "system"})


def qa_layout(obj: dict) -> FieldLayout:
    """The key pair the object has (none: no editable fields); the system prompt as OpenOrca keeps it."""
    pair = _qa_keys(obj)
    if pair is None:
        return FieldLayout()
    return FieldLayout(instruction=(pair[0],), response=(pair[1],), system=("system_prompt", "system"))


QA = Format("qa", "question / answer and similar pairs (query/response, OpenOrca...)", qa_match, qa_to_record,
            layout=qa_layout)
