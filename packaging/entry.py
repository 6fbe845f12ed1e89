"""Entry point of the frozen app (PyInstaller)."""

import multiprocessing

from explorer.cli.main import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    raise SystemExit(main())
