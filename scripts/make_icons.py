"""Render resources/icons/sft-explorer.svg to the PNG sizes a Linux desktop wants and to a Windows .ico.

    QT_QPA_PLATFORM=offscreen python scripts/make_icons.py
"""

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"


def render(size: int) -> QImage:
    image = QImage(size, size, QImage.Format_ARGB32)
    image.fill(Qt.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(ICONS / "sft-explorer.svg")).render(painter)
    painter.end()
    return image


if __name__ == "__main__":
    app = QGuiApplication([])
    for size in (48, 128, 256):
        render(size).save(str(ICONS / f"sft-explorer-{size}.png"))
    print("ico:", render(256).save(str(ICONS / "sft-explorer.ico")))
