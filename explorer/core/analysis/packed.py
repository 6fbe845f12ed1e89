"""Per-record columns in compact form, for results sent from the analysis helper to the app.

The app unpickles a result in one call that holds Python's lock; a list of a million strings or of a million
small lists takes seconds to rebuild, and the window cannot draw meanwhile. Packed, the same columns are a few
numpy buffers: unpickled in milliseconds, read back as the lists they stand for.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np


class PackedStrings(Sequence):
    """A read-only column of strings held as one UTF-8 buffer and offsets: pickled and unpickled in milliseconds
    (a list of a million strings takes seconds, and the app's window would wait on them)."""

    def __init__(self, strings: list[str]):
        encoded = [s.encode("utf-8", "surrogatepass") for s in strings]
        self.data = np.frombuffer(b"".join(encoded), np.uint8)  # an array pickles out of band (see remote.py)
        self.offsets = np.zeros(len(encoded) + 1, np.int64)
        np.cumsum([len(e) for e in encoded], out=self.offsets[1:])

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self.data[self.offsets[i]:self.offsets[i + 1]].tobytes().decode("utf-8", "surrogatepass")

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(len(self)))


class PackedFlags(Sequence):
    """A read-only column of flag lists (each a list of flag names) held as one bit mask per record."""

    def __init__(self, bits: np.ndarray, names: tuple[str, ...]):
        """`bits[i]` has bit k set when record i has flag `names[k]`."""
        self.bits = np.asarray(bits, np.uint64)
        self.names = tuple(names)

    @classmethod
    def from_lists(cls, flags: list[list[str]], names: tuple[str, ...]) -> PackedFlags:
        bit = {name: 1 << k for k, name in enumerate(names)}
        bits = np.zeros(len(flags), np.uint64)
        for i in np.flatnonzero(np.fromiter(map(len, flags), np.int64, len(flags))).tolist():
            bits[i] = sum(bit[f] for f in set(flags[i]))
        return cls(bits, names)

    @classmethod
    def from_matrix(cls, matrix: np.ndarray, names: tuple[str, ...]) -> PackedFlags:
        """From an (n, len(names)) bool matrix, column k being flag names[k]."""
        weights = np.left_shift(np.uint64(1), np.arange(len(names), dtype=np.uint64))
        return cls((matrix.astype(np.uint64) * weights).sum(axis=1, dtype=np.uint64), names)

    def __len__(self) -> int:
        return len(self.bits)

    def _names_of(self, mask: int) -> list[str]:
        return [name for k, name in enumerate(self.names) if mask >> k & 1]

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return self._names_of(int(self.bits[i]))

    def __iter__(self) -> Iterator[list[str]]:
        decoded: dict[int, tuple[str, ...]] = {}
        for mask in self.bits.tolist():
            if mask not in decoded:
                decoded[mask] = tuple(self._names_of(mask))
            yield list(decoded[mask])
