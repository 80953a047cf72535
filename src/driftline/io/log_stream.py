"""Pair the sink's sides of calls over a window in bounded memory.

Rows that hold both sides of their call (the sink paired them) stream straight through.
Halves (a side written alone, by another replica or after the pair timeout) go to a
`HalfSpill`, in buckets by a hash of the call id, and each bucket is paired on its own
(`pairing.split_halves`, then `pairing.pair_halves`). The result equals reading the window
whole (`log_window.read_log_window`), with memory of one record batch plus one bucket.

The same pieces pair a partition of a fanned-out window (the halves whose other side is not
in it are left over, for the merge step to pair) and the leftovers of all partitions.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from driftline.errors import DataSourceError, InputError
from driftline.inference_log.pairing import (
    HalfPairing,
    is_whole,
    pair_halves,
    split_halves,
    unpaired_counts,
    within,
)
from driftline.inference_log.spill import DEFAULT_BUCKET_ROWS, HalfSpill, bucket_count, conform
from driftline.io.memory import read_pool
from driftline.io.readers import (
    BATCH_READAHEAD,
    DEFAULT_BATCH_ROWS,
    FRAGMENT_READAHEAD,
    quoted,
)

Window = tuple[datetime, datetime]


def log_schema(fragments: Iterable[ds.Fragment]) -> pa.Schema:
    """The union of the fragments' schemas, with their Hive keys (`model`, `date`, `hour`)
    typed as `log_window.read_log_window` gives them."""
    schemas = []
    for fragment in fragments:
        keys = ds.get_partition_keys(fragment.partition_expression)
        physical = fragment.physical_schema
        extra = [
            pa.field(k, pa.array([v]).type) for k, v in keys.items() if k not in physical.names
        ]
        schemas.append(pa.schema([*physical, *extra]))
    if not schemas:
        raise InputError("the sink's output holds no files in the window", param="source")
    return pa.unify_schemas(schemas, promote_options="permissive")


def halves_in(fragments: Iterable[ds.Fragment], when: ds.Expression | None) -> int:
    """About how many halves the fragments' rows in `when` hold, from the Parquet footers
    (null request or response times); a row group without statistics counts whole."""
    halves = 0
    for fragment in fragments:
        metadata = fragment.metadata
        names = metadata.schema.to_arrow_schema().names
        times = [names.index(c) for c in ("request_time", "response_time") if c in names]
        for piece in fragment.split_by_row_group(filter=when):
            group = metadata.row_group(piece.row_groups[0].id)
            for column in times:
                stats = group.column(column).statistics
                known = stats is not None and stats.has_null_count
                halves += stats.null_count if known else group.num_rows
    return halves


def iter_log_tables(
    fragments: Sequence[ds.Fragment],
    when: ds.Expression | None,
    schema: pa.Schema,
    batch_rows: int = DEFAULT_BATCH_ROWS,
) -> Iterator[pa.Table]:
    """The fragments' rows in `when`, batch by batch, with `schema`'s columns (Hive keys
    filled from the folders, a column a file lacks null): one scan over all the files."""
    if not fragments:
        return
    scan = ds.FileSystemDataset(
        list(fragments),
        schema=schema,
        format=ds.ParquetFileFormat(),
        filesystem=fragments[0].filesystem,
    )
    held: list[pa.RecordBatch] = []
    rows = 0
    # one thread, one batch and one file ahead, no pre-buffering: a scan that runs ahead of
    # the pairing holds what it read until the pairing takes it (as in readers.Scan)
    batches = scan.to_batches(
        filter=when,
        batch_size=batch_rows,
        use_threads=False,
        batch_readahead=BATCH_READAHEAD,
        fragment_readahead=FRAGMENT_READAHEAD,
        fragment_scan_options=ds.ParquetFragmentScanOptions(pre_buffer=False),
        memory_pool=read_pool(),
    )
    for batch in batches:
        held.append(batch)
        rows += batch.num_rows
        if rows >= batch_rows:  # the sink's files are small: pair in batches of batch_rows
            yield pa.Table.from_batches(held, schema=schema)
            held, rows = [], 0
    if rows:
        yield pa.Table.from_batches(held, schema=schema)


@dataclass
class StreamPairing:
    """Pairs the halves among the sink rows fed to it; whole rows pass through at once."""

    spill: HalfSpill
    window: Window | None
    joined: int = 0

    def feed(self, table: pa.Table) -> pa.Table:
        """The whole rows of `table` in the window; its halves are kept for `pairs`."""
        whole = is_whole(table)
        self.spill.add(table.filter(pc.invert(whole)))
        return within(table.filter(whole), self.window)

    def pairs(self) -> Iterator[tuple[pa.Table, pa.Table]]:
        """Bucket by bucket: (the rows of calls joined here, in the window; the halves that
        found no other side, whatever their time)."""
        for bucket in self.spill.drain():
            paired, alone = split_halves(bucket)
            rows, counts = pair_halves(paired, self.window)
            self.joined += counts.joined
            yield rows, alone


def pairing_for(
    schema: pa.Schema, window: Window | None, halves: int, bucket_rows: int
) -> StreamPairing:
    """A `StreamPairing` whose spill has buckets enough for about `halves` halves."""
    return StreamPairing(HalfSpill(schema, bucket_count(halves, bucket_rows), bucket_rows), window)


def stage_calls(tables: Iterable[pa.Table], schema: pa.Schema, folder: Path) -> Path:
    """Write `tables` (conformed to `schema`) as one Parquet file in the scratch `folder`."""
    path = folder / "calls.parquet"
    with pq.ParquetWriter(path, schema) as writer:
        for table in tables:
            writer.write_table(conform(table, schema))
    return path


class _Gathered:
    """Small tables written as row groups of about `rows` rows (the sink's files are small)."""

    def __init__(self, writer: pa.ipc.RecordBatchFileWriter, rows: int) -> None:
        self.writer, self.rows = writer, rows
        self.held: list[pa.Table] = []
        self.held_rows = 0

    def add(self, table: pa.Table) -> None:
        self.held.append(table)
        self.held_rows += table.num_rows
        if self.held_rows >= self.rows:
            self.flush()

    def flush(self) -> None:
        if self.held_rows:
            self.writer.write_table(pa.concat_tables(self.held))
        self.held, self.held_rows = [], 0


def _to_arrow(table: pa.Table, folder: Path, number: int) -> Path:
    path = folder / f"part-{number:06d}.arrow"
    with pa.ipc.new_file(path, table.schema) as writer:
        writer.write_table(table)
    return path


@dataclass(frozen=True)
class PairedWindow:
    """A window's calls, sides paired, staged as Arrow IPC files in a temporary folder."""

    schema: pa.Schema  # the columns asked for, typed as the union of the staged files
    rows: int
    pairing: HalfPairing
    files: tuple[Path, ...]

    def batches(self, batch_rows: int = DEFAULT_BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        """The rows, batch by batch, with `schema`'s columns: the staged files are read one
        batch at a time, none ahead of the caller."""
        for path in self.files:
            with pa.OSFile(str(path)) as source:
                staged = pa.ipc.open_file(source)
                for i in range(staged.num_record_batches):
                    table = pa.Table.from_batches([staged.get_batch(i)])
                    yield from conform(table, self.schema).to_batches(max_chunksize=batch_rows)


def _chosen(schema: pa.Schema, columns: Sequence[str] | None) -> pa.Schema:
    missing = [c for c in columns or () if c not in schema.names]
    if missing:
        raise InputError(
            f"`columns` {', '.join(map(repr, missing))} not in the sink's output; columns: "
            f"{', '.join(schema.names)}",
            param="columns",
        )
    return pa.schema([schema.field(c) for c in columns]) if columns else schema


@contextmanager
def paired_window(
    fragments: Sequence[ds.Fragment],
    when: ds.Expression,
    window: Window,
    *,
    columns: Sequence[str] | None = None,
    empty_schema: pa.Schema | None = None,
    bucket_rows: int = DEFAULT_BUCKET_ROWS,
    batch_rows: int = DEFAULT_BATCH_ROWS,
) -> Iterator[PairedWindow]:
    """Pair the window's calls in bounded memory and stage them in a temporary folder, removed
    when the block ends; no fragments give no rows with `empty_schema`'s columns."""
    if not fragments:
        schema = _chosen(empty_schema or pa.schema([]), columns)
        yield PairedWindow(schema, 0, HalfPairing(0, 0, 0), ())
        return
    schema = log_schema(fragments)
    pairing = pairing_for(schema, window, halves_in(fragments, when), bucket_rows)
    alone, rows = [0, 0], 0
    with tempfile.TemporaryDirectory(prefix="driftline-window-") as tmp, pairing.spill:
        folder, staged = Path(tmp), list[Path]()
        try:
            with pa.ipc.new_file(folder / "whole.arrow", schema) as writer:
                whole = _Gathered(writer, batch_rows)
                for table in iter_log_tables(fragments, when, schema, batch_rows):
                    kept = pairing.feed(table)
                    whole.add(kept)
                    rows += kept.num_rows
                for paired, lonely in pairing.pairs():
                    lonely = within(lonely, window)
                    whole.add(conform(lonely, schema))
                    counted = unpaired_counts(lonely)
                    alone = [alone[0] + counted[0], alone[1] + counted[1]]
                    rows += lonely.num_rows + paired.num_rows
                    if paired.num_rows:
                        staged.append(_to_arrow(paired, folder, len(staged)))
                whole.flush()
        except (pa.ArrowException, OSError) as exc:
            raise DataSourceError(
                f"cannot read the sink's output: {quoted(exc)}", param="source"
            ) from exc
        files = (folder / "whole.arrow", *staged)
        schemas = [ds.dataset(str(f), format="ipc").schema for f in files]
        union = pa.unify_schemas(schemas, promote_options="permissive")
        counts = HalfPairing(pairing.joined, alone[0], alone[1])
        yield PairedWindow(_chosen(union, columns), rows, counts, files)
