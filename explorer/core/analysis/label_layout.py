"""Where cluster labels go on a map so that none overlaps another and none leaves the frame.

Largest clusters first; a label that would collide moves to the nearest free spot around its cluster's centre
(the caller draws a leader line when it moved). Labels of clusters that must show (≥ 1 % of the records) try
every spot; smaller ones give way when their own spot is taken.
"""

from __future__ import annotations

Box = tuple[float, float, float, float]
"""left, top, width, height"""


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _steps_near_first(w: float, h: float) -> list[tuple[float, float]]:
    """Offsets around the centre, nearest first: up to 8 lines above and below, up to a label's width aside."""
    steps = [(dx * w, dy * h) for dy in range(-8, 9) for dx in (0, -0.5, 0.5, -1, 1)]
    return sorted(steps, key=lambda s: (s[0] / w) ** 2 + (s[1] / h) ** 2)


def place_label(box: Box, frame: Box, taken: list[Box], must_show: bool) -> Box | None:
    """The first free spot for `box` near where it is, moved inside `frame`; None when there is none."""
    left, top, w, h = box
    steps = _steps_near_first(w, h) if must_show else [(0, 0)]
    fx, fy, fw, fh = frame
    for dx, dy in steps:
        x = min(max(left + dx, fx), fx + fw - w)
        y = min(max(top + dy, fy), fy + fh - h)
        candidate = (x, y, w, h)
        if not any(_overlaps(candidate, t) for t in taken):
            return candidate
    return None


def layout_labels(boxes: list[Box], must_show: list[bool], frame: Box) -> list[Box | None]:
    """Place `boxes` in order (put the largest clusters first); None for a label left out."""
    taken: list[Box] = []
    out: list[Box | None] = []
    for box, must in zip(boxes, must_show):
        spot = place_label(box, frame, taken, must)
        if spot is not None:
            taken.append(spot)
        out.append(spot)
    return out
