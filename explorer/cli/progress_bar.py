"""A terminal progress bar fed by the core's progress callbacks (silent when stderr is not a terminal)."""

from __future__ import annotations

import sys


class TerminalProgress:
    """Call it as progress(done, total, text); a new text starts a new bar."""

    def __init__(self, enabled: bool | None = None):
        # A windowed frozen app has no stderr at all.
        self.enabled = (sys.stderr is not None and sys.stderr.isatty()) if enabled is None else enabled
        self._bar = None
        self._text = None

    def __call__(self, done: int, total: int, text: str) -> None:
        if not self.enabled:
            return
        if text != self._text:
            self.close()
            from tqdm import tqdm

            self._text = text
            self._bar = tqdm(total=total or None, desc=text, file=sys.stderr, leave=False,
                             unit_scale=True, dynamic_ncols=True, mininterval=0.2)
        if self._bar is not None:
            self._bar.n = done
            self._bar.refresh() if done == total else self._bar.update(0)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
            self._text = None
