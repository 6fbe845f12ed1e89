"""Drawing a million points fast: numpy writes 3×3 markers straight into an ARGB buffer shown as a QImage."""

from __future__ import annotations

import numpy as np

BACKGROUND = 0xFFFCFCFC
SELECTED = 0xFF111111
MARKER = [(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]


def rasterize(px: np.ndarray, py: np.ndarray, colors: np.ndarray, visible: np.ndarray, selected: np.ndarray | None,
              width: int, height: int, background: int = BACKGROUND) -> np.ndarray:
    """An (height, width) uint32 image of the visible points (later points on top), selected ones ringed."""
    image = np.full((height, width), background, dtype=np.uint32)
    inside = visible & (px >= 1) & (px < width - 1) & (py >= 1) & (py < height - 1)
    ix, iy, c = px[inside].astype(np.int32), py[inside].astype(np.int32), colors[inside]
    if selected is not None:
        sel = selected[inside]
        sx, sy = ix[sel], iy[sel]
        for dx in (-2, -1, 0, 1, 2):
            for dy in (-2, -1, 0, 1, 2):
                x, y = np.clip(sx + dx, 0, width - 1), np.clip(sy + dy, 0, height - 1)
                image[y, x] = SELECTED
    for dx, dy in MARKER:
        image[iy + dy, ix + dx] = c
    return image
