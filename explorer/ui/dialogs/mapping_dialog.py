"""Column mapping: when no format fits, the user says which keys hold the instruction, input, response, system
or conversation, with a live preview of three records. The choice is remembered for the file."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPlainTextEdit,
                               QVBoxLayout)

from explorer.core.errors import DatasetError
from explorer.core.formats import ColumnMapping

NONE = "(none)"
ROLES = ("instruction", "input", "response", "system", "conversations")


class MappingDialog(QDialog):
    def __init__(self, samples: list[dict], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Which fields hold what?")
        self.samples = samples[:3]
        keys = list(dict.fromkeys(k for obj in samples for k in obj))
        self.combos: dict[str, QComboBox] = {}
        form = QFormLayout()
        for role in ROLES:
            combo = QComboBox()
            combo.addItems([NONE] + keys)
            combo.currentTextChanged.connect(self.update_preview)
            self.combos[role] = combo
            form.addRow(role, combo)
        self.role_key = QLineEdit("role")
        self.content_key = QLineEdit("content")
        for edit in (self.role_key, self.content_key):
            edit.textChanged.connect(self.update_preview)
        form.addRow("turn role key", self.role_key)
        form.addRow("turn content key", self.content_key)
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.error = QLabel()
        self.error.setTextFormat(Qt.PlainText)
        self.error.setStyleSheet("color: #c0392b")
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("No known SFT format fits this file. Pick the fields; the preview shows three records."))
        layout.addLayout(form)
        layout.addWidget(QLabel("Preview"))
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(640, 560)
        self.update_preview()

    def choose(self, **roles: str) -> None:
        """Set fields by name (used by tests and by a remembered mapping)."""
        for role, key in roles.items():
            self.combos[role].setCurrentText(key)

    def mapping(self) -> ColumnMapping | None:
        parts = [f"{role}={c.currentText()}" for role, c in self.combos.items() if c.currentText() != NONE]
        parts += [f"role={self.role_key.text().strip() or 'role'}", f"content={self.content_key.text().strip() or 'content'}"]
        try:
            return ColumnMapping.parse(",".join(parts))
        except DatasetError as e:
            self.error.setText(e.reason)
            return None

    def update_preview(self) -> None:
        mapping = self.mapping()
        ok = mapping is not None
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(ok)
        if not ok:
            self.preview.setPlainText("")
            return
        self.error.clear()
        blocks = []
        for i, obj in enumerate(self.samples):
            record = mapping.to_record(obj, i)
            blocks.append("\n".join(f"[{m.role}] {m.content}" for m in record.messages) or "(nothing)")
        self.preview.setPlainText("\n\n———\n\n".join(blocks))  # plain text: records are never HTML
