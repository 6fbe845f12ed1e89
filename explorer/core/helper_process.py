"""Child Python processes that work for this one (the second half of a big scan, the analysis with its model).

A helper is started from its module object — imported by the caller, so renaming a helper breaks at import, not
at run time — as `python -m MODULE ARGS` (a frozen app runs its own `-m` the same way). Requests and answers are
JSON lines; an answer `{"result": N}` is followed by N raw bytes. The helper's stderr is kept, so when it dies the
caller gets a `HelperCrashed` that says why, instead of a hang or a broken pipe.
"""

from __future__ import annotations

import collections
import json
import queue
import subprocess
import sys
import threading
from types import ModuleType
from typing import BinaryIO

STDERR_LINES = 30


class HelperCrashed(RuntimeError):
    """A helper process stopped before answering; the message ends with the last lines it wrote to stderr."""

    def __init__(self, what: str, returncode: int | None, stderr_tail: str):
        self.returncode, self.stderr_tail = returncode, stderr_tail
        detail = f":\n{stderr_tail}" if stderr_tail.strip() else ""
        super().__init__(f"the {what} helper stopped (exit code {returncode}){detail}")


def command(module: ModuleType, *args: str) -> list[str]:
    """The command line that runs `module` as a helper."""
    return [sys.executable, "-m", module.__name__, *args]


def send(out: BinaryIO, message: dict, data: bytes | list = b"") -> None:
    """Helper side: one JSON line, then `data`, bytes or a list of buffers written one after the other (announce
    their total size with `"result": size`)."""
    out.write(json.dumps(message).encode() + b"\n")
    for chunk in data if isinstance(data, list) else [data]:
        out.write(chunk)
    out.flush()


class OneShotHelper:
    """A helper that writes its whole answer to stdout and exits; it works while the caller does the rest."""

    def __init__(self, module: ModuleType, *args: str, what: str = "helper"):
        self.what = what
        self.proc = subprocess.Popen(command(module, *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def result(self) -> bytes:
        """Wait for the answer; HelperCrashed if the helper failed."""
        out, err = self.proc.communicate()
        if self.proc.returncode != 0:
            tail = "\n".join(err.decode("utf-8", "replace").splitlines()[-STDERR_LINES:])
            raise HelperCrashed(self.what, self.proc.returncode, tail)
        return out

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.communicate()


class HelperProcess:
    """A long-lived helper answering requests: `send` a request, `receive` messages until its answer."""

    def __init__(self, module: ModuleType, *args: str, what: str = "helper"):
        self.what = what
        self.proc = subprocess.Popen(command(module, *args), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.stderr: collections.deque[str] = collections.deque(maxlen=STDERR_LINES)
        self.messages: queue.Queue = queue.Queue()
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self) -> None:
        for line in self.proc.stdout:
            message = json.loads(line)
            if "result" in message:
                message["data"] = self._read_exactly(message["result"])
            self.messages.put(message)
        self.messages.put(None)  # the helper's stdout closed: it stopped

    def _read_exactly(self, size: int) -> bytearray:
        """`size` bytes of stdout in a writable buffer (arrays unpickled on it stay writable, with no copy)."""
        data = bytearray(size)
        view, done = memoryview(data), 0
        while done < size:
            got = self.proc.stdout.readinto(view[done:])
            if not got:
                raise EOFError(f"the helper stopped after {done} of {size} bytes")
            done += got
        return data

    def _read_stderr(self) -> None:
        for line in self.proc.stderr:
            self.stderr.append(line.decode("utf-8", "replace").rstrip())

    def alive(self) -> bool:
        return self.proc.poll() is None

    def send(self, message: dict) -> None:
        try:
            self.proc.stdin.write(json.dumps(message).encode() + b"\n")
            self.proc.stdin.flush()
        except OSError:
            raise self.crashed() from None

    def receive(self, timeout: float) -> dict | None:
        """The next message, or None when none came within `timeout`; HelperCrashed once the helper is gone."""
        try:
            message = self.messages.get(timeout=timeout)
        except queue.Empty:
            return None
        if message is None:
            raise self.crashed()
        return message

    def crashed(self) -> HelperCrashed:
        try:
            returncode = self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            returncode = None
        return HelperCrashed(self.what, returncode, "\n".join(self.stderr))

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
