"""What the map draws for the current view: a colour and visibility per record, and the cluster labels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.ui.colors import Groups, argb_table, groups_for

DELETED_ARGB = 0xFFE2E2E2


@dataclass
class MapStyle:
    groups: Groups
    colors: np.ndarray
    visible: np.ndarray
    labels: list[tuple[str, float, float, int]]
    legend_hidden: np.ndarray | None = None
    """Records in the legend groups the user unchecked (None: none unchecked)."""

    def same_picture(self, other: MapStyle | None) -> bool:
        """True when the map would look the same (an edit that changes no colour, visibility or label)."""
        return other is not None and len(other.colors) == len(self.colors) and \
            np.array_equal(other.colors, self.colors) and np.array_equal(other.visible, self.visible) and \
            other.labels == self.labels


def map_style(document, state) -> MapStyle:
    """Colours by `state.color_by`; hidden legend groups, the filter and deleted records (unless shown, greyed)."""
    ws = document.workspace
    groups = groups_for(state.color_by, document)
    colors = argb_table(groups)[groups.index]
    hidden = np.array([name in state.hidden_groups for name in groups.names], dtype=bool)
    legend_hidden = hidden[groups.index] if hidden.any() else None
    visible = ~legend_hidden if legend_hidden is not None else np.ones(len(groups.index), dtype=bool)
    if ws.filter_mask is not None:
        visible &= ws.filter_mask
    deleted = list(ws.session.state.deleted) if ws.session is not None else []
    if deleted:
        if state.show_deleted:
            colors[deleted] = DELETED_ARGB
        else:
            visible[deleted] = False
    labels = []
    if state.color_by == "cluster":  # clusters with nothing left to show (deleted, filtered out) get no label
        shown = ws.live.cluster_sizes(ws.filter_mask)
        labels = [(ws.cluster_name(c.cluster), c.x, c.y, c.size) for c in ws.cluster_centres() if shown[c.cluster]]
    return MapStyle(groups, colors, visible, labels, legend_hidden)
