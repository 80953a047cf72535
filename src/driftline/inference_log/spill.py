"""Halves of calls kept in buckets by a hash of their call id, on disk when there are many.

The two sides of one call carry the same `event_id`, so they land in the same bucket, and
each bucket pairs in memory on its own (`pairing.split_halves`): an external hash join whose
memory is one bucket, whatever the number of halves.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: Halves per bucket a bucket count aims at: pairing one bucket holds about this many rows.
DEFAULT_BUCKET_ROWS = 200_000
_WEIGHTS = np.random.default_rng(20261201).integers(1, 2**62, size=64, dtype=np.uint64) | 1


def bucket_count(halves: int, bucket_rows: int = DEFAULT_BUCKET_ROWS) -> int:
    """Buckets for about `halves` halves: one (kept in memory) up to `bucket_rows`."""
    return max(1, math.ceil(halves / bucket_rows))


def call_buckets(event_ids: pa.Array | pa.ChunkedArray, buckets: int) -> np.ndarray:
    """The bucket (0 .. buckets - 1) of each id: a hash of its bytes, the same in every process."""
    if isinstance(event_ids, pa.ChunkedArray):
        event_ids = event_ids.combine_chunks()
    ids = pc.fill_null(event_ids.cast(pa.large_string()), "")
    offsets = np.frombuffer(ids.buffers()[1], dtype=np.int64)[
        ids.offset : ids.offset + len(ids) + 1
    ]
    data = np.frombuffer(ids.buffers()[2] or b"", dtype=np.uint8)[offsets[0] : offsets[-1]]
    starts, lengths = offsets[:-1] - offsets[0], np.diff(offsets)
    position = np.arange(len(data), dtype=np.int64) - np.repeat(starts, lengths)
    with np.errstate(over="ignore"):
        terms = (data.astype(np.uint64) + np.uint64(1)) * _WEIGHTS[position % len(_WEIGHTS)]
        sums = np.zeros(len(ids), dtype=np.uint64)
        filled = lengths > 0
        if filled.any():
            sums[filled] = np.add.reduceat(terms, starts[filled])
        sums ^= sums >> np.uint64(33)
        sums *= np.uint64(0xFF51AFD7ED558CCD)
        sums ^= sums >> np.uint64(33)
    return (sums % np.uint64(buckets)).astype(np.int64)


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """`table` with exactly `schema`'s columns: missing ones null, others cast."""
    columns = [
        table.column(f.name).cast(f.type)
        if f.name in table.column_names
        else pa.nulls(table.num_rows, f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema)


class HalfSpill:
    """Halves added in any order, given back bucket by bucket (a call's halves together).

    One bucket stays in memory; more are Arrow IPC files in a temporary folder, removed by
    `close` (or when used as a context manager).
    """

    def __init__(self, schema: pa.Schema, buckets: int = 1) -> None:
        self.schema = schema
        self.buckets = buckets
        self.rows = 0
        self._memory: list[pa.Table] = []
        self._folder = (
            tempfile.TemporaryDirectory(prefix="driftline-halves-") if buckets > 1 else None
        )
        self._writers: dict[int, pa.ipc.RecordBatchFileWriter] = {}

    def __enter__(self) -> HalfSpill:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _path(self, bucket: int) -> Path:
        assert self._folder is not None
        return Path(self._folder.name) / f"bucket-{bucket:05d}.arrow"

    def add(self, halves: pa.Table) -> None:
        """Keep `halves` (rows of one side of a call each), conformed to the spill's schema."""
        if not halves.num_rows:
            return
        halves = conform(halves, self.schema)
        self.rows += halves.num_rows
        if self._folder is None:
            self._memory.append(halves)
            return
        which = call_buckets(halves.column("event_id"), self.buckets)
        order = np.argsort(which, kind="stable")
        which = which[order]
        halves = halves.take(pa.array(order))
        cuts = np.flatnonzero(np.diff(which)) + 1
        for begin, end in zip(np.r_[0, cuts], np.r_[cuts, len(which)], strict=True):
            bucket = int(which[begin])
            writer = self._writers.get(bucket)
            if writer is None:
                writer = self._writers[bucket] = pa.ipc.new_file(self._path(bucket), self.schema)
            writer.write_table(halves.slice(begin, end - begin))

    def drain(self) -> Iterator[pa.Table]:
        """Each non-empty bucket as one table, read back one at a time."""
        if self._folder is None:
            if self._memory:
                yield pa.concat_tables(self._memory)
            self._memory = []
            return
        for writer in self._writers.values():
            writer.close()
        for bucket in sorted(self._writers):
            with pa.OSFile(str(self._path(bucket))) as source:
                table = pa.ipc.open_file(source).read_all()
            yield table
            self._path(bucket).unlink()
        self._writers = {}

    def close(self) -> None:
        """Drop whatever is still kept."""
        for writer in self._writers.values():
            writer.close()
        self._writers, self._memory = {}, []
        if self._folder is not None:
            self._folder.cleanup()
