"""OASST message rows (message_id, parent_id, role prompter/assistant, text) assembled into threads."""

from __future__ import annotations

from explorer.core.formats.base import Format, as_text, message
from explorer.core.record import Record, normalize_role

ROW_KEYS = {"message_id", "text", "role"}
"""parent_id is also expected, but a root row read from a table has it null, which reads as absent."""


def match(obj: dict) -> bool:
    return ROW_KEYS <= obj.keys()


def row_record(obj: dict, rid: int) -> Record:
    """One row on its own (used only when a row's thread cannot be rebuilt)."""
    return thread_record([obj], rid)


def thread_record(rows: list[dict], rid: int) -> Record:
    """A conversation from the rows on one root-to-leaf path."""
    warnings: list[str] = []
    msgs = []
    for row in rows:
        role = normalize_role(row.get("role")) or "user"
        msgs.append(message(role, as_text(row.get("text"), f"message {row.get('message_id')} text", warnings),
                            row.get("role") if isinstance(row.get("role"), str) else None))
    leaf = rows[-1]
    meta = {k: v for k, v in leaf.items() if k not in ("text", "role", "parent_id")}
    meta["message_ids"] = [r.get("message_id") for r in rows]
    return Record(rid, "oasst", msgs, meta, warnings)


def assemble_threads(rows: dict[int, dict]) -> tuple[list[list[int]], list[str]]:
    """Given {unit index: row}, return root-to-leaf paths of unit indices (ordered by leaf) and warnings.

    A leaf is a row no other row names as parent. A row whose parent is missing starts its own thread.
    """
    by_id: dict[object, int] = {}
    warnings: list[str] = []
    for unit, row in rows.items():
        mid = row.get("message_id")
        if mid in by_id:
            warnings.append(f"message_id {mid!r} appears twice (line of unit {unit})")
        by_id[mid] = unit
    parents = {row.get("parent_id") for row in rows.values()}
    paths = []
    for unit in sorted(rows):
        if rows[unit].get("message_id") in parents:
            continue
        path, seen, cur = [], set(), unit
        while cur is not None and cur not in seen:
            seen.add(cur)
            path.append(cur)
            cur = by_id.get(rows[cur].get("parent_id"))
        paths.append(path[::-1])
    return paths, warnings


FORMAT = Format("oasst", "message rows with message_id / parent_id (OpenAssistant)", match, row_record)
