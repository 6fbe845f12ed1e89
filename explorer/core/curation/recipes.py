"""Recipes: the journal as JSON Lines (one edit per line, with content hashes), and replaying one onto a session."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Collection, Iterator

from explorer.core import atomic
from explorer.core.curation.edits import Batch, Edit, SetKind, edit_from_json
from explorer.core.curation.fields import EditError
from explorer.core.curation.session import Session, record_hash
from explorer.core.errors import DatasetError
from explorer.core.progress import CancelFn, ProgressFn, Ticker


def recipe_lines(session: Session) -> Iterator[dict]:
    """The session's effective edits, oldest first, each with the source content hash of the records it touches."""
    for edit in session.effective_edits():
        for single in (edit.edits if isinstance(edit, Batch) else (edit,)):
            line = single.to_json()
            ids = single.ids()
            if ids and len(ids) <= 5000:
                line["hash"] = {str(i): record_hash(session.dataset, i) for i in ids}
            yield line


def write_recipe(session: Session, out: str | Path) -> int:
    lines = list(recipe_lines(session))
    atomic.write_chunks(out, (json.dumps(line, ensure_ascii=False).encode("utf-8") + b"\n" for line in lines))
    return len(lines)


@dataclass
class Outcome:
    line: int
    seq: int | None
    label: str
    error: str | None = None


def read_recipe(path: str | Path) -> list[tuple[int, object]]:
    """(line number, parsed JSON or the parse error text) for each non-blank line."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise DatasetError(f"cannot read the recipe: {e}", str(path)) from None
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            out.append((number, json.loads(raw)))
        except ValueError as e:
            out.append((number, f"invalid JSON: {e}"))
    return out


def apply_recipe(session: Session, lines: list[tuple[int, object]], on_outcome: Callable[[Outcome], None],
                 progress: ProgressFn | None = None, cancel: CancelFn | None = None,
                 kinds: Collection[str] | None = None) -> list[Outcome]:
    """Apply each line as one durable edit, in order; lines that do not apply are reported and skipped. With
    `kinds` (the taxonomy's kind ids), a `kind` edit naming another kind is refused, not taken as a new kind."""
    outcomes = []
    ticker = Ticker(progress, cancel, len(lines), "Applying recipe")
    for k, (number, obj) in enumerate(lines):
        if not k % 256:
            ticker.update(k)
        outcome = _apply_line(session, number, obj, kinds)
        outcomes.append(outcome)
        on_outcome(outcome)
    ticker.finish()
    return outcomes


def _unknown_kind(edit: Edit, kinds: Collection[str]) -> str | None:
    for single in (edit.edits if isinstance(edit, Batch) else (edit,)):
        if isinstance(single, SetKind) and single.kind and single.kind not in kinds:
            close = difflib.get_close_matches(single.kind, list(kinds), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            return (f"unknown task kind {single.kind!r}{hint}: not in the taxonomy; add it in the app "
                    "(Edit → New task kind from selection) or pass --taxonomy")
    return None


def _apply_line(session: Session, number: int, obj: object, kinds: Collection[str] | None = None) -> Outcome:
    if isinstance(obj, str):
        return Outcome(number, None, "", obj)
    try:
        edit: Edit = edit_from_json(obj)
        unknown = _unknown_kind(edit, kinds) if kinds is not None else None
        if unknown:
            return Outcome(number, None, edit.label, unknown)
        if isinstance(obj, dict) and obj.get("ids") == []:
            return Outcome(number, None, edit.label, "'ids' is empty: the line names no record")
        expected = obj.get("hash") if isinstance(obj, dict) else None
        if isinstance(expected, dict):
            for rid, h in expected.items():
                rid = int(rid)
                if 0 <= rid < len(session.dataset) and record_hash(session.dataset, rid) != h:
                    return Outcome(number, None, edit.label,
                                   f"record {rid} differs from the one the recipe was made on")
        seq = session.apply(edit)
        return Outcome(number, seq, edit.label)
    except (EditError, ValueError) as e:
        return Outcome(number, None, "", str(e))
