"""Column mappings remembered per file, so a file needs its mapping only once."""

from __future__ import annotations

import json
from pathlib import Path

from explorer.core.atomic import write_chunks
from explorer.core.formats.mapped import ColumnMapping
from explorer.core.paths import user_dir


def _store() -> Path:
    return user_dir("config") / "mappings.json"


def _load_all() -> dict:
    try:
        data = json.loads(_store().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def remembered(path: str | Path) -> ColumnMapping | None:
    """The mapping last used for this file, or None."""
    entry = _load_all().get(str(Path(path).resolve()))
    if not isinstance(entry, dict):
        return None
    try:
        return ColumnMapping(**entry)
    except TypeError:
        return None


def remember(path: str | Path, mapping: ColumnMapping) -> None:
    """Remember `mapping` for this file (written atomically)."""
    data = _load_all()
    data[str(Path(path).resolve())] = mapping.to_dict()
    write_chunks(_store(), [json.dumps(data, indent=1, ensure_ascii=False).encode("utf-8")])
