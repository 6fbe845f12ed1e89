"""Per-record columns in compact form: the analysis' text columns, and results sent from its helper to the app.

A list of a million strings costs about twice its text in Python objects, and the app unpickles a result in one
call that holds Python's lock: rebuilding a million strings or small lists takes seconds, and the window cannot
draw meanwhile. Packed, the same columns are a few numpy buffers (which can also lie in a memory-mapped file two
processes share): unpickled in milliseconds, read back as the lists they stand for.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence

import numpy as np


class PackedStrings(Sequence):
    """A read-only column of strings held as one UTF-8 buffer and offsets: pickled and unpickled in milliseconds
    (a list of a million strings takes seconds, and the app's window would wait on them)."""

    def __init__(self, strings: Iterable[str]):
        builder = StringsBuilder()
        for s in strings:
            builder.add(s)
        self.data, self.offsets = builder.arrays()  # arrays pickle out of band (see remote.py)

    @classmethod
    def from_arrays(cls, data: np.ndarray, offsets: np.ndarray) -> PackedStrings:
        """Strings i = data[offsets[i]:offsets[i + 1]] (UTF-8), e.g. arrays viewing a mapped file."""
        packed = cls.__new__(cls)
        packed.data, packed.offsets = data, offsets
        return packed

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return str(memoryview(self.data)[self.offsets[i]:self.offsets[i + 1]], "utf-8", "surrogatepass")

    def __iter__(self) -> Iterator[str]:
        view, bounds = memoryview(self.data), self.offsets.tolist()
        return (str(view[a:b], "utf-8", "surrogatepass") for a, b in zip(bounds, bounds[1:]))

    @property
    def nbytes(self) -> int:
        return self.data.nbytes + self.offsets.nbytes


class StringsBuilder:
    """Appends strings to one growing UTF-8 buffer (never a list of them), then hands out `PackedStrings`."""

    def __init__(self):
        self.buffer = bytearray()
        self.ends = array("q")

    def add(self, s: str) -> None:
        self.buffer += s.encode("utf-8", "surrogatepass")
        self.ends.append(len(self.buffer))

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        offsets = np.zeros(len(self.ends) + 1, np.int64)
        offsets[1:] = np.frombuffer(self.ends, np.int64) if self.ends else 0
        return np.frombuffer(self.buffer, np.uint8), offsets

    def build(self) -> PackedStrings:
        return PackedStrings.from_arrays(*self.arrays())


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
