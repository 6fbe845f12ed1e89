"""Background jobs: one per kind at a time, a newer job cancels the older, stale results are dropped.

A job is a core function `fn(progress, cancel)`; it runs in Qt's thread pool and reports through signals, which
Qt delivers on the GUI thread.
"""

from __future__ import annotations

import threading
import traceback
from typing import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from explorer.core.errors import DatasetError
from explorer.core.helper_process import HelperCrashed
from explorer.core.progress import CancelledError


class _Signals(QObject):
    progress = Signal(int, int, int, str)
    done = Signal(int, object)
    failed = Signal(int, str)
    cancelled = Signal(int)


class _Job(QRunnable):
    def __init__(self, number: int, fn: Callable, signals: _Signals):
        super().__init__()
        self.number, self.fn, self.signals = number, fn, signals
        self.cancel_event = threading.Event()

    def run(self) -> None:
        s = self.signals
        try:
            result = self.fn(lambda d, t, text: s.progress.emit(self.number, d, t, text), self.cancel_event.is_set)
        except CancelledError:
            s.cancelled.emit(self.number)
        except (DatasetError, HelperCrashed) as e:  # bad input, or a helper process died: its own words
            s.failed.emit(self.number, str(e))
        except Exception as e:  # a bug: show it rather than lose the thread silently
            s.failed.emit(self.number, f"{type(e).__name__}: {e}\n\n{traceback.format_exc(limit=6)}")
        else:
            s.done.emit(self.number, result)


class JobRunner(QObject):
    """Submit jobs by kind ('load', 'analysis', 'search', 'export'); signals carry the kind."""

    progress = Signal(str, int, int, str)
    finished = Signal(str, object)
    failed = Signal(str, str)
    cancelled = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self._current: dict[str, _Job] = {}
        self._kind_of: dict[int, str] = {}
        self._counter = 0
        self._signals = _Signals(self)
        self._signals.progress.connect(self._on_progress)
        self._signals.done.connect(self._on_done)
        self._signals.failed.connect(self._on_failed)
        self._signals.cancelled.connect(self._on_cancelled)

    def submit(self, kind: str, fn: Callable) -> int:
        """Run `fn(progress, cancel)` in the background; an older job of the same kind is cancelled."""
        self.cancel(kind)
        self._counter += 1
        job = _Job(self._counter, fn, self._signals)
        job.setAutoDelete(False)
        self._current[kind] = job
        self._kind_of[job.number] = kind
        self.pool.start(job)
        self.busy_changed.emit(True)
        return job.number

    def cancel(self, kind: str | None = None) -> None:
        for k in [kind] if kind else list(self._current):
            job = self._current.pop(k, None)
            if job is not None:
                job.cancel_event.set()
        if not self._current:
            self.busy_changed.emit(False)

    @property
    def busy(self) -> bool:
        return bool(self._current)

    def _live(self, number: int) -> str | None:
        kind = self._kind_of.get(number)
        job = self._current.get(kind) if kind else None
        return kind if job is not None and job.number == number else None

    def _finish(self, number: int) -> str | None:
        kind = self._live(number)
        self._kind_of.pop(number, None)
        if kind:
            del self._current[kind]
            if not self._current:
                self.busy_changed.emit(False)
        return kind

    def _on_progress(self, number: int, done: int, total: int, text: str) -> None:
        kind = self._live(number)
        if kind:
            self.progress.emit(kind, done, total, text)

    def _on_done(self, number: int, result: object) -> None:
        kind = self._finish(number)
        if kind:  # a result from a cancelled or superseded job is stale: dropped
            self.finished.emit(kind, result)

    def _on_failed(self, number: int, message: str) -> None:
        kind = self._finish(number)
        if kind:
            self.failed.emit(kind, message)

    def _on_cancelled(self, number: int) -> None:
        kind = self._kind_of.pop(number, None)
        if kind:
            self.cancelled.emit(kind)

    def wait(self, msecs: int = -1) -> bool:
        return self.pool.waitForDone(msecs)
