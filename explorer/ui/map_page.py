"""The centre of the window: the colour/search bar, the filter bar and the map."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from explorer.core.analysis.checks import FLAGS
from explorer.ui.filter_bar import FilterBar
from explorer.ui.scatter.map_view import MapView
from explorer.ui.view_state import COLOR_MODES


class MapPage(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.map = MapView()
        self.color_by = QComboBox()
        self.color_by.addItems(list(COLOR_MODES) + [f"flag:{name}" for name in FLAGS])
        self.lasso = QCheckBox("Lasso")
        self.lasso.setToolTip("Drag to draw a lasso (Alt-drag works too). Shift adds, Ctrl subtracts.")
        self.show_deleted = QCheckBox("Show deleted")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search text (regex allowed) — Enter; Ctrl+Enter: semantic search")
        self.search.setClearButtonEnabled(True)
        self.semantic_button = QPushButton("By meaning")
        self.semantic_button.setToolTip("Select the 50 records nearest in meaning to the search text (Ctrl+Enter in "
                                        "the search box)")
        bar = QHBoxLayout()
        for w in (QLabel("Colour by"), self.color_by, self.lasso, self.show_deleted):
            bar.addWidget(w)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.semantic_button)
        self.filter_bar = FilterBar()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(bar)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.map, 1)

    def set_columns(self, columns: list[str]) -> None:
        """Offer the dataset's categorical metadata columns as colour modes (`column:NAME`)."""
        current = self.color_by.currentText()
        self.color_by.blockSignals(True)
        self.color_by.clear()
        self.color_by.addItems(list(COLOR_MODES) + [f"flag:{name}" for name in FLAGS] +
                               [f"column:{name}" for name in columns])
        index = self.color_by.findText(current)
        self.color_by.setCurrentIndex(max(index, 0))
        self.color_by.blockSignals(False)
        if index < 0:  # the column the map was coloured by is gone
            self.color_by.currentTextChanged.emit(self.color_by.currentText())
