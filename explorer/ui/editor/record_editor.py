"""The record editor: the whole conversation as plain text, editable; every change is one undoable edit."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QCompleter, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QMessageBox,
                               QPlainTextEdit, QPushButton, QScrollArea, QTextBrowser, QVBoxLayout, QWidget)

from explorer.core.analysis.checks import FLAGS
from explorer.core.curation import edits as E
from explorer.core.formats import layout_of
from explorer.ui.editor.other_version import other_version_html

FIELD_ROWS = ("system", "instruction", "input", "response")


class RecordEditor(QWidget):
    """Shows the current record; 'Apply' (Ctrl+Return) submits the changed fields or turns as one edit."""

    submitted = Signal(object)
    """An Edit for the document to apply."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.document = None
        self.rid: int | None = None
        self.header = QLabel("No record selected.")
        self.header.setTextFormat(Qt.PlainText)
        self.header.setWordWrap(True)
        self.flags_label = QLabel()
        self.flags_label.setTextFormat(Qt.PlainText)
        self.flags_label.setWordWrap(True)
        self.other = QTextBrowser()
        """The record in the compared version (B) with its changed words marked, and the eval item it overlaps."""
        self.other.setMaximumHeight(220)
        self.other.setVisible(False)
        self.boxes: list[tuple[str, object, QPlainTextEdit]] = []
        self.form = QFormLayout()
        inner = QWidget()
        inner.setLayout(self.form)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        self.tags = QLineEdit()
        self.tags.setPlaceholderText("tags, comma-separated")
        self.apply_button = QPushButton("Apply changes")
        self.apply_button.setToolTip("Commit the edited text (Ctrl+Return)")
        self.delete_button = QPushButton("Delete")
        self.apply_button.clicked.connect(self.apply_changes)
        self.delete_button.clicked.connect(self._toggle_delete)
        apply_key = QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.apply_changes)
        apply_key.setContext(Qt.WidgetWithChildrenShortcut)  # only while typing in the editor
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel("Tags:"))
        buttons.addWidget(self.tags, 1)
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.flags_label)
        layout.addWidget(self.other)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self.setEnabled(False)

    def set_document(self, document) -> None:
        self.document = document

    def pending_texts(self) -> dict[tuple, str]:
        """Typed text not applied yet, by field or turn."""
        return {key: box.toPlainText() for _, key, box in self.boxes if box.toPlainText() != box.property("original")}

    def has_pending(self) -> bool:
        tags = {t.strip() for t in self.tags.text().split(",") if t.strip()}
        doc = self.document
        return bool(self.pending_texts()) or (self.rid is not None and doc is not None and doc.dataset is not None
                                              and tags != doc.tags(self.rid))

    def ask_pending(self) -> int:
        """Apply, Discard or Cancel for text typed but not applied (a dialog; tests replace it)."""
        box = QMessageBox(QMessageBox.Question, "Unapplied changes",
                          f"Record {self.rid} has changes that are not applied yet.", QMessageBox.Apply |
                          QMessageBox.Discard | QMessageBox.Cancel, self)
        box.setDefaultButton(QMessageBox.Apply)
        return box.exec()

    def confirm_leave(self) -> bool:
        """Before another record opens (or the dataset closes): never drop typed text without asking."""
        if self.rid is None or not self.has_pending():
            return True
        answer = self.ask_pending()
        if answer == QMessageBox.Cancel:
            return False
        if answer == QMessageBox.Apply:
            self.apply_changes()
        return True

    def show_record(self, rid: int | None) -> None:
        # Re-showing the same record (it changed underneath, or was re-analysed) keeps what the user typed.
        keep = self.pending_texts() if rid == self.rid else {}
        typed_tags = self.tags.text()
        keep_tags = rid == self.rid and typed_tags != self.tags.property("original")
        self.rid = rid
        while self.form.rowCount():
            self.form.removeRow(0)
        self.boxes = []
        doc = self.document
        if rid is None or doc is None or doc.dataset is None or rid >= len(doc):
            self.header.setText("No record selected.")
            self.flags_label.clear()
            self.other.setVisible(False)
            self.setEnabled(False)
            return
        self.setEnabled(True)
        record = doc.record(rid)
        fmt = doc.dataset.format_of(rid)
        a = doc.analysis
        line = doc.dataset.line_of(rid)
        parts = [f"Record {rid}", fmt] + ([f"line {line}"] if line else [])
        if a is not None:
            kind = doc.live.kind_names[doc.live.kind_codes[rid]]
            by_user = rid in doc.session.state.kinds
            parts += [f"cluster {int(a.clusters[rid])}",
                      f"kind {kind} (set by you)" if by_user else f"kind {kind} ({a.kind_confidence[rid]:.2f})",
                      f"{int(doc.live.tokens['conversation'][rid])} tokens"]
            self.header.setToolTip("Task kind set by you" if by_user else f"Task kind: {a.kind_reasons[rid]}")
        if doc.is_deleted(rid):
            parts.append("DELETED")
        self.header.setText(" · ".join(parts))
        flags = doc.live.flags[rid] if doc.live is not None else []
        self.flags_label.setText("\n".join(f"⚑ {f}: {FLAGS[f]}" for f in flags))
        other = other_version_html(doc.workspace, rid)
        self.other.setHtml(other)
        self.other.setVisible(bool(other))
        obj = doc.session.state.object(doc.dataset, rid)
        self.conversation = _is_conversation(fmt, obj, doc.dataset.mapping)
        if self.conversation:
            for k, m in enumerate(record.messages):
                self._add_box(m.role, ("turn", k), m.content, len(record.messages))
            self.form.addRow("", self._add_turn_row())
        else:
            values = {"system": record.system, "response": record.response}
            values["instruction"], values["input"] = _instruction_and_input(fmt, obj, record.instruction,
                                                                            doc.dataset.mapping)
            layout = layout_of(fmt, obj, doc.dataset.mapping)
            for name in FIELD_ROWS:  # only the fields the format can hold (a prompts file has no response)
                if layout is None or layout.keys(name) or values[name]:
                    self._add_box(name, ("field", name), values[name])
        for _, key, box in self.boxes:
            if key in keep:
                box.setPlainText(keep[key])
        shown_tags = ", ".join(sorted(doc.tags(rid)))
        self.tags.setProperty("original", shown_tags)
        self.tags.setText(typed_tags if keep_tags else shown_tags)
        completer = QCompleter(sorted(doc.session.state.tag_counts()), self.tags)
        self.tags.setCompleter(completer)
        self.delete_button.setText("Restore" if doc.is_deleted(rid) else "Delete")

    def _add_box(self, label: str, key: tuple, text: str, turns: int = 0) -> None:
        box = QPlainTextEdit()
        box.setPlainText(text)  # plain text only: nothing in a record is interpreted as HTML
        box.setMinimumHeight(60)
        count = QLabel()
        count.setStyleSheet("color: #777")
        box.textChanged.connect(lambda: count.setText(_token_text(box.toPlainText())))
        count.setText(_token_text(text))
        column = QVBoxLayout()
        column.addWidget(box)
        under = QHBoxLayout()
        under.addWidget(count, 1)
        if key[0] == "turn":
            k = key[1]
            for symbol, tip, edit in (("↑", "Move this turn up", E.MoveTurn(self.rid, k, k - 1) if k > 0 else None),
                                      ("↓", "Move this turn down",
                                       E.MoveTurn(self.rid, k, k + 1) if k + 1 < turns else None),
                                      ("✕", "Remove this turn", E.RemoveTurn(self.rid, k))):
                button = QPushButton(symbol)
                button.setToolTip(tip)
                button.setFixedWidth(32)
                button.setEnabled(edit is not None)
                button.clicked.connect(lambda _=False, e=edit: self._structural(e))
                under.addWidget(button)
        column.addLayout(under)
        holder = QWidget()
        holder.setLayout(column)
        self.form.addRow(label, holder)
        self.boxes.append((label, key, box))
        box.setProperty("original", text)

    def _add_turn_row(self) -> QWidget:
        roles = QComboBox()
        roles.addItems(["user", "assistant", "system", "tool"])
        add = QPushButton("Add turn")
        add.clicked.connect(lambda: self._structural(E.InsertTurn(self.rid, len(self.boxes), roles.currentText(), "")))
        row = QHBoxLayout()
        row.addWidget(roles)
        row.addWidget(add)
        row.addStretch(1)
        holder = QWidget()
        holder.setLayout(row)
        return holder

    def _structural(self, edit) -> None:
        """Add/remove/move a turn; unapplied text changes go first, in the same undo step."""
        pending = self.changed_edits()
        self.submitted.emit(E.Batch(tuple(pending) + (edit,), edit.label) if pending else edit)

    def changed_edits(self) -> list:
        out = []
        for _, key, box in self.boxes:
            text = box.toPlainText()
            if text == box.property("original"):
                continue
            kind, what = key
            out.append(E.SetTurn(self.rid, what, text) if kind == "turn" else E.SetField(self.rid, what, text))
        return out

    def apply_changes(self) -> None:
        if self.rid is None:
            return
        edits = self.changed_edits()
        wanted = {t.strip() for t in self.tags.text().split(",") if t.strip()}
        current = self.document.tags(self.rid)
        edits += [E.Tag((self.rid,), t) for t in sorted(wanted - current)]
        edits += [E.Untag((self.rid,), t) for t in sorted(current - wanted)]
        if not edits:
            return
        self.submitted.emit(edits[0] if len(edits) == 1 else E.Batch(tuple(edits), f"edit record {self.rid}"))

    def _toggle_delete(self) -> None:
        if self.rid is not None:
            ids = (self.rid,)
            self.submitted.emit(E.Restore(ids) if self.document.is_deleted(self.rid) else E.Delete(ids))


def _token_text(text: str) -> str:
    if len(text) > 200_000:
        return f"{len(text):,} characters"
    from explorer.core import tokens

    return f"{len(tokens.encoding().encode_ordinary(text)):,} tokens"


def _is_conversation(fmt: str, obj: dict, mapping=None) -> bool:
    """Records whose format keeps a turn list are edited turn by turn (the format's layout says)."""
    layout = layout_of(fmt, obj, mapping)
    return layout is not None and layout.is_conversation


def _instruction_and_input(fmt: str, obj: dict, joined: str, mapping=None) -> tuple[str, str]:
    """Field formats keep instruction and input apart in the source; show them apart too."""
    layout = layout_of(fmt, obj, mapping)
    return (layout.instruction_and_input(obj) if layout else None) or (joined, "")
