"""Preferences: the analysis parameters (model, device, what is embedded, clustering, thresholds, taxonomy).

Stored in QSettings; applying them re-runs only the analysis stages that depend on what changed.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLineEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from explorer.core.analysis.embedding import DEVICES
from explorer.core.analysis.pipeline import AnalysisParams
from explorer.core.analysis.texts import EMBED_FIELDS

KEYS = ("model", "device", "embed_field", "min_cluster_size", "near_duplicate_threshold", "max_tokens",
        "taxonomy_path", "seed")


def load_params(settings: QSettings, base: AnalysisParams) -> AnalysisParams:
    """The parameters saved in settings, on top of `base`."""
    values = {}
    for key in KEYS:
        raw = settings.value(f"analysis/{key}")
        if raw in (None, ""):
            continue
        default = getattr(base, key)
        try:
            if key in ("min_cluster_size", "seed"):
                values[key] = None if raw == "auto" else int(raw)
            elif isinstance(default, float):
                values[key] = float(raw)
            elif isinstance(default, int):
                values[key] = int(raw)
            else:
                values[key] = str(raw)
        except (TypeError, ValueError):
            continue
    return dataclasses.replace(base, **values)


def save_params(settings: QSettings, params: AnalysisParams) -> None:
    for key in KEYS:
        value = getattr(params, key)
        settings.setValue(f"analysis/{key}", "auto" if value is None and key in ("min_cluster_size", "seed")
                          else ("" if value is None else value))


class PreferencesDialog(QDialog):
    def __init__(self, params: AnalysisParams, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.base = params
        self.model = QLineEdit(params.model)
        self.model.setToolTip("A sentence-transformers model name or a local folder; for Chinese data pick a "
                              "multilingual one")
        self.device = QComboBox()
        self.device.addItems(DEVICES)
        self.device.setCurrentText(params.device)
        self.field = QComboBox()
        self.field.addItems(EMBED_FIELDS)
        self.field.setCurrentText(params.embed_field)
        self.min_cluster = QSpinBox()
        self.min_cluster.setRange(0, 100_000)
        self.min_cluster.setSpecialValueText("auto (1% of records)")
        self.min_cluster.setValue(params.min_cluster_size or 0)
        self.near_dup = QDoubleSpinBox()
        self.near_dup.setRange(0.5, 1.0)
        self.near_dup.setSingleStep(0.01)
        self.near_dup.setValue(params.near_duplicate_threshold)
        self.max_tokens = QSpinBox()
        self.max_tokens.setRange(16, 1_000_000)
        self.max_tokens.setValue(params.max_tokens)
        self.taxonomy = QLineEdit(params.taxonomy_path or "")
        self.taxonomy.setPlaceholderText("bundled taxonomy")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.taxonomy, 1)
        row.addWidget(browse)
        taxonomy_row = QWidget()
        taxonomy_row.setLayout(row)
        form = QFormLayout()
        form.addRow("Embedding model", self.model)
        form.addRow("Device", self.device)
        form.addRow("Embed", self.field)
        form.addRow("Min cluster size", self.min_cluster)
        form.addRow("Near-duplicate cosine", self.near_dup)
        form.addRow("Token limit (too long)", self.max_tokens)
        form.addRow("Task-kind taxonomy", taxonomy_row)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Taxonomy", "", "JSON (*.json)")
        if path:
            self.taxonomy.setText(path)

    def params(self) -> AnalysisParams:
        return dataclasses.replace(
            self.base, model=self.model.text().strip() or self.base.model, device=self.device.currentText(),
            embed_field=self.field.currentText(), min_cluster_size=self.min_cluster.value() or None,
            near_duplicate_threshold=round(self.near_dup.value(), 3), max_tokens=self.max_tokens.value(),
            taxonomy_path=self.taxonomy.text().strip() or None)
