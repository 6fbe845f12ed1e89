"""Starting the desktop app: `sft-explorer [PATH] [--screenshot OUT.png]`."""

from __future__ import annotations

import argparse
import sys

from explorer import __version__


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="sft-explorer", description="Open the SFT Explorer window.")
    parser.add_argument("path", nargs="?", help="dataset to open")
    parser.add_argument("--screenshot", metavar="OUT.png",
                        help="open PATH, wait for the analysis, save a PNG of the window and exit")
    parser.add_argument("--size", default="1500x950", help="window size for --screenshot (default 1500x950)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None, embedder_factory=None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    import multiprocessing

    multiprocessing.freeze_support()
    from PySide6.QtCore import QCoreApplication, QTimer
    from PySide6.QtWidgets import QApplication

    from explorer.core.analysis.projection import use_numba_cache
    from explorer.ui.document import Document
    from explorer.ui.main_window import MainWindow
    from explorer.workers.jobs import JobRunner

    use_numba_cache()
    QCoreApplication.setOrganizationName("SFT Explorer")
    QCoreApplication.setApplicationName("SFT Explorer")
    QCoreApplication.setApplicationVersion(__version__)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    runner = JobRunner()
    document = Document(runner, embedder_factory)
    window = MainWindow(document)
    if args.screenshot:
        return _screenshot(app, window, document, args)
    window.show()
    if args.path:
        QTimer.singleShot(0, lambda: window.open_path(args.path))
    return app.exec()


def _screenshot(app, window, document, args) -> int:
    from PySide6.QtCore import QTimer

    if not args.path:
        print("sft-explorer: --screenshot needs a PATH", file=sys.stderr)
        return 2
    width, height = (int(v) for v in args.size.split("x"))
    window.resize(width, height)
    window.show()
    status = {"code": 1}

    def save() -> None:
        window.grab().save(args.screenshot)
        status["code"] = 0
        window.close()

    document.analysis_ready.connect(lambda: QTimer.singleShot(300, save))
    document.failed.connect(lambda kind, msg: (print(f"sft-explorer: {kind} failed: {msg}", file=sys.stderr),
                                               window.close()))
    window.open_path(args.path)
    app.exec()
    return status["code"]
