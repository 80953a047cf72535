"""Halves of calls kept in buckets by a hash of their call id, on disk when there are many.

The two sides of one call carry the same `event_id`, so they land in the same bucket, and
each bucket pairs in memory on its own (`pairing.split_halves`): an external hash join whose
memory is one bucket, whatever the number of halves. A bucket that comes out bigger than
asked (more halves than the count was sized for, or an uneven spread) is split again with
another hash, so no bucket given back holds more than `bucket_rows` halves unless one call
alone has more.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from driftline.errors import InputError

#: Halves per bucket: the most a bucket given back holds, and what the halves waiting in
#: memory to be written to their buckets may reach.
DEFAULT_BUCKET_ROWS = 100_000
_WEIGHTS = np.random.default_rng(20261201).integers(1, 2**62, size=64, dtype=np.uint64) | 1
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def bucket_count(halves: int, bucket_rows: int = DEFAULT_BUCKET_ROWS) -> int:
    """Buckets for about `halves` halves: one (kept in memory) up to `bucket_rows`, else
    enough for four fifths of `bucket_rows` each, so that an uneven spread seldom makes a
    bucket too big (and split again)."""
    if halves <= bucket_rows:
        return 1
    return math.ceil(halves * 5 / (4 * bucket_rows))


def call_buckets(event_ids: pa.Array | pa.ChunkedArray, buckets: int, salt: int = 0) -> np.ndarray:
    """The bucket (0 .. buckets - 1) of each id: a hash of its bytes, the same in every
    process; another `salt` gives another hash, to split a bucket again."""
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
        sums ^= np.uint64(salt) * _GOLDEN
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

    Up to `bucket_rows` halves wait in memory; as more come, the waiting ones go to their
    buckets' Arrow IPC files in a temporary folder (removed by `close`, or when used as a
    context manager), one record batch per bucket, and no file stays open in between.
    `buckets` is how many buckets the halves are spread over once they go to disk
    (`bucket_count` of the halves expected); a bucket that still gets more than
    `bucket_rows` halves is split again when drained, so none given back is bigger, unless
    one call alone has more halves.
    """

    def __init__(
        self,
        schema: pa.Schema,
        buckets: int = 1,
        bucket_rows: int = DEFAULT_BUCKET_ROWS,
        *,
        salt: int = 0,
        unsplittable: int | None = None,
    ) -> None:
        if bucket_rows < 1:
            raise InputError(
                f"`bucket_rows` is {bucket_rows}; it must be a positive number of halves",
                param="bucket_rows",
            )
        self.schema = schema
        self.buckets = max(2, buckets)
        self.bucket_rows = bucket_rows
        self.rows = 0
        self.sizes: dict[int, int] = {}  # halves written to each bucket's file
        self._salt = salt
        # the size of the bucket this spill splits again: a bucket as big did not split
        # (one call, or calls whose ids hash alike), and is given back whole
        self._unsplittable = unsplittable
        self._waiting: list[pa.Table] = []
        self.waiting_rows = 0
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> HalfSpill:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def folder(self) -> Path | None:
        """Where the buckets' files are; None while every half waits in memory."""
        return None if self._folder is None else Path(self._folder.name)

    def _path(self, bucket: int) -> Path:
        assert self.folder is not None
        return self.folder / f"bucket-{bucket:05d}.arrows"

    def add(self, halves: pa.Table) -> None:
        """Keep `halves` (rows of one side of a call each), conformed to the spill's schema."""
        if not halves.num_rows:
            return
        self._waiting.append(conform(halves, self.schema))
        self.waiting_rows += halves.num_rows
        self.rows += halves.num_rows
        if self.waiting_rows > self.bucket_rows:
            self._write_waiting()

    def _write_waiting(self) -> None:
        """Append the waiting halves to their buckets' files: one IPC stream each."""
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="driftline-halves-")
        halves = pa.concat_tables(self._waiting).combine_chunks()
        self._waiting, self.waiting_rows = [], 0
        which = call_buckets(halves.column("event_id"), self.buckets, self._salt)
        order = np.argsort(which, kind="stable")
        which = which[order]
        halves = halves.take(pa.array(order))
        cuts = np.flatnonzero(np.diff(which)) + 1
        for begin, end in zip(np.r_[0, cuts], np.r_[cuts, len(which)], strict=True):
            bucket = int(which[begin])
            with (
                pa.OSFile(str(self._path(bucket)), "ab") as sink,
                pa.ipc.new_stream(sink, self.schema) as writer,
            ):
                writer.write_table(halves.slice(begin, end - begin))
            self.sizes[bucket] = self.sizes.get(bucket, 0) + int(end - begin)

    def _read(self, bucket: int) -> Iterator[pa.RecordBatch]:
        """The batches of a bucket's file (one IPC stream after another)."""
        path, size = self._path(bucket), self._path(bucket).stat().st_size
        with pa.OSFile(str(path)) as source:
            while source.tell() < size:
                yield from pa.ipc.open_stream(source)

    def drain(self) -> Iterator[pa.Table]:
        """Each non-empty bucket as one table, read back one at a time."""
        if self._folder is None:
            if self._waiting:
                yield pa.concat_tables(self._waiting)
            self._waiting, self.waiting_rows = [], 0
            return
        if self._waiting:
            self._write_waiting()
        for bucket in sorted(self.sizes):
            size = self.sizes.pop(bucket)
            if size > self.bucket_rows and size != self._unsplittable:
                yield from self._split(bucket, size)
            else:
                yield pa.Table.from_batches(list(self._read(bucket)), schema=self.schema)
            self._path(bucket).unlink()

    def _split(self, bucket: int, size: int) -> Iterator[pa.Table]:
        """A bucket too big to pair at once, spread over smaller ones by another hash."""
        smaller = HalfSpill(
            self.schema,
            bucket_count(size, self.bucket_rows),
            self.bucket_rows,
            salt=self._salt + 1,
            unsplittable=size,
        )
        with smaller:
            for batch in self._read(bucket):
                smaller.add(pa.Table.from_batches([batch]))
            yield from smaller.drain()

    def close(self) -> None:
        """Drop whatever is still kept."""
        self._waiting, self.waiting_rows, self.sizes = [], 0, {}
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None
