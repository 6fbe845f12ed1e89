"""Map drawing and responsiveness, offscreen at 1600×1000.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_map.py [--points 100000 1000000] [--skip-app] [--open PATH]

1. Frame time after a pan/zoom at 100k and 1M points: our numpy raster (MapView) vs QPainter.drawPoints in 20
   colours and pyqtgraph's ScatterPlotItem (re-render via grab), on the same points.
2. The demo dataset in the real window: time from "open" to a usable map (cold and warm embedding cache), and the
   GUI event loop's worst lateness while the analysis (embedding included) runs in the background.
3. `--open PATH` (say bench_million.py's 1M records with their vectors folder beside): the same in the real window
   on that dataset — open → usable map, event loop lateness, peak RSS of the app and its helper processes — then
   the frame time of pans and zooms on the window's own map.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_million import PeakRSS  # noqa: E402

W, H = 1600, 1000
FRAMES = 15


def points(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 10, (20, 2))
    labels = rng.integers(0, 20, n)
    return (centres[labels] + rng.normal(0, 1.2, (n, 2))).astype(np.float32), labels


def ours(xy, labels) -> list[float]:
    from explorer.ui.colors import PALETTE, _hex_to_argb
    from explorer.ui.scatter.map_view import MapView

    view = MapView()
    view.resize(W, H)
    view.set_points(xy)
    colors = np.array([_hex_to_argb(PALETTE[i]) for i in range(20)], dtype=np.uint32)[labels]
    view.set_style(colors, np.ones(len(xy), bool), np.zeros(len(xy), bool), [])
    return frame_times(view)


def frame_times(view) -> list[float]:
    """Milliseconds to render each of FRAMES frames after a pan or a zoom."""
    times = []
    for k in range(FRAMES):
        view.pan(7, 3) if k % 2 else view.zoom(1.05)
        start = time.perf_counter()
        view._render()
        times.append((time.perf_counter() - start) * 1000)
    return times


def qpainter(xy, labels) -> list[float]:
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QColor, QImage, QPainter, QPen

    from explorer.ui.colors import PALETTE

    times = []
    lo, hi = xy.min(0), xy.max(0)
    for k in range(FRAMES):
        scale = (W / (hi[0] - lo[0])) * (1 + 0.02 * k)
        sx = (xy[:, 0] - lo[0]) * scale
        sy = (xy[:, 1] - lo[1]) * scale
        start = time.perf_counter()
        image = QImage(W, H, QImage.Format_ARGB32)
        image.fill(0xFFFCFCFC)
        painter = QPainter(image)
        for c in range(20):
            mask = labels == c
            painter.setPen(QPen(QColor(PALETTE[c]), 3))
            painter.drawPoints([QPointF(x, y) for x, y in zip(sx[mask].tolist(), sy[mask].tolist())])
        painter.end()
        times.append((time.perf_counter() - start) * 1000)
    return times


def pyqtgraph_scatter(xy, labels) -> list[float]:
    import pyqtgraph as pg

    from explorer.ui.colors import PALETTE

    widget = pg.PlotWidget()
    widget.resize(W, H)
    brushes = [pg.mkBrush(PALETTE[c]) for c in range(20)]
    item = pg.ScatterPlotItem(x=xy[:, 0], y=xy[:, 1], size=3, pen=None, brush=[brushes[i] for i in labels])
    widget.addItem(item)
    widget.show()
    times = []
    for k in range(FRAMES):
        widget.getViewBox().translateBy(x=0.1 * (k % 3 - 1))
        start = time.perf_counter()
        widget.grab()
        times.append((time.perf_counter() - start) * 1000)
    widget.close()
    return times


def frame_table(sizes: list[int]) -> None:
    print(f"Frame time after pan/zoom at {W}×{H} ({FRAMES} frames; target <= 33 ms at 1M)")
    print(f"  {'points':>9}  {'renderer':<34} {'median ms':>10} {'max ms':>8}")
    for n in sizes:
        xy, labels = points(n)
        rows = [("SFT Explorer MapView (numpy raster)", ours)]
        rows.append(("QPainter.drawPoints, 20 colours", qpainter))
        rows.append(("pyqtgraph ScatterPlotItem (grab)", pyqtgraph_scatter))
        for name, fn in rows:
            t = fn(xy, labels)
            print(f"  {n:>9,}  {name:<34} {statistics.median(t):>10.1f} {max(t):>8.1f}")


def app_timings() -> None:
    from explorer.ui.start_page import DEMO

    print("\nDemo dataset in the window (real bundled model, CPU)")
    for label in ("cold embedding cache", "warm embedding cache"):
        open_in_window(DEMO, label).close()


class GcPauses:
    """How long each run of Python's cyclic garbage collector held the process (it blocks every thread)."""

    def __init__(self):
        self.pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
        self._started = 0.0

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses[info["generation"]].append((time.perf_counter() - self._started) * 1000)

    def start(self) -> None:
        gc.callbacks.append(self._callback)

    def stop(self) -> None:
        gc.callbacks.remove(self._callback)

    def summary(self) -> str:
        return "; ".join(f"generation {g}: {len(p)} runs, longest {max(p, default=0):.0f} ms, total "
                         f"{sum(p) / 1000:.1f} s" for g, p in self.pauses.items())


