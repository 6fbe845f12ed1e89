"""Map labels never overlap, never leave the frame, and clusters of ≥ 1 % always get one."""

import numpy as np

from explorer.core.analysis.html_report import _map_svg
from explorer.core.analysis.label_layout import _overlaps, layout_labels


def test_crowded_labels_move_apart_inside_the_frame():
    boxes = [(95.0, 50.0, 60.0, 14.0)] * 6 + [(-30.0, 2.0, 60.0, 14.0)]  # six on one spot, one off the left edge
    placed = layout_labels(boxes, [True] * 7, (0, 0, 200, 120))
    assert all(p is not None for p in placed)
    assert all(not _overlaps(a, b) for i, a in enumerate(placed) for b in placed[i + 1:])
    assert all(0 <= x and x + w <= 200 and 0 <= y and y + h <= 120 for x, y, w, h in placed)
    small = layout_labels(boxes[:2], [True, False], (0, 0, 200, 120))
    assert small[1] is None  # a small cluster's label gives way instead of moving


class _Analysis:
    def __init__(self, xy, clusters):
        self.xy, self.clusters = xy, clusters
        self.eval_items = None

    def cluster_label(self, c):
        return f"label words of cluster {c}"


def test_report_map_labels_do_not_overlap():
    rng = np.random.default_rng(0)
    clusters = np.repeat(np.arange(12), 20)
    xy = rng.normal(scale=0.05, size=(240, 2)) + (clusters[:, None] % 3) * 0.01  # every cluster near the middle
    svg = _map_svg(_Analysis(xy.astype(np.float32), clusters))
    assert svg.count("<text") == 12 and "<line" in svg
