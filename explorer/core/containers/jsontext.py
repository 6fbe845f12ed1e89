"""Parsing one JSON text robustly: fast path with orjson, careful fallback that explains failures."""

from __future__ import annotations

import json

import orjson


class LineError(ValueError):
    """A JSON text that cannot be read; `column` is 1-based within the text when known; `kind` names the failure
    (see explorer.core.problems.KINDS)."""

    def __init__(self, message: str, column: int | None = None, kind: str = "json_syntax"):
        super().__init__(message)
        self.column = column
        self.kind = kind


def syntax_message(msg: str, column: int) -> str:
    """The JSON parser's whole message with where it happened ("Unterminated string starting at column 30")."""
    return f"invalid JSON: {msg} column {column}" if msg.endswith(" at") else f"invalid JSON: {msg} at column {column}"


def parse(raw: bytes | str) -> tuple[object, str | None]:
    """Parse JSON; return (value, warning). Raise LineError with a short reason when it cannot be read."""
    try:
        return orjson.loads(raw), None
    except orjson.JSONDecodeError:
        pass
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise LineError(f"not valid UTF-8 (byte 0x{raw[e.start]:02x})", e.start + 1, "invalid_utf8") from None
    else:
        text = raw
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise LineError(syntax_message(e.msg, e.colno), e.colno) from None
    except RecursionError:
        raise LineError("nested too deeply to read", None, "too_deep") from None
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise LineError("contains a lone UTF-16 surrogate escape (e.g. \\ud800), which is not text", None,
                        "lone_surrogate") from None
    except (RecursionError, ValueError):
        raise LineError("nested too deeply to read", None, "too_deep") from None
    return value, "non-standard JSON (NaN, Infinity or a number too large); read with Python's parser"


def duplicate_keys(text: bytes | str) -> list[str]:
    """Keys that occur twice in one JSON object anywhere in the text (the last value wins when reading)."""
    dups: list[str] = []

    def hook(pairs: list) -> dict:
        seen = set()
        for key, _ in pairs:
            if key in seen and key not in dups:
                dups.append(key)
            seen.add(key)
        return dict(pairs)

    try:
        json.loads(text, object_pairs_hook=hook)
    except (ValueError, RecursionError):
        return []
    return dups


def _key_count(value: object) -> int:
    if type(value) is dict:
        return len(value) + sum(_key_count(v) for v in value.values() if type(v) in (dict, list))
    if type(value) is list:
        return sum(_key_count(v) for v in value if type(v) in (dict, list))
    return 0


def maybe_duplicate_keys(raw: bytes | str, obj: dict, start: int = 0, end: int | None = None) -> list[str]:
    """Cheap screen for duplicate keys, confirmed by a careful parse only when the text looks suspicious.

    Every key is followed by `":` (unless the file puts spaces before colons), so a line with exactly as many
    `":` as its parsed object has keys cannot repeat one. Flat records cost one count.
    """
    end = len(raw) if end is None else end
    found = raw.count(b'":' if isinstance(raw, bytes) else '":', start, end)
    if found == len(obj):
        return []
    if found > len(obj) and found == _key_count(obj):
        return []
    return duplicate_keys(raw[start:end])
