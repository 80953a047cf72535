"""Rows grouped by an integer key (id partition, window), kept in memory or spilled to disk.

On disk each `add` writes one uncompressed Arrow IPC file per key it holds
(`<directory>/<key>/<n>.arrow`); `read` memory-maps them back, so spilling costs little more
than a copy and reading costs almost nothing. In memory the pieces are kept as they come.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa

_RADIX_SPAN = 1 << 16  # keys spanning at most this many values sort in linear time


def split_by(table: pa.Table, keys: np.ndarray) -> Iterator[tuple[int, pa.Table]]:
    """The rows of `table` per distinct value of `keys` (one int per row), in key order."""
    if len(keys) == 0:
        return
    low, high = int(keys.min()), int(keys.max())
    if low == high:
        yield low, table
        return
    codes: np.ndarray
    if high - low < _RADIX_SPAN:
        codes = (keys - low).astype(np.uint16)
        counts = np.bincount(codes, minlength=high - low + 1)
        values = np.arange(low, high + 1)
    else:
        values, codes, counts = np.unique(keys, return_inverse=True, return_counts=True)
    order = np.argsort(codes, kind="stable")
    ordered = table.take(pa.array(order))
    ends = np.cumsum(counts)
    for value, count, end in zip(values.tolist(), counts.tolist(), ends.tolist(), strict=True):
        if count:
            yield value, ordered.slice(end - count, count)


class Partitions:
    """Tables grouped by integer key; on disk under `directory`, or in memory when None."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self._memory: dict[int, list[pa.Table]] = {}
        self._files: dict[int, int] = {}

    def add(self, table: pa.Table, keys: np.ndarray) -> None:
        """Add the rows of `table`, each under its key in `keys`."""
        for key, part in split_by(table, keys):
            self.put(key, part)

    def put(self, key: int, table: pa.Table) -> None:
        """Add `table` (all rows) under `key`."""
        if self.directory is None:
            self._memory.setdefault(key, []).append(table)
            return
        count = self._files.get(key, 0)
        self._files[key] = count + 1
        folder = self.directory / str(key)
        folder.mkdir(parents=True, exist_ok=True)
        path = str(folder / f"{count}.arrow")
        table = table.unify_dictionaries()  # an IPC file holds one dictionary per column
        with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)

    def keys(self) -> list[int]:
        """The keys that hold rows, sorted."""
        return sorted(self._memory if self.directory is None else self._files)

    def read(self, key: int) -> pa.Table | None:
        """All rows under `key` (None if it has none); memory-mapped when on disk."""
        if self.directory is None:
            parts = self._memory.get(key)
        else:
            folder = self.directory / str(key)
            parts = [_map(folder / f"{i}.arrow") for i in range(self._files.get(key, 0))]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else pa.concat_tables(parts)

    def drop(self, key: int) -> None:
        """Forget the rows under `key` (memory) once they have been consumed."""
        self._memory.pop(key, None)


def _map(path: Path) -> pa.Table:
    with pa.memory_map(str(path)) as source:
        return pa.ipc.open_file(source).read_all()
