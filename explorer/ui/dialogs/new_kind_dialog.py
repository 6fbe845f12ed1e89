"""Ask for a new task kind's names (English, Chinese) and target share."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QLabel, QLineEdit


class NewKindDialog(QDialog):
    def __init__(self, count: int, parent=None):
        super().__init__(parent)
        self.setWindowTitle("New task kind from selection")
        form = QFormLayout(self)
        form.addRow(QLabel(f"The {count:,} selected records become the first examples of the new kind; similar "
                           "records follow when the kinds are predicted again. The kind is saved in your copy "
                           "of the taxonomy."))
        self.name_en = QLineEdit()
        self.name_en.setPlaceholderText("e.g. Legal advice")
        self.name_zh = QLineEdit()
        self.name_zh.setPlaceholderText("例如：法律咨询")
        self.share = QDoubleSpinBox()
        self.share.setRange(0.1, 90.0)
        self.share.setValue(3.0)
        self.share.setSuffix(" %")
        form.addRow("English name", self.name_en)
        form.addRow("Chinese name", self.name_zh)
        form.addRow("Target share", self.share)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok = buttons.button(QDialogButtonBox.Ok)
        self.ok.setEnabled(False)
        self.name_en.textChanged.connect(lambda text: self.ok.setEnabled(bool(text.strip())))
        form.addRow(buttons)