def open_in_window(path: Path, label: str):
    """Open `path` in a real main window and wait for its analysis; prints the timings and returns the window."""
    from PySide6.QtCore import QElapsedTimer, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from explorer.ui.document import Document
    from explorer.ui.main_window import MainWindow
    from explorer.workers.jobs import JobRunner

    app = QApplication.instance()
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "s.ini"), QSettings.IniFormat)
    window = MainWindow(Document(JobRunner()), settings)
    window.resize(W, H)
    window.show()
    lateness: list[tuple[float, float]] = []
    """(how late the 10 ms timer fired, ms; when, ms after Open)."""
    collections = GcPauses()
    clock = QElapsedTimer()
    ticker = QTimer()
    ticker.setInterval(10)
    last = [0]

    def tick():
        now = clock.elapsed()
        lateness.append((now - last[0] - 10, now))
        last[0] = now

    ticker.timeout.connect(tick)
    done = []
    window.document.analysis_ready.connect(lambda: done.append(clock.elapsed()))
    clock.start()
    ticker.start()
    memory = PeakRSS(os.getpid())
    memory.start()
    collections.start()
    window.open_path(path)
    while not done:
        app.processEvents()
        time.sleep(0.002)
    ticker.stop()
    memory.running = False
    collections.stop()
    late = sorted(lateness)
    worst, at = late[-1]
    print(f"  {label:<22} open → usable map {done[0] / 1000:6.1f} s; event loop lateness p99 "
          f"{late[int(0.99 * (len(late) - 1))][0]:.0f} ms, max {worst:.0f} ms at {at / 1000:.1f} s "
          f"(target: never blocked > 100 ms); peak memory, app and helpers: RSS {memory.peak / 2**30:.2f} GB, "
          f"PSS {memory.peak_pss / 2**30:.2f} GB (a file both map counted once)")
    print(f"  {'':<22} Python's cyclic garbage collector in the window's process: {collections.summary()}")
    print(f"  {'':<22} longest stalls: " + ", ".join(f"{ms:.0f} ms at {when / 1000:.1f} s" for ms, when in late[-3:][::-1])
          + f" (the map arrived at {done[0] / 1000:.1f} s)")
    return window


def big_dataset(path: Path) -> None:
    print(f"\n{path} in the window")
    window = open_in_window(path, "open")
    n = len(window.map.xy)
    times = frame_times(window.map)
    print(f"  the window's map, {n:,} points: pan/zoom frame median {statistics.median(times):.1f} ms, "
          f"max {max(times):.1f} ms (target <= 33 ms)")
    window.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--skip-app", action="store_true")
    parser.add_argument("--open", type=Path, metavar="PATH", help="also time the window on this dataset")
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    os.environ.setdefault("SFT_EXPLORER_HOME", tempfile.mkdtemp(prefix="sft-map-"))
    QApplication.instance() or QApplication([])
    if args.points:
        frame_table(args.points)
    if not args.skip_app:
        app_timings()
    if args.open:
        big_dataset(args.open)


if __name__ == "__main__":
    main()
