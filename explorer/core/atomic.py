"""Atomic file writes: a reader sees the old complete file or the new complete file, never a partial one."""

from __future__ import annotations

import contextlib
import gzip
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator

from explorer.core.errors import DatasetError


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _replace(src: str, dst: Path) -> None:
    # On Windows another process holding the target makes os.replace fail for a moment: retry briefly.
    for attempt in range(10):
        try:
            os.replace(src, dst)
            return
        except PermissionError:
            if attempt == 9:
                raise DatasetError("the file is in use by another program; close it and try again", str(dst)) from None
            time.sleep(0.1 * (attempt + 1))


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike, gzip_level: int | None = None) -> Iterator[BinaryIO]:
    """Open a temporary file beside `path`; on success it replaces `path` after fsync, on error it vanishes."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as e:
        raise DatasetError(f"cannot write into this folder ({e.strerror or e})", str(target)) from e
    try:
        with os.fdopen(fd, "wb") as raw:
            if gzip_level is not None:
                with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=gzip_level, mtime=0) as gz:
                    yield gz  # type: ignore[misc]
            else:
                yield raw
            raw.flush()
            os.fsync(raw.fileno())
        _replace(tmp, target)
        _fsync_dir(target.parent)
    except BaseException as e:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(e, OSError) and not isinstance(e, DatasetError):
            raise DatasetError(f"could not write the file ({e.strerror or e}); the previous file, if any, is "
                               "unchanged", str(target)) from e
        raise


def write_chunks(path: str | os.PathLike, chunks: Iterable[bytes], gzip_level: int | None = None) -> None:
    """Write byte chunks to `path` atomically (optionally gzip-compressed)."""
    with atomic_file(path, gzip_level) as f:
        for chunk in chunks:
            f.write(chunk)


def atomic_dir(path: str | os.PathLike, fill: Callable[[Path], None]) -> None:
    """Build a folder in a temporary sibling with `fill(tmp)`, then swap it into place."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    old = None
    try:
        fill(tmp)
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and not target.exists():
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
