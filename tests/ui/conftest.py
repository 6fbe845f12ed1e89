import pytest
from PySide6.QtCore import QSettings

from explorer.core.analysis.pipeline import AnalysisParams
from explorer.ui.document import Document
from explorer.ui.main_window import MainWindow
from explorer.workers.jobs import JobRunner
from tests.fakes import FakeEmbedder


@pytest.fixture
def window(qtbot, tmp_path):
    """The main window with a fake embedder and settings in a temp file."""
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    runner = JobRunner()
    document = Document(runner, lambda p: FakeEmbedder(), AnalysisParams(model="fake", seed=3, min_cluster_size=8))
    win = MainWindow(document, settings)
    qtbot.addWidget(win)
    win.resize(1300, 850)
    win.show()
    yield win
    win.close()


def open_and_wait(qtbot, win, path):
    win.open_path(path)
    qtbot.waitUntil(lambda: win.document.analysis is not None, timeout=120_000)
