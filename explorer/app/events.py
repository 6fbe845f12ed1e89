"""Plain events: a list of callbacks, called in order. The Qt layer turns them into signals."""

from __future__ import annotations

from typing import Callable


class Event:
    """`event.connect(fn)`; `event.emit(*args)` calls every connected function with those arguments."""

    def __init__(self, name: str):
        self.name = name
        self._callbacks: list[Callable] = []

    def connect(self, callback: Callable) -> Callable:
        self._callbacks.append(callback)
        return callback

    def disconnect(self, callback: Callable) -> None:
        self._callbacks.remove(callback)

    def emit(self, *args) -> None:
        for callback in list(self._callbacks):
            callback(*args)

    def __repr__(self) -> str:
        return f"Event({self.name!r}, {len(self._callbacks)} connected)"
