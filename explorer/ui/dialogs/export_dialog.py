"""Export…: scope, target format, caps and kind balancing, with a live before → after preview per kind and cluster.

The preview is `plan_export` (pure, writes nothing) on the same arguments the export will get, so what the table
shows is what the file will hold. The dialog only returns options; the caller runs the export.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog,
                               QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
                               QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from explorer.core.curation.curated import ExportPlan, Rebalance, Selection, plan_export
from explorer.core.curation.edits import CurationState
from explorer.core.curation.rebalancing import NOISE, GroupCount
from explorer.core.dataset import Dataset
from explorer.core.errors import DatasetError

FORMATS = (("Same as source", None), ("Alpaca", "alpaca"), ("ShareGPT", "sharegpt"), ("Messages (OpenAI)", "messages"),
           ("Parquet (same format)", "parquet"))
FILE_FILTER = "JSON Lines (*.jsonl);;Gzipped JSON Lines (*.jsonl.gz);;JSON (*.json);;Parquet (*.parquet)"
PROTECTED = QColor(255, 236, 179)


@dataclass
class ExportOptions:
    out: str
    to: str | None
    """None (the source's format), 'alpaca', 'sharegpt', 'messages' or 'parquet'."""
    selection: Selection
    rebalance: Rebalance


class ExportDialog(QDialog):
    """Options for a curated export, previewed live.

    `rows`: per-record analysis rows (`rows_from_analysis`), or None without an analysis (no rebalancing then).
    `selected_ids` / `filtered_ids`: the candidates for the 'Selection' and 'Filtered view' scopes (None or empty:
    that scope is not offered). `cluster_names`: labels shown beside cluster ids.
    """

    def __init__(self, dataset: Dataset, state: CurationState, rows: list[dict] | None,
                 selected_ids: list[int] | None = None, filtered_ids: list[int] | None = None,
                 taxonomy_path: str | None = None, cluster_names: dict[int, str] | None = None,
                 out_path: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.dataset, self.state, self.rows = dataset, state, rows
        self.taxonomy_path = taxonomy_path
        self.cluster_names = cluster_names or {}
        self.plan: ExportPlan | None = None
        self._scopes: list[list[int] | None] = []
        self._scope_names: list[str] = []

        self.scope = QComboBox()
        for name, label, ids in (("all", "All records", None), ("selection", "Selection", selected_ids),
                                 ("filtered", "Filtered view", filtered_ids)):
            if ids is None and name != "all" or ids is not None and not len(ids):
                continue
            count = len(dataset) if ids is None else len(ids)
            self.scope.addItem(f"{label} ({count:,})")
            self._scopes.append(None if ids is None else [int(i) for i in ids])
            self._scope_names.append(name)
        if len(self._scopes) > 1 and selected_ids:
            self.scope.setCurrentIndex(1)
        self.format = QComboBox()
        for label, value in FORMATS:
            self.format.addItem(label, value)
        self.path = QLineEdit(out_path)
        self.path.setPlaceholderText("output file (.jsonl, .jsonl.gz, .json, .parquet)")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.setContentsMargins(0, 0, 0, 0)
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)
        path_widget = QWidget()
        path_widget.setLayout(path_row)

        self.max_cluster = self._cap_box("Noise (records in no cluster) is never capped")
        self.max_kind = self._cap_box("At most this many records of each task kind")
        self.balance = QCheckBox("Balance task kinds toward their target shares")
        rebalance = QGroupBox("Rebalance (unflagged records kept first; gap kinds and target shares protected)")
        rform = QFormLayout(rebalance)
        rform.addRow("Max per cluster", self.max_cluster)
        rform.addRow("Max per kind", self.max_kind)
        rform.addRow(self.balance)
        if rows is None:
            rebalance.setEnabled(False)
            rebalance.setTitle("Rebalance (needs an analysis)")

        form = QFormLayout()
        form.addRow("Records", self.scope)
        form.addRow("Format", self.format)
        form.addRow("Save to", path_widget)

        self.summary = QLabel()
        self.summary.setTextFormat(Qt.PlainText)
        self.summary.setWordWrap(True)
        self.kind_table = self._table("Task kind")
        self.cluster_table = self._table("Cluster")
        tables = QHBoxLayout()
        tables.addWidget(self.kind_table)
        tables.addWidget(self.cluster_table)

        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("Export")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(rebalance)
        layout.addWidget(QLabel("Preview: records before → after"))
        layout.addLayout(tables, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)

        self._timer = QTimer(self, singleShot=True, interval=120)
        self._timer.timeout.connect(self.refresh_preview)
        for signal in (self.scope.currentIndexChanged, self.max_cluster.valueChanged, self.max_kind.valueChanged,
                       self.balance.toggled):
            signal.connect(self._timer.start)
        self.path.textChanged.connect(self._update_ok)
        self.resize(820, 620)
        self.refresh_preview()

    # -- options -----------------------------------------------------------------------------------
    def choose_scope(self, name: str) -> None:
        """'all', 'selection' or 'filtered' (ignored when that scope is not offered)."""
        if name in self._scope_names:
            self.scope.setCurrentIndex(self._scope_names.index(name))

    def selection(self) -> Selection:
        return Selection(ids=self._scopes[self.scope.currentIndex()] if self._scopes else None)

    def rebalance(self) -> Rebalance:
        if self.rows is None:
            return Rebalance(taxonomy_path=self.taxonomy_path)
        return Rebalance(max_per_cluster=self.max_cluster.value() or None, max_per_kind=self.max_kind.value() or None,
                         balance_kind=self.balance.isChecked(), taxonomy_path=self.taxonomy_path)

    def options(self) -> ExportOptions:
        """What the user chose: pass to `curated_export(dataset, state, o.out, o.to, o.selection, o.rebalance, ...)`."""
        return ExportOptions(self.path.text().strip(), self.format.currentData(), self.selection(), self.rebalance())

    # -- preview -----------------------------------------------------------------------------------
    def refresh_preview(self) -> None:
        """Recompute the plan now (edits to the options also schedule this, slightly delayed)."""
        self._timer.stop()
        try:
            self.plan = plan_export(self.dataset, self.state, self.selection(), self.rebalance(), self.rows)
        except DatasetError as e:
            self.plan = None
            self.summary.setText(f"Cannot preview: {e}")
            self._fill(self.kind_table, [])
            self._fill(self.cluster_table, [])
            self._update_ok()
            return
        plan = self.plan
        lines = [f"{len(plan.selected):,} records selected → {len(plan.kept):,} exported ({plan.dropped:,} dropped)"]
        lines += plan.protected_lines()
        if self.rows is None:
            lines.append("No analysis: per-kind and per-cluster counts appear once the analysis has run.")
        self.summary.setText("\n".join(lines))
        self._fill(self.kind_table, plan.rebalance.per_kind)
        self._fill(self.cluster_table, plan.rebalance.per_cluster, self._cluster_text)
        self._update_ok()

    def preview_rows(self, which: str) -> list[tuple[str, int, int, str]]:
        """The preview table `which` ('kind' or 'cluster') as (group, before, after, note) — what is shown."""
        table = self.kind_table if which == "kind" else self.cluster_table
        return [(table.item(r, 0).data(Qt.UserRole), int(table.item(r, 1).text().replace(",", "")),
                 int(table.item(r, 2).text().replace(",", "")), table.item(r, 3).text())
                for r in range(table.rowCount())]

    def _cluster_text(self, key: str) -> str:
        if key == NOISE or not key.lstrip("-").isdigit():
            return key
        name = self.cluster_names.get(int(key))
        return f"{key} · {name}" if name else key

    def _fill(self, table: QTableWidget, groups: list[GroupCount], text=str) -> None:
        table.setRowCount(len(groups))
        bold = QFont()
        bold.setBold(True)
        for r, g in enumerate(groups):
            items = [QTableWidgetItem(text(g.key)), QTableWidgetItem(f"{g.before:,}"), QTableWidgetItem(f"{g.after:,}"),
                     QTableWidgetItem(g.note)]
            items[0].setData(Qt.UserRole, g.key)
            for item in items[1:3]:
                item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            if g.note.startswith("protected"):
                for item in items:
                    item.setBackground(QBrush(PROTECTED))
                items[3].setFont(bold)
            for c, item in enumerate(items):
                table.setItem(r, c, item)

    def _table(self, title: str) -> QTableWidget:
        table = QTableWidget(0, 4)
        table.setHorizontalHeaderLabels([title, "Before", "After", ""])
        table.verticalHeader().setVisible(False)
        table.setWordWrap(False)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
        table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        table.setSelectionMode(QAbstractItemView.NoSelection)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        for c in (1, 2, 3):
            header.setSectionResizeMode(c, QHeaderView.ResizeToContents)
        return table

    def _cap_box(self, tip: str) -> QSpinBox:
        box = QSpinBox()
        box.setRange(0, 10_000_000)
        box.setSpecialValueText("off")
        box.setToolTip(tip)
        return box

    def _update_ok(self) -> None:
        ok = bool(self.path.text().strip()) and self.plan is not None and bool(self.plan.kept)
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(ok)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export", self.path.text(), FILE_FILTER)
        if path:
            self.path.setText(path)
