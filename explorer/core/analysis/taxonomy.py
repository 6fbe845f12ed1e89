"""Task-kind taxonomy: the kinds (names in English and Chinese, description, keywords, examples, target share),
and coverage against the target shares. Kinds whose share is under half their target are gaps. Which kind a
record is, `kind_classifier` decides.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from explorer.core.errors import DatasetError

DEFAULT_PATH = Path(__file__).resolve().parents[3] / "resources" / "taxonomy.json"
UNASSIGNED = "unassigned"
MULTI_TURN = "multi_turn"
GAP_FRACTION = 0.5


@dataclass
class Kind:
    id: str
    name_en: str
    name_zh: str
    description: str
    keywords: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    target: float = 1.0


@dataclass
class Taxonomy:
    kinds: list[Kind]
    source: str

    @property
    def digest(self) -> str:
        text = json.dumps([k.__dict__ for k in self.kinds], sort_keys=True, ensure_ascii=False)
        return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]

    def targets(self) -> dict[str, float]:
        """Target share per kind (uniform unless the taxonomy sets relative `target` weights)."""
        total = sum(k.target for k in self.kinds) or 1.0
        return {k.id: k.target / total for k in self.kinds}


def in_effect(path: str | Path | None = None) -> Path:
    """The taxonomy file to read: `path` when given, else the user's copy when there is one (kinds added and
    targets set in the app are saved there, and must hold after a restart and in the command line too), else the
    bundled default."""
    if path:
        return Path(path)
    user = user_taxonomy_path()
    return user if user.exists() else DEFAULT_PATH


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Read a taxonomy JSON file (`in_effect`: with no `path`, the user's copy or the bundled default)."""
    path = in_effect(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        kinds = [Kind(**{k: v for k, v in item.items() if k in Kind.__dataclass_fields__}) for item in data["kinds"]]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise DatasetError(f"cannot read the taxonomy: {e}", str(path)) from None
    ids = [k.id for k in kinds]
    if len(set(ids)) != len(ids) or UNASSIGNED in ids:
        raise DatasetError(f"taxonomy kind ids must be unique and not {UNASSIGNED!r}", str(path))
    return Taxonomy(kinds, str(path))


def coverage(taxonomy: Taxonomy, kinds: list[str], unsure=None) -> list[dict]:
    """Count, share and target per kind; `gap` is True when the share is under half the target. With `unsure`
    (per record, True where its predicted kind is uncertain: `kind_classifier.SURE`), each row also says how many
    of its records are uncertain (`unsure`)."""
    counts: dict[str, int] = {}
    doubts: dict[str, int] = {}
    for i, k in enumerate(kinds):
        counts[k] = counts.get(k, 0) + 1
        if unsure is not None and unsure[i]:
            doubts[k] = doubts.get(k, 0) + 1
    return coverage_from_counts(taxonomy, counts, None if unsure is None else doubts)


def coverage_from_counts(taxonomy: Taxonomy, counts: dict[str, int], unsure: dict[str, int] | None = None
                         ) -> list[dict]:
    """`coverage` from records counted per kind, and uncertain ones per kind (the live view counts with numpy)."""
    n = sum(counts.values()) or 1
    targets = taxonomy.targets()
    rows = []
    for kind in taxonomy.kinds:
        share = counts.get(kind.id, 0) / n
        rows.append({"kind": kind.id, "name_en": kind.name_en, "name_zh": kind.name_zh,
                     "count": counts.get(kind.id, 0), "share": round(share, 4),
                     "target": round(targets[kind.id], 4), "gap": share < GAP_FRACTION * targets[kind.id]})
    rows.append({"kind": UNASSIGNED, "name_en": "Unassigned", "name_zh": "未归类", "count": counts.get(UNASSIGNED, 0),
                 "share": round(counts.get(UNASSIGNED, 0) / n, 4), "target": None, "gap": False})
    if unsure is not None:
        for row in rows:
            row["unsure"] = unsure.get(row["kind"], 0)
    return rows


def user_taxonomy_path() -> Path:
    from explorer.core.paths import user_dir

    return user_dir("config") / "taxonomy.json"


def _read(source: str | Path | None) -> tuple[Path, dict]:
    source = in_effect(source)
    return source, json.loads(source.read_text(encoding="utf-8"))


def save_user_copy(data: dict) -> Path:
    """Write `data` as the user's copy of the taxonomy; returns its path."""
    from explorer.core.atomic import write_chunks

    out = user_taxonomy_path()
    write_chunks(out, [json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")])
    return out


def _weight_for(share: float, others: float) -> float:
    if not 0 <= share < 1:
        raise DatasetError("a target share must be at least 0% and under 100%")
    return round(share * others / (1 - share), 6)


def set_target(source: str | Path | None, kind: str, share: float) -> Path:
    """Write the user's copy of the taxonomy with `kind` at `share` of the target (others keep their weights)."""
    source, data = _read(source)
    kinds = data["kinds"]
    if kind not in [k["id"] for k in kinds]:
        raise DatasetError(f"no task kind {kind!r} in the taxonomy", str(source))
    others = sum(float(k.get("target", 1.0)) for k in kinds if k["id"] != kind)
    weight = _weight_for(share, others)
    for k in kinds:
        if k["id"] == kind:
            k["target"] = weight
    return save_user_copy(data)


def remove_kind(source: str | Path | None, kind: str) -> tuple[Path, dict | None]:
    """Write the user's copy of the taxonomy without `kind` (others untouched); returns its path and the entry
    taken out (as it was, a target set since included), None when there was none."""
    _, data = _read(source)
    entry = next((k for k in data["kinds"] if k["id"] == kind), None)
    data["kinds"] = [k for k in data["kinds"] if k["id"] != kind]
    return save_user_copy(data), entry


def restore_kind(source: str | Path | None, entry: dict) -> Path:
    """Write the user's copy of the taxonomy with the kind `entry` (as `with_new_kind` made it) back at the end."""
    _, data = _read(source)
    if entry["id"] not in [k["id"] for k in data["kinds"]]:
        data["kinds"].append(entry)
    return save_user_copy(data)


def kind_id_for(name: str) -> str:
    """A kind id from its English name: 'Legal advice' → 'legal_advice'."""
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return slug or "kind"


def with_new_kind(source: str | Path | None, name_en: str, name_zh: str, share: float, examples: list[str],
                  description: str = "") -> tuple[dict, str]:
    """The taxonomy's JSON with a new kind (at `share` of the target, with up to 20 of `examples` as its example
    instructions) and the new kind's id; nothing is written (`save_user_copy` does)."""
    if not name_en.strip():
        raise DatasetError("a new task kind needs an English name")
    source, data = _read(source)
    kinds = data["kinds"]
    kind = kind_id_for(name_en)
    if kind in [k["id"] for k in kinds] or kind == UNASSIGNED:
        raise DatasetError(f"there is already a task kind {kind!r}", str(source))
    others = sum(float(k.get("target", 1.0)) for k in kinds)
    kinds.append({"id": kind, "name_en": name_en.strip(), "name_zh": name_zh.strip() or name_en.strip(),
                  "description": description.strip() or f"Added from {len(examples)} records the user picked.",
                  "keywords": [], "examples": [e for e in examples if e.strip()][:20],
                  "target": _weight_for(share, others)})
    return data, kind
