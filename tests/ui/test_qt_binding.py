"""Guards against a Qt binding that miscounts references (PySide6 6.12.0: each `Signal.emit()` from Python
returned an unowned bool, so True's count fell until Python 3.11 aborted with 'deallocating True or False')."""

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    value = Signal(object)
    number = Signal(int)


def test_emitting_signals_keeps_reference_counts():
    emitter = _Emitter()
    emitter.value.connect(lambda v: None)
    emitter.number.connect(lambda v: None)
    before = (sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None))
    for k in range(5000):
        emitter.value.emit(None)
        emitter.number.emit(k)
    assert (sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None)) == before
