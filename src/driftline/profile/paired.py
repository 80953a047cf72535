"""Profile the log sink's output partition by partition when replicas wrote the sides of calls
apart (`io.paired_parts`): each partition profiles the calls it pairs and writes the halves it
leaves over; the merge step profiles the calls the leftovers give together. The merged profile
equals the profile of the single-task window.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from driftline.inference_log.pairing import HalfPairing
from driftline.inference_log.spill import DEFAULT_BUCKET_ROWS, conform
from driftline.io import ColumnKind
from driftline.io.paired_parts import LeftoverCalls, PartitionCalls
from driftline.io.partitions import Partition
from driftline.profile.builder import profile_batches
from driftline.profile.dataset import DatasetProfile
from driftline.storage import atomic_output


@dataclass(frozen=True)
class PairedPart:
    """A partition's profile, the calls it joined, and the halves it left over."""

    profile: DatasetProfile
    joined: int  # calls in the window whose sides this partition joined
    leftovers: int  # halves written to the leftovers file


def _projected(schema: pa.Schema, columns: Sequence[str] | None) -> pa.Schema:
    if columns is None:
        return schema
    return pa.schema([schema.field(c) for c in columns if c in schema.names])


def _batches(tables: Iterator[pa.Table], schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    for table in tables:
        yield from conform(table, schema).to_batches()


def profile_paired_partition(
    partition: Partition,
    leftovers: str | Path,
    *,
    start: datetime,
    end: datetime,
    columns: Sequence[str] | None = None,
    kinds: Mapping[str, ColumnKind | str] | None = None,
    bucket_rows: int = DEFAULT_BUCKET_ROWS,
    storage_options: Mapping[str, Any] | None = None,
    **opts: Any,
) -> PairedPart:
    """Profile the calls in [start, end) that `partition` holds both sides of (or that the
    sink paired), and write its other halves to the Parquet file `leftovers`."""
    calls = PartitionCalls(
        partition, start, end, bucket_rows=bucket_rows, storage_options=storage_options
    )
    shown = _projected(calls.schema, columns)
    with atomic_output(leftovers) as tmp, pq.ParquetWriter(tmp, calls.schema) as writer:
        tables = calls.tables(leave=writer.write_table)
        profile = profile_batches(_batches(tables, shown), kinds, schema=shown, **opts)
    return PairedPart(profile, calls.joined, calls.leftovers)


def profile_leftovers(
    leftovers: Sequence[str | Path],
    like: DatasetProfile,
    *,
    start: datetime,
    end: datetime,
    bucket_rows: int = DEFAULT_BUCKET_ROWS,
) -> tuple[DatasetProfile, HalfPairing]:
    """Pair the partitions' leftover halves together and profile, like `like` (its columns,
    kinds and options), the calls in [start, end) they give: those joined here, and the
    halves still alone, which are counted."""
    calls = LeftoverCalls(leftovers, start, end, bucket_rows=bucket_rows)
    shown = _projected(calls.schema, list(like.columns))
    kinds = {name: column.kind for name, column in like.columns.items()}
    tables = calls.tables()
    profile = profile_batches(_batches(tables, shown), kinds, schema=shown, **vars(like.options))
    return profile, calls.counts()
