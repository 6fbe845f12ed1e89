import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
# UMAP's numba JIT costs ~20 s per cold process: keep its cache between test runs (not in the per-test home).
os.environ.setdefault("NUMBA_CACHE_DIR", str(Path(__file__).resolve().parents[1] / ".pytest_cache" / "numba"))


@pytest.fixture(autouse=True)
def private_home(tmp_path_factory, monkeypatch):
    """Settings, sessions and caches of every test go to a fresh folder, never the user's."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("SFT_EXPLORER_HOME", str(home))
    return home
