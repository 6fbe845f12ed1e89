"""An exclusive lock on a session, so two processes never write one journal."""

from __future__ import annotations

import os
from pathlib import Path

from explorer.core.errors import DatasetError


class SessionLock:
    """Held from construction until release(); a second holder gets a clear 'in use' error at once."""

    def __init__(self, path: Path):
        self.path = path
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.name == "nt":
                import msvcrt

                msvcrt.locking(self._fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self._fd)
            raise DatasetError("this dataset's session is in use by another SFT Explorer window or command; "
                               "close it first", str(path.with_suffix(""))) from None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None
