"""Progress reporting and cancellation shared by the GUI, the CLI and tests."""

from __future__ import annotations

from typing import Callable, Protocol

ProgressFn = Callable[[int, int, str], None]
"""progress(done, total, text): total 0 means unknown."""


class CancelledError(Exception):
    """Raised by a long core function when its cancel callback returned True."""


class CancelFn(Protocol):
    def __call__(self) -> bool: ...


def no_progress(done: int, total: int, text: str) -> None:
    """A progress callback that does nothing."""


def never_cancel() -> bool:
    """A cancel callback that never cancels."""
    return False


def part_of(progress: ProgressFn | None, start: int, size: int, total: int, text: str) -> ProgressFn:
    """The progress of a part of a job (items `start` to `start + size` of `total`) reported as the whole job's."""
    def scaled(done: int, part_total: int, _text: str) -> None:
        if progress is not None:
            progress(start + (size * done // part_total if part_total else size), total, text)
    return scaled


class Ticker:
    """Reports progress and checks cancel at the points a loop chooses (keep them a few per second)."""

    def __init__(self, progress: ProgressFn | None, cancel: CancelFn | None, total: int, text: str):
        self.progress = progress or no_progress
        self.cancel = cancel or never_cancel
        self.total = total
        self.text = text
        self.progress(0, total, text)

    def update(self, done: int) -> None:
        if self.cancel():
            raise CancelledError(self.text)
        self.progress(done, self.total, self.text)

    def finish(self) -> None:
        self.progress(self.total, self.total, self.text)


def time_left_text(done: int, total: int, elapsed: float) -> str:
    """' · about 3 min left' for a step that has run `elapsed` seconds and done `done` of `total` (at its rate so
    far); '' while that says little: no total, nothing done yet, finished, or under 3 seconds in."""
    if not total or done <= 0 or done >= total or elapsed < 3:
        return ""
    left = elapsed * (total - done) / done
    if left < 60:
        return f" · about {max(5, round(left / 5) * 5)} s left"
    if left < 3600:
        return f" · about {round(left / 60)} min left"
    return f" · about {left / 3600:.1f} h left"
