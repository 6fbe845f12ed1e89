"""What the window shows before a dataset is open: open a file or the demo, or a recent file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo" / "demo.jsonl"


class StartPage(QWidget):
    open_requested = Signal(str)
    browse_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        title = QLabel("SFT Explorer")
        title.setStyleSheet("font-size: 22px; font-weight: 600")
        hint = QLabel("Open an SFT dataset (JSONL, JSON, CSV, Parquet, Hugging Face folder) to see its map, balance, "
                      "gaps and bad pairs.")
        hint.setWordWrap(True)
        open_button = QPushButton("Open file or folder…")
        demo_button = QPushButton("Open demo dataset")
        open_button.clicked.connect(self.browse_requested)
        demo_button.clicked.connect(lambda: self.open_requested.emit(str(DEMO)))
        self.recent = QListWidget()
        self.recent.itemActivated.connect(lambda item: self.open_requested.emit(item.text()))
        layout = QVBoxLayout(self)
        layout.setAlignment(Qt.AlignTop)
        layout.setContentsMargins(60, 40, 60, 40)
        for w in (title, hint, open_button, demo_button, QLabel("Recent files:"), self.recent):
            layout.addWidget(w)

    def show_recent(self, files: list[str]) -> None:
        self.recent.clear()
        self.recent.addItems(files)
