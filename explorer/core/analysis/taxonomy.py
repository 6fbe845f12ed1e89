"""Task-kind taxonomy: assign each record its functional kind, and measure coverage against target shares.

A record gets a kind by, in order: structure (several user turns → multi-turn dialogue), a keyword of the kind
(`translate`, `翻译`, ...), or the nearest example instruction by embedding when it is similar enough;
otherwise it is `unassigned`. Kinds whose share is under half their target are gaps.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

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


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Read a taxonomy JSON file (the bundled default when `path` is None)."""
    path = Path(path) if path else DEFAULT_PATH
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        kinds = [Kind(**{k: v for k, v in item.items() if k in Kind.__dataclass_fields__}) for item in data["kinds"]]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise DatasetError(f"cannot read the taxonomy: {e}", str(path)) from None
    ids = [k.id for k in kinds]
    if len(set(ids)) != len(ids) or UNASSIGNED in ids:
        raise DatasetError(f"taxonomy kind ids must be unique and not {UNASSIGNED!r}", str(path))
    return Taxonomy(kinds, str(path))


def example_texts(taxonomy: Taxonomy) -> tuple[list[str], list[int]]:
    """All example instructions, and the index of the kind each belongs to."""
    texts, owners = [], []
    for i, kind in enumerate(taxonomy.kinds):
        for ex in kind.examples:
            texts.append(ex)
            owners.append(i)
    return texts, owners


def assign(taxonomy: Taxonomy, instructions: list[str], user_turn_counts: list[int], vectors: np.ndarray,
           example_vectors: np.ndarray, example_owner: list[int], threshold: float) -> tuple[list[str], list[str]]:
    """(kind id, reason) per record; reason is 'structure', 'keyword …' or 'similar to an example (0.62)'."""
    ids = [k.id for k in taxonomy.kinds]
    keyword_rules = [(k.id, [w.lower() for w in k.keywords]) for k in taxonomy.kinds if k.keywords]
    has_multi = MULTI_TURN in ids
    if len(example_vectors):
        sims = vectors @ example_vectors.T
        best = sims.argmax(axis=1)
        best_sim = sims[np.arange(len(vectors)), best]
    kinds, reasons = [], []
    owner = np.asarray(example_owner)
    for i, text in enumerate(instructions):
        if has_multi and user_turn_counts[i] > 1:
            kinds.append(MULTI_TURN)
            reasons.append("several user turns")
            continue
        lowered = text.lower()
        hit = next(((kid, w) for kid, words in keyword_rules for w in words if w in lowered), None)
        if hit:
            kinds.append(hit[0])
            reasons.append(f"keyword '{hit[1]}'")
        elif len(example_vectors) and best_sim[i] >= threshold:
            kinds.append(ids[owner[best[i]]])
            reasons.append(f"similar to an example ({best_sim[i]:.2f})")
        else:
            kinds.append(UNASSIGNED)
            reasons.append("no kind is close enough")
    return kinds, reasons


def coverage(taxonomy: Taxonomy, kinds: list[str]) -> list[dict]:
    """Count, share and target per kind; `gap` is True when the share is under half the target."""
    counts: dict[str, int] = {}
    for k in kinds:
        counts[k] = counts.get(k, 0) + 1
    return coverage_from_counts(taxonomy, counts)


def coverage_from_counts(taxonomy: Taxonomy, counts: dict[str, int]) -> list[dict]:
    """`coverage` from records counted per kind (the live view counts with numpy, not from a list)."""
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
    return rows


def user_taxonomy_path() -> Path:
    from explorer.core.paths import user_dir

    return user_dir("config") / "taxonomy.json"


def set_target(source: str | Path | None, kind: str, share: float) -> Path:
    """Write the user's copy of the taxonomy with `kind` at `share` of the target (others keep their weights)."""
    if not 0 < share < 1:
        raise DatasetError("a target share must be between 0% and 100%")
    source = Path(source) if source else DEFAULT_PATH
    data = json.loads(source.read_text(encoding="utf-8"))
    kinds = data["kinds"]
    if kind not in [k["id"] for k in kinds]:
        raise DatasetError(f"no task kind {kind!r} in the taxonomy", str(source))
    others = sum(float(k.get("target", 1.0)) for k in kinds if k["id"] != kind)
    for k in kinds:
        if k["id"] == kind:
            k["target"] = round(share * others / (1 - share), 6)
    out = user_taxonomy_path()
    from explorer.core.atomic import write_chunks

    write_chunks(out, [json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")])
    return out
