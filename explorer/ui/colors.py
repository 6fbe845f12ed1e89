"""Colour groups for the map and its legend: by cluster, task kind, quality flags, token length or tags."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.core.analysis.live import FLAG_NAMES
from explorer.core.analysis.taxonomy import UNASSIGNED

PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#86bcb6", "#8cd17d", "#b6992d", "#499894", "#d37295", "#a0cbe8", "#ffbe7d", "#f1ce63", "#d4a6c8",
           "#fabfd2", "#79706e"]
QUIET = "#c4c4c4"
TOKEN_BINS = (0, 64, 256, 1024, 4096)
CHANGE_NAMES = ("unchanged", "edited", "removed")
CHANGE_COLORS = (QUIET, "#f28e2b", "#e15759")
ADDED_COLOR = "#2e8b57"
"""B's added records, drawn as + markers (they are not A's records)."""
EVAL_COLOR = "#111111"


@dataclass
class Groups:
    index: np.ndarray
    """Group number per record."""
    names: list[str]
    colors: list[str]
    counts: list[int]


def _hex_to_argb(color: str) -> int:
    return 0xFF000000 | int(color.lstrip("#"), 16)


def argb_table(groups: Groups) -> np.ndarray:
    return np.array([_hex_to_argb(c) for c in groups.colors], dtype=np.uint32)


def groups_for(mode: str, document) -> Groups:
    """Groups of the open document's records for a colour mode; counts are of the records there now (and inside
    the filter)."""
    live = document.live
    n = len(document)
    if mode == "cluster":
        ids = live.cluster_ids.tolist()
        names = [("noise" if c < 0 else f"{c}: {document.cluster_name(c)}") for c in ids]
        colors = [QUIET if c < 0 else PALETTE[c % len(PALETTE)] for c in ids]
        index = live.cluster_codes
    elif mode == "kind":
        counts = np.bincount(live.kind_codes, minlength=len(live.kind_names))
        order = sorted(range(len(live.kind_names)), key=lambda k: (live.kind_names[k] == UNASSIGNED, -counts[k]))
        names = [str(live.kind_names[k]) for k in order]
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        index = rank[live.kind_codes]
        colors = [QUIET if k == UNASSIGNED else PALETTE[i % len(PALETTE)] for i, k in enumerate(names)]
    elif mode == "flags":
        present = [f for f, on in zip(FLAG_NAMES, live.flag_matrix.any(axis=0).tolist()) if on]
        names = ["no flags"] + sorted(present)
        colour_of = np.array([names.index(f) if f in present else 0 for f in FLAG_NAMES], dtype=np.int64)
        index = np.where(live.any_flag, colour_of[live.flag_matrix.argmax(axis=1)], 0)  # by the first flag
        colors = [QUIET] + [PALETTE[(i + 2) % len(PALETTE)] for i in range(len(names) - 1)]
    elif mode.startswith("flag:"):
        flag = mode.split(":", 1)[1]
        names = [f"without {flag}", flag]
        index = (live.flag_matrix[:, FLAG_NAMES.index(flag)] if flag in FLAG_NAMES else
                 np.zeros(len(live), dtype=bool)).astype(np.int64)
        colors = [QUIET, "#e15759"]
    elif mode.startswith("column:"):
        names_, codes = document.columns[mode.split(":", 1)[1]]
        names = ["(none)"] + list(names_)
        index = (codes + 1).astype(np.int64)
        colors = [QUIET] + [PALETTE[i % len(PALETTE)] for i in range(len(names_))]
    elif mode == "tokens":
        bins = np.digitize(live.tokens["conversation"], TOKEN_BINS[1:])
        names = [f"< {TOKEN_BINS[1]}"] + [f"{lo}–{hi}" for lo, hi in zip(TOKEN_BINS[1:], TOKEN_BINS[2:])] + \
            [f"> {TOKEN_BINS[-1]}"]
        index = bins.astype(np.int64)
        colors = ["#c6dbef", "#6baed6", "#2171b5", "#08306b", "#e15759"]
    elif mode == "tags":
        tagged = {rid: tags for rid, tags in document.session.state.tags.items() if tags}  # only tagged records
        tag_names = sorted({t for tags in tagged.values() for t in tags})
        names = ["untagged"] + tag_names
        lookup = {t: i for i, t in enumerate(names)}
        index = np.zeros(n, dtype=np.int64)
        for rid, tags in tagged.items():
            index[rid] = lookup[min(tags)]
        colors = [QUIET] + [PALETTE[i % len(PALETTE)] for i in range(len(tag_names))]
    elif mode == "change":  # against the compared version (File → Compare with…)
        codes = document.workspace.change_status()
        if codes is None:
            names, colors, index = ["no comparison (File → Compare with…)"], [QUIET], np.zeros(n, dtype=np.int64)
        else:
            names, colors, index = list(CHANGE_NAMES), list(CHANGE_COLORS), codes.astype(np.int64)
    else:
        raise ValueError(mode)
    counts = np.bincount(index[live.mask(document.filter_mask)], minlength=len(names)).tolist()
    return Groups(index, names, colors, counts)
