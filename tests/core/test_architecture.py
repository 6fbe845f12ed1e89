"""Mechanical checks of the architecture: the core never imports Qt, and heavy libraries load lazily."""

import pkgutil
import subprocess
import sys

import explorer.app
import explorer.core

BLOCKED = ("PySide6", "shiboken6", "superqt", "pyqtgraph", "explorer.ui", "explorer.workers", "explorer.cli")
HEAVY = ("torch", "sentence_transformers", "umap", "hdbscan", "datasets", "transformers", "pyarrow")


def core_modules() -> list[str]:
    return [m.name for m in pkgutil.walk_packages(explorer.core.__path__, "explorer.core.")]


def app_modules() -> list[str]:
    return [m.name for m in pkgutil.walk_packages(explorer.app.__path__, "explorer.app.")]


SCRIPT = """
import importlib, sys
blocked = {blocked!r}
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked or any(name == b or name.startswith(b + ".") for b in blocked):
            raise ImportError("core must not import " + name)
sys.meta_path.insert(0, Block())
for name in {modules!r}:
    importlib.import_module(name)
heavy = sorted(m for m in {heavy!r} if m in sys.modules)
print("HEAVY:" + ",".join(heavy))
"""


def test_every_core_module_imports_with_qt_blocked_and_without_heavy_libraries():
    modules = core_modules()
    assert len(modules) > 15
    code = SCRIPT.format(blocked=BLOCKED, modules=modules, heavy=HEAVY)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "HEAVY:", done.stdout


def test_the_block_really_blocks():
    code = SCRIPT.format(blocked=BLOCKED, modules=["PySide6.QtCore"], heavy=HEAVY)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "core must not import PySide6" in done.stderr


def test_the_app_layer_imports_no_qt_and_the_core_nothing_above_it():
    """explorer.core <- explorer.app <- explorer.ui / explorer.cli: nothing imports upward."""
    modules = app_modules()
    assert "explorer.app.workspace" in modules
    code = SCRIPT.format(blocked=BLOCKED, modules=modules, heavy=HEAVY)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "HEAVY:", done.stdout
    code = SCRIPT.format(blocked=BLOCKED + ("explorer.app",), modules=core_modules(), heavy=HEAVY)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
