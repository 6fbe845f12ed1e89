"""Preferences: the analysis parameters, one editor per parameter of the schema (`AnalysisParams`' fields marked
shown), saved in the settings file the command line reads too. Applying them re-runs only the stages that depend
on what changed."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLineEdit, QListWidget, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from explorer.core.analysis.params import AnalysisParams, ParamSpec, schema
from explorer.core.settings import load_analysis_params, save_analysis_params

INT_MAX = 2**31 - 1


def load_params(settings: QSettings, base: AnalysisParams) -> AnalysisParams:
    """The saved parameters on top of `base` (the app's old QSettings values are migrated once)."""
    legacy = {spec.name: settings.value(f"analysis/{spec.name}") for spec in schema()
              if settings.value(f"analysis/{spec.name}") not in (None, "")}
    return load_analysis_params(base, legacy)[0]


def save_params(settings: QSettings, params: AnalysisParams) -> None:
    """Save to the shared settings file (what the next analysis, here or on the command line, starts from)."""
    save_analysis_params(params)


class PreferencesDialog(QDialog):
    def __init__(self, params: AnalysisParams, parent=None, eval_paths: list[str] | None = None):
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.base = params
        self.editors: dict[str, tuple[ParamSpec, QWidget]] = {}
        form = QFormLayout()
        for spec in schema():
            if spec.shown:
                editor, row = self._editor(spec, getattr(params, spec.name))
                editor.setToolTip(spec.help)
                self.editors[spec.name] = (spec, editor)
                form.addRow(spec.label, row)
        form.addRow("Eval sets", self._eval_sets_row(eval_paths or []))
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _editor(self, spec: ParamSpec, value) -> tuple[QWidget, QWidget]:
        """The widget for one parameter, and what goes into the form row (the widget, or it with a button)."""
        if spec.choices or spec.suggest:
            box = QComboBox()
            box.addItems(list(spec.choices or spec.suggest))
            box.setEditable(not spec.choices)  # suggestions: another model can be typed
            box.setCurrentText(str(value))
            return box, box
        if spec.type is int:
            box = QSpinBox()
            lo = int(spec.lo) - 1 if spec.auto else int(spec.lo)  # one below the range stands for "auto"
            box.setRange(lo, min(int(spec.hi), INT_MAX))
            if spec.auto:
                box.setSpecialValueText(f"auto ({spec.auto})")
            box.setValue(lo if value is None else int(value))
            return box, box
        if spec.type is float:
            box = QDoubleSpinBox()
            box.setRange(spec.lo, spec.hi)
            box.setSingleStep(spec.step or 0.01)
            box.setDecimals(3)
            box.setValue(float(value))
            return box, box
        line = QLineEdit("" if value is None else str(value))
        if spec.auto:
            line.setPlaceholderText(spec.auto)
        if not spec.path:
            return line, line
        browse = QPushButton("Browse…")
        browse.clicked.connect(lambda: self._browse(line))
        row = QHBoxLayout()
        row.addWidget(line, 1)
        row.addWidget(browse)
        holder = QWidget()
        holder.setLayout(row)
        return line, holder

    def _eval_sets_row(self, paths: list[str]) -> QWidget:
        """Eval files (GSM8K, MT-Bench… in any format the app reads) looked for in the training records."""
        self.eval_list = QListWidget()
        self.eval_list.addItems(paths)
        self.eval_list.setMaximumHeight(90)
        self.eval_list.setToolTip("Training records that share a 13-word (13-character for Chinese) passage with an "
                                  "item of these files, or are almost the same by embedding, get the flag eval_overlap")
        add, remove = QPushButton("Add…"), QPushButton("Remove")
        add.clicked.connect(self._add_eval_sets)
        remove.clicked.connect(lambda: [self.eval_list.takeItem(self.eval_list.row(i))
                                        for i in self.eval_list.selectedItems()])
        side = QVBoxLayout()
        side.addWidget(add)
        side.addWidget(remove)
        side.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.eval_list, 1)
        row.addLayout(side)
        holder = QWidget()
        holder.setLayout(row)
        return holder

    def _add_eval_sets(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Eval sets", "", "Datasets (*.jsonl *.json *.gz *.csv *.tsv "
                                                "*.parquet);;All files (*)")
        known = set(self.eval_paths())
        self.eval_list.addItems([p for p in paths if p not in known])

    def eval_paths(self) -> list[str]:
        return [self.eval_list.item(i).text() for i in range(self.eval_list.count())]

    def _browse(self, line: QLineEdit) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Taxonomy", "", "JSON (*.json)")
        if path:
            line.setText(path)

    def params(self) -> AnalysisParams:
        values = {}
        for name, (spec, editor) in self.editors.items():
            if isinstance(editor, QComboBox):
                values[name] = editor.currentText().strip() or getattr(self.base, name)
            elif isinstance(editor, QSpinBox):
                values[name] = None if spec.auto and editor.value() == editor.minimum() else editor.value()
            elif isinstance(editor, QDoubleSpinBox):
                values[name] = round(editor.value(), 3)
            else:
                values[name] = editor.text().strip() or (None if spec.auto else getattr(self.base, name))
        return dataclasses.replace(self.base, **values)
