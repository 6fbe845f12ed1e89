"""The map: every record as a point; pan, zoom, hover, click, box and lasso selection, cluster labels."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Callable

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QToolTip, QWidget

from explorer.core.analysis.label_layout import place_label
from explorer.ui.scatter.raster import rasterize

PICK_RADIUS = 6
MARKER_SIZE = 3.5
MARKER_ALPHA = 170


@dataclass
class Markers:
    """Points that are not records, drawn on top: eval items (×), a compared version's added records (+)."""

    name: str
    xy: np.ndarray
    color: str
    shape: str
    """'x' or '+'."""
    text: Callable[[int], str]
    """Hover text of marker i."""
MAX_LABELS = 40
MIN_LABEL_SHARE = 0.01
"""Clusters at least this share of the records always get a label."""


class MapView(QWidget):
    """Draws points from data coordinates; emits selections in record ids. Shift adds, Ctrl subtracts; a plain
    drag pans, Shift/Ctrl-drag draws a box, Alt-drag (or the lasso mode) draws a lasso."""

    selected = Signal(object, str)
    """(ids, mode) with mode 'replace', 'add' or 'subtract'."""
    clicked = Signal(int)
    """A record id, or -1 for a click on empty space."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setMinimumSize(300, 200)
        self.xy = np.zeros((0, 2), dtype=np.float32)
        self.colors = np.zeros(0, dtype=np.uint32)
        self.visible = np.zeros(0, dtype=bool)
        self.selection_mask = np.zeros(0, dtype=bool)
        self.labels: list[tuple[str, float, float, int]] = []
        self.markers: list[Markers] = []
        self.shown_labels: list[str] = []
        """The labels the last paint could place (tests read it)."""
        self.hover_text = lambda rid: ""
        self.lasso_mode = False
        self._center = np.zeros(2)
        self._scale = 1.0
        self._fitted = True
        """The view shows all the data as fitted (no zoom or pan since): a resize fits it again."""
        self._image: QImage | None = None
        self._buffer: np.ndarray | None = None
        self._drag_start: QPointF | None = None
        self._drag_path: list[QPointF] = []
        self._drag_kind = ""
        self.last_render_ms = 0.0

    # -- data -------------------------------------------------------------------------------------
    def set_points(self, xy: np.ndarray, reset_view: bool = True) -> None:
        self.xy = np.asarray(xy, dtype=np.float32)
        if reset_view:
            self.reset_view()
        self.invalidate()

    def set_style(self, colors: np.ndarray, visible: np.ndarray, selection_mask: np.ndarray,
                  labels: list[tuple[str, float, float, int]]) -> None:
        refit = self._fitted and not np.array_equal(self.visible, visible)
        self.colors, self.visible, self.selection_mask, self.labels = colors, visible, selection_mask, labels
        if refit:  # a filter or the legend changed what is shown: fit that (unless the user zoomed or panned)
            self.reset_view()
        self.invalidate()

    def set_markers(self, markers: list[Markers]) -> None:
        self.markers = markers
        self.update()

    def marker_at(self, x: float, y: float) -> tuple[Markers, int] | None:
        """The marker under the cursor (its group and index), if any."""
        best = None
        for group in self.markers:
            if len(group.xy) == 0:
                continue
            px, py = self.to_screen(group.xy)
            d2 = (px - x) ** 2 + (py - y) ** 2
            i = int(np.argmin(d2))
            if d2[i] <= PICK_RADIUS ** 2 and (best is None or d2[i] < best[0]):
                best = (d2[i], group, i)
        return None if best is None else (best[1], best[2])

    def _paint_markers(self, painter: QPainter) -> None:
        s = MARKER_SIZE
        for group in self.markers:
            if len(group.xy) == 0:
                continue
            px, py = self.to_screen(group.xy)
            inside = (px > -s) & (px < self.width() + s) & (py > -s) & (py < self.height() + s)
            color = QColor(group.color)
            color.setAlpha(MARKER_ALPHA)
            painter.setPen(QPen(color, 1.2))
            lines = []
            for x, y in zip(px[inside].tolist(), py[inside].tolist()):
                if group.shape == "x":
                    lines += [QLineF(x - s, y - s, x + s, y + s), QLineF(x - s, y + s, x + s, y - s)]
                else:
                    lines += [QLineF(x - s, y, x + s, y), QLineF(x, y - s, x, y + s)]
            painter.drawLines(lines)
        self._paint_marker_key(painter)

    def _paint_marker_key(self, painter: QPainter) -> None:
        """What the markers are, bottom left: '× Eval item (1,319)'."""
        groups = [g for g in self.markers if len(g.xy)]
        painter.setFont(QFont(self.font().family(), 9))
        y = self.height() - 8 - 16 * (len(groups) - 1)
        for group in groups:
            painter.setPen(QColor(group.color))
            painter.drawText(QPointF(8, y), f"{'×' if group.shape == 'x' else '+'} {group.name} ({len(group.xy):,})")
            y += 16

    def reset_view(self) -> None:
        self._fitted = True
        if len(self.xy) == 0:
            self._center, self._scale = np.zeros(2), 1.0
            return
        shown = self.xy[self.visible] if len(self.visible) == len(self.xy) and self.visible.any() else self.xy
        lo, hi = shown.min(axis=0), shown.max(axis=0)
        self._center = (lo + hi) / 2
        span = np.maximum(hi - lo, 1e-6)
        self._scale = 0.9 * min(max(self.width(), 1) / span[0], max(self.height(), 1) / span[1])
        self.invalidate()

    def invalidate(self) -> None:
        self._image = None
        self.update()

    # -- coordinates ------------------------------------------------------------------------------
    def to_screen(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        px = (xy[:, 0] - self._center[0]) * self._scale + self.width() / 2
        py = (self._center[1] - xy[:, 1]) * self._scale + self.height() / 2
        return px, py

    def to_data(self, x: float, y: float) -> tuple[float, float]:
        return ((x - self.width() / 2) / self._scale + self._center[0],
                self._center[1] - (y - self.height() / 2) / self._scale)

    def zoom(self, factor: float, at: QPointF | None = None) -> None:
        at = at or QPointF(self.width() / 2, self.height() / 2)
        before = np.array(self.to_data(at.x(), at.y()))
        self._scale *= factor
        self._fitted = False
        after = np.array(self.to_data(at.x(), at.y()))
        self._center += before - after
        self.invalidate()

    def pan(self, dx: float, dy: float) -> None:
        self._center += np.array([-dx / self._scale, dy / self._scale])
        self._fitted = False
        self.invalidate()

    def point_at(self, x: float, y: float) -> int | None:
        if len(self.xy) == 0:
            return None
        px, py = self.to_screen(self.xy)
        d2 = (px - x) ** 2 + (py - y) ** 2
        d2[~self.visible] = np.inf
        best = int(np.argmin(d2))
        return best if d2[best] <= PICK_RADIUS ** 2 else None

    def select_polygon(self, screen_points: list[tuple[float, float]], mode: str = "replace") -> np.ndarray:
        """Select the visible records inside a lasso drawn in screen coordinates (the same path a mouse takes)."""
        ids = _inside_polygon(*self.to_screen(self.xy), np.asarray(screen_points, dtype=np.float64))
        ids = ids[self.visible[ids]]
        self.selected.emit(ids, mode)
        return ids

    def select_rect(self, x0: float, y0: float, x1: float, y1: float, mode: str = "replace") -> np.ndarray:
        px, py = self.to_screen(self.xy)
        inside = (px >= min(x0, x1)) & (px <= max(x0, x1)) & (py >= min(y0, y1)) & (py <= max(y0, y1)) & self.visible
        ids = np.flatnonzero(inside)
        self.selected.emit(ids, mode)
        return ids

    # -- painting ---------------------------------------------------------------------------------
    def _render(self) -> None:
        import time

        start = time.perf_counter()
        ratio = self.devicePixelRatioF()  # draw at device pixels: sharp on high-DPI screens
        w, h = max(int(self.width() * ratio), 1), max(int(self.height() * ratio), 1)
        background = self.palette().color(self.backgroundRole()).rgba()  # follows light/dark themes
        if len(self.xy):
            px, py = self.to_screen(self.xy)
            radius = 2 if len(self.xy) < 20_000 else 1  # bigger markers while they do not crowd each other
            self._buffer = rasterize(px * ratio, py * ratio, self.colors, self.visible, self.selection_mask, w, h,
                                     background, radius=max(1, round(radius * ratio)))
        else:
            self._buffer = np.full((h, w), background, dtype=np.uint32)
        self._image = QImage(self._buffer.data, w, h, 4 * w, QImage.Format_ARGB32)
        self._image.setDevicePixelRatio(ratio)
        self.last_render_ms = (time.perf_counter() - start) * 1000

    def paintEvent(self, event) -> None:
        ratio = self.devicePixelRatioF()
        if (self._image is None or self._image.width() != int(self.width() * ratio)
                or self._image.height() != int(self.height() * ratio)):
            self._render()
        painter = QPainter(self)
        painter.drawImage(0, 0, self._image)
        self._paint_markers(painter)
        self._paint_labels(painter)
        if self._drag_kind in ("box", "lasso") and self._drag_path:
            painter.setPen(QPen(QColor("#333"), 1, Qt.DashLine))
            if self._drag_kind == "box":
                painter.drawRect(QRectF(self._drag_path[0], self._drag_path[-1]))
            else:
                painter.drawPolyline(QPolygonF(self._drag_path))
        if len(self.xy) == 0:
            painter.setPen(self.palette().color(self.foregroundRole()))
            painter.drawText(self.rect(), Qt.AlignCenter, "The map appears when the analysis is done.")
        painter.end()

    def _paint_labels(self, painter: QPainter) -> None:
        """Largest clusters first; a label that would overlap or leave the view moves next to its centre (with a
        leader line) instead of disappearing; only clusters under MIN_LABEL_SHARE give way when there is no room."""
        if not self.labels:
            return
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 0.95)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        taken: list[QRectF] = []
        self.shown_labels = []
        centres = np.array([[x, y] for _, x, y, _ in self.labels], dtype=np.float32)
        px, py = self.to_screen(centres)
        view = QRectF(self.rect())
        n = max(len(self.xy), 1)
        for (text, _, _, size), x, y in zip(self.labels[:MAX_LABELS], px, py):
            if not view.contains(x, y):
                continue  # the cluster is outside the view (zoomed in elsewhere)
            base = QRectF(metrics.boundingRect(text)).translated(x - metrics.horizontalAdvance(text) / 2, y)
            base.adjust(-3, -1, 3, 1)
            rect = self._place_label(base, view, taken, size / n >= MIN_LABEL_SHARE)
            if rect is None:
                continue  # a small cluster in a crowded spot: a larger cluster's label is already there
            taken.append(rect)
            self.shown_labels.append(text)
            if not rect.contains(x, y):
                painter.setPen(QPen(QColor(40, 40, 40, 160), 1))
                target = rect.center()
                painter.drawLine(QPointF(x, y), QPointF(min(max(x, rect.left()), rect.right()),
                                                        rect.top() if y < target.y() else rect.bottom()))
            path = QPainterPath()
            path.addText(rect.left() + 3, rect.bottom() - metrics.descent() - 1, font, text)
            painter.setPen(QPen(QColor(255, 255, 255, 230), 3))
            painter.drawPath(path)
            painter.fillPath(path, QColor("#222"))

    @staticmethod
    def _place_label(base: QRectF, view: QRectF, taken: list[QRectF], must_show: bool) -> QRectF | None:
        """The first free spot near `base`, kept inside the view (see `label_layout.place_label`)."""
        spot = place_label((base.left(), base.top(), base.width(), base.height()),
                           (view.left(), view.top(), view.width(), view.height()),
                           [(r.left(), r.top(), r.width(), r.height()) for r in taken], must_show)
        return None if spot is None else QRectF(*spot)

    # -- interaction ------------------------------------------------------------------------------
    def resizeEvent(self, event) -> None:
        if event.oldSize().width() <= 0 or self._fitted:
            self.reset_view()  # the data keeps filling the map as the window or the docks change size
        self.invalidate()

    def wheelEvent(self, event) -> None:
        self.zoom(1.15 ** (event.angleDelta().y() / 120), event.position())

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if key in (Qt.Key_Plus, Qt.Key_Equal):
            self.zoom(1.25)
        elif key == Qt.Key_Minus:
            self.zoom(1 / 1.25)
        elif key == Qt.Key_0:
            self.reset_view()
        elif key in (Qt.Key_Left, Qt.Key_Right, Qt.Key_Up, Qt.Key_Down):
            step = 40
            dx = {Qt.Key_Left: step, Qt.Key_Right: -step}.get(key, 0)
            dy = {Qt.Key_Up: step, Qt.Key_Down: -step}.get(key, 0)
            self.pan(dx, dy)
        else:
            super().keyPressEvent(event)

    def _mode(self, modifiers) -> str:
        if modifiers & Qt.ControlModifier:
            return "subtract"
        return "add" if modifiers & Qt.ShiftModifier else "replace"

    def mousePressEvent(self, event) -> None:
        if event.button() != Qt.LeftButton:
            return
        mods = event.modifiers()
        self._drag_start = event.position()
        self._drag_path = [event.position()]
        if self.lasso_mode or mods & Qt.AltModifier:
            self._drag_kind = "lasso"
        elif mods & (Qt.ShiftModifier | Qt.ControlModifier):
            self._drag_kind = "box"
        else:
            self._drag_kind = "pan"
        self._select_mode = self._mode(mods)

    def mouseMoveEvent(self, event) -> None:
        pos = event.position()
        if self._drag_start is None:
            rid = self.point_at(pos.x(), pos.y())
            marker = self.marker_at(pos.x(), pos.y()) if rid is None else None
            if marker is not None:
                group, i = marker
                QToolTip.showText(event.globalPosition().toPoint(),
                                  f"<p><b>{escape(group.name)}</b>: {escape(group.text(i)[:300])}</p>", self)
            elif rid is None:
                QToolTip.hideText()
            else:  # escaped: Qt would otherwise interpret rich text in a record
                QToolTip.showText(event.globalPosition().toPoint(), f"<p>#{rid}: {escape(self.hover_text(rid))}</p>",
                                  self)
            return
        if self._drag_kind == "pan":
            last = self._drag_path[-1]
            self.pan(pos.x() - last.x(), pos.y() - last.y())
        self._drag_path.append(pos)
        self.update()

    def mouseReleaseEvent(self, event) -> None:
        if self._drag_start is None:
            return
        start, pos, kind = self._drag_start, event.position(), self._drag_kind
        moved = (pos - start).manhattanLength() > 3
        self._drag_start, self._drag_kind = None, ""
        if not moved:
            rid = self.point_at(pos.x(), pos.y())
            if rid is not None:
                self.selected.emit(np.array([rid]), self._select_mode)
            self.clicked.emit(-1 if rid is None else rid)
        elif kind == "box":
            self.select_rect(start.x(), start.y(), pos.x(), pos.y(), self._select_mode)
        elif kind == "lasso" and len(self._drag_path) > 2:
            self.select_polygon([(p.x(), p.y()) for p in self._drag_path], self._select_mode)
        self._drag_path = []
        self.update()


def _inside_polygon(px: np.ndarray, py: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Ids of points inside a polygon (even-odd rule), vectorized over points, looping over edges."""
    lo, hi = polygon.min(axis=0), polygon.max(axis=0)
    candidates = np.flatnonzero((px >= lo[0]) & (px <= hi[0]) & (py >= lo[1]) & (py <= hi[1]))
    x, y = px[candidates], py[candidates]
    inside = np.zeros(len(candidates), dtype=bool)
    x0, y0 = polygon[-1]
    for x1, y1 in polygon:
        crosses = (y1 > y) != (y0 > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = (x0 - x1) * (y - y1) / (y0 - y1) + x1
        inside ^= crosses & (x < at)
        x0, y0 = x1, y1
    return candidates[inside]
