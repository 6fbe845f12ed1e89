"""The status bar's permanent part: the selection count, and while a job runs its text, progress and Cancel."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar

from explorer.core.progress import time_left_text
from explorer.workers.jobs import JobRunner


class StatusArea:
    def __init__(self, bar: QStatusBar, runner: JobRunner):
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(260)
        self.progress_text = QLabel()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(lambda: runner.cancel())
        self.selection_label = QLabel()
        bar.addWidget(self.selection_label, 1)
        for widget in (self.progress_text, self.progress, self.cancel_button):
            bar.addPermanentWidget(widget)
        self._step: tuple[str, str] | None = None
        self._step_started = 0.0
        """The step being shown (job kind, text) and when it began: the time left is at its own rate so far."""
        runner.progress.connect(self.show_progress)
        runner.busy_changed.connect(self.set_busy)
        runner.cancelled.connect(lambda kind: bar.showMessage(f"{kind} cancelled", 5000))
        self.set_busy(False)

    def set_busy(self, busy: bool) -> None:
        for widget in (self.progress, self.cancel_button, self.progress_text):
            widget.setVisible(busy)

    def show_progress(self, kind: str, done: int, total: int, text: str) -> None:
        if (kind, text) != self._step:
            self._step, self._step_started = (kind, text), time.monotonic()
        self.progress.setMaximum(max(total, 0) if total else 0)
        self.progress.setValue(min(done, total) if total else 0)
        self.progress_text.setText(text + time_left_text(done, total, time.monotonic() - self._step_started))
