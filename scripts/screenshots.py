"""Save the README's screenshots of the app on the demo dataset (offscreen): docs/screenshots/*.png.

    QT_QPA_PLATFORM=offscreen python scripts/screenshots.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def settle(app, seconds: float = 0.5) -> None:
    """Let layouts and deferred paints finish before grabbing."""
    end = time.time() + seconds
    while time.time() < end:
        app.processEvents()
        time.sleep(0.01)


def main() -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from explorer.core.analysis.facets import Filter
    from explorer.ui.document import Document
    from explorer.ui.main_window import MainWindow
    from explorer.ui.start_page import DEMO
    from explorer.workers.jobs import JobRunner

    app = QApplication([])
    out = ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("SFT_EXPLORER_HOME", tempfile.mkdtemp())
    window = MainWindow(Document(JobRunner()), QSettings(tempfile.mktemp(suffix=".ini"), QSettings.IniFormat))
    window.resize(1500, 950)
    window.show()
    window.open_path(DEMO)
    while window.document.analysis is None:
        app.processEvents()
        time.sleep(0.01)
    settle(app)
    window.grab().save(str(out / "main.png"))
    flagged = [i for i, f in enumerate(window.document.analysis.flags) if "missing_cot" in f]
    window.state.select(flagged)
    window.state.set_current(flagged[0])
    settle(app)
    window.grab().save(str(out / "flagged-selection.png"))
    window.state.select([])
    window.filter_bar.set_filter(Filter(flags=frozenset({"missing_cot", "refusal", "too_short"})))
    settle(app)
    window.grab().save(str(out / "filtered.png"))
    window.export_dialog(filtered=True)
    dialog = window.export_window
    dialog.max_cluster.setValue(3)
    dialog.refresh_preview()
    settle(app)
    dialog.grab().save(str(out / "export-preview.png"))
    dialog.reject()
    window.filter_bar.set_filter(Filter())
    for name, panel in (("coverage", window.coverage), ("quality", window.quality),
                        ("near-duplicates", window.duplicates)):
        dock = panel.parentWidget()
        dock.setFloating(True)
        dock.resize(620, 760)
        dock.show()
        app.processEvents()
        dock.grab().save(str(out / f"{name}.png"))
    window.close()
    print(f"saved to {out}")


if __name__ == "__main__":
    main()
