"""Column mapping: when no format fits, the user says which keys hold the instruction, input, response, system
or conversation, with a live preview of three records. The choice is remembered for the file.

A list field is read either as a conversation (dicts with roles, or plain strings alternating user/assistant) or
as user turns only (MT-Bench-style questions: `user_turns=`). The preview tags every turn with its role, and says so
when plain strings are being alternated, so a list of questions is never silently read as answers."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPlainTextEdit,
                               QVBoxLayout)

from explorer.core.errors import DatasetError
from explorer.core.formats import ColumnMapping
from explorer.core.formats.mapped import is_string_list

NONE = "(none)"
ROLES = ("instruction", "input", "response", "system", "conversations")
ALTERNATING = "conversation (alternating user/assistant)"
USER_ONLY = "user turns only"


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
            if role == "conversations":
                self.list_kind = QComboBox()
                self.list_kind.addItems([ALTERNATING, USER_ONLY])
                self.list_kind.setToolTip("How the list's items are read: a conversation (turns with roles, or plain "
                                          "strings alternating user/assistant), or user turns only, such as a list "
                                          "of questions with no answers")
                self.list_kind.currentTextChanged.connect(self.update_preview)
                form.addRow("the list holds", self.list_kind)
        self.role_key = QLineEdit("role")
        self.content_key = QLineEdit("content")
        for edit in (self.role_key, self.content_key):
            edit.textChanged.connect(self.update_preview)
        form.addRow("turn role key", self.role_key)
        form.addRow("turn content key", self.content_key)
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.hint = QLabel()
        self.hint.setTextFormat(Qt.PlainText)
        self.hint.setWordWrap(True)
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
        layout.addWidget(self.hint)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(640, 560)
        self.update_preview()

    def choose(self, **roles: str) -> None:
        """Set fields by name (used by tests and by a remembered mapping); `user_turns=KEY` picks the list field
        and reads it as user turns only, `conversations=KEY` as a conversation."""
        for role, key in roles.items():
            if role in ("conversations", "user_turns"):
                self.list_kind.setCurrentText(USER_ONLY if role == "user_turns" else ALTERNATING)
                role = "conversations"
            self.combos[role].setCurrentText(key)

    def user_turns_only(self) -> bool:
        return self.list_kind.currentText() == USER_ONLY

    def mapping(self) -> ColumnMapping | None:
        parts = []
        for role, combo in self.combos.items():
            if combo.currentText() != NONE:
                name = "user_turns" if role == "conversations" and self.user_turns_only() else role
                parts.append(f"{name}={combo.currentText()}")
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
        self.list_kind.setEnabled(self.combos["conversations"].currentText() != NONE)
        self.hint.setText(self.list_hint(mapping))
        if not ok:
            self.preview.setPlainText("")
            return
        self.error.clear()
        blocks = []
        for i, obj in enumerate(self.samples):
            record = mapping.to_record(obj, i)
            blocks.append("\n".join(f"[{m.role}] {m.content}" for m in record.messages) or "(nothing)")
        self.preview.setPlainText("\n\n———\n\n".join(blocks))  # plain text: records are never HTML

    def list_hint(self, mapping: ColumnMapping | None) -> str:
        """Say how a list of plain strings is being read, so alternation is never silent."""
        key = self.combos["conversations"].currentText()
        if key == NONE or mapping is None:
            return ""
        values = [obj.get(key) for obj in self.samples if obj.get(key) not in (None, "", [])]
        if not values or not all(is_string_list(v) for v in values):
            return ""
        if mapping.user_turns:
            return f"Every item of {key} is read as a user turn: these records are prompts with no answer."
        return (f"{key} holds plain strings: they are read as alternating user/assistant turns. "
                f"If they are all questions, choose \u201c{USER_ONLY}\u201d.")
