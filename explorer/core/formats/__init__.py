"""Record formats and per-record detection by key sets (most specific first)."""

from __future__ import annotations

from explorer.core.formats import alpaca, dolly, oasst, prompts
from explorer.core.formats.base import FIELDS, FieldLayout, Format, NotExpressible, TurnList
from explorer.core.formats.conversations import LIMA, MESSAGES, SHAREGPT
from explorer.core.formats.mapped import ColumnMapping
from explorer.core.formats.pairs import PREFERENCE, PROMPT_COMPLETION, QA
from explorer.core.record import Record

DETECTION_ORDER: tuple[Format, ...] = (
    MESSAGES, SHAREGPT, LIMA, oasst.FORMAT, dolly.FORMAT, alpaca.FORMAT, PREFERENCE, PROMPT_COMPLETION, QA,
    prompts.FORMAT,  # last: a record with an answer is never read as a bare prompt
)
FORMATS: dict[str, Format] = {f.name: f for f in DETECTION_ORDER}
UNKNOWN = "unknown"
CONVERSION_TARGETS = ("alpaca", "sharegpt", "messages")
_CONVERTERS = {"alpaca": alpaca.from_record, "sharegpt": SHAREGPT.from_record, "messages": MESSAGES.from_record}

# Whether a format's decision depends on values (list element types) and not only on key names.
_VALUE_SENSITIVE_KEYS = frozenset({"conversations", "messages", "data"})


class Detector:
    """Classifies source objects; results are cached per key set when keys alone decide."""

    def __init__(self, mapping: ColumnMapping | None = None):
        self.order = (mapping.as_format(),) if mapping else DETECTION_ORDER
        self.known: dict[tuple, str] = {}
        """Key tuples whose format the keys alone decide (callers may look here first)."""

    def __call__(self, obj: dict) -> str:
        keys = tuple(obj)
        hit = self.known.get(keys)
        if hit is not None:
            return hit
        name = next((f.name for f in self.order if f.match(obj)), UNKNOWN)
        if _VALUE_SENSITIVE_KEYS.isdisjoint(keys):
            self.known[keys] = name
        return name


def unknown_record(obj: dict, rid: int) -> Record:
    return Record(rid, UNKNOWN, [], dict(obj), [f"no known format for keys {', '.join(map(str, obj))}"])


def to_record(fmt: str, obj: dict, rid: int, mapping: ColumnMapping | None = None) -> Record:
    """Normalize one source object of a known format into a Record."""
    if fmt == "mapped" and mapping is not None:
        return mapping.to_record(obj, rid)
    f = FORMATS.get(fmt)
    return f.to_record(obj, rid) if f else unknown_record(obj, rid)


def layout_of(fmt: str, obj: dict, mapping: ColumnMapping | None = None) -> FieldLayout | None:
    """Where the fields of a record of format `fmt` live in its source object `obj`; None: not editable."""
    if fmt == "mapped" and mapping is not None:
        return mapping.layout(obj)
    f = FORMATS.get(fmt)
    return f.layout_for(obj) if f else None


def convert(record: Record, target: str) -> dict:
    """A record written as `target` (alpaca, sharegpt, messages); raises NotExpressible when it cannot be."""
    if not record.messages:
        raise NotExpressible("has no conversation to write")
    return _CONVERTERS[target](record)


__all__ = ["ColumnMapping", "Detector", "FIELDS", "FORMATS", "FieldLayout", "Format", "NotExpressible", "TurnList",
           "UNKNOWN", "convert", "layout_of", "to_record", "CONVERSION_TARGETS"]
