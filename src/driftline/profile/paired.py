"""Profile the log sink's output partition by partition when replicas wrote the sides of calls
apart.

Each partition pairs the halves it holds (`io.log_stream`), profiles its calls in the window,
and writes the halves whose other side it does not hold (its leftovers: the calls near its
time edges, and halves that have no other side at all) to a Parquet file. The merge step
pairs the leftovers of all partitions together and profiles what they give: the calls joined
across partitions and the halves still alone (kept as rows, and counted, as one read of the
whole window keeps and counts them). Pairing matches sides by (model, call id, row), so
pairing in parts and then pairing what is left equals pairing the window whole: the merged
profile equals the single-task profile.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from driftline.errors import DataSourceError, InputError
from driftline.inference_log.pairing import HalfPairing, unpaired_counts, within
from driftline.inference_log.spill import DEFAULT_BUCKET_ROWS, conform
from driftline.io import ColumnKind
from driftline.io.log_stream import halves_in, iter_log_tables, pairing_for
from driftline.io.log_window import read_filter
from driftline.io.partitions import Partition, open_partition
from driftline.io.readers import open_dataset, quoted
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
    if not partition.pairs_sides:
        raise InputError(
            f"partition {partition.index} is not of sink output with sides apart; "
            "profile it with profile_partition",
            param="partition",
        )
    dataset = open_partition(partition, storage_options)
    fragments, schema = list(dataset.get_fragments()), dataset.schema
    when = read_filter(start, end)
    pairing = pairing_for(schema, (start, end), halves_in(fragments, when), bucket_rows)
    left = 0

    def calls() -> Iterator[pa.Table]:
        nonlocal left
        for table in iter_log_tables(fragments, when, schema):
            yield pairing.feed(table)
        for rows, alone in pairing.pairs():
            writer.write_table(conform(alone, schema))
            left += alone.num_rows
            yield rows

    shown = _projected(schema, columns)
    try:
        with (
            pairing.spill,
            atomic_output(leftovers) as tmp,
            pq.ParquetWriter(tmp, schema) as writer,
        ):
            profile = profile_batches(_batches(calls(), shown), kinds, schema=shown, **opts)
    except (pa.ArrowException, OSError) as exc:
        raise DataSourceError(
            f"cannot read partition {partition.index} of {partition.source}: {quoted(exc)}",
            param="partition",
        ) from exc
    return PairedPart(profile, pairing.joined, left)


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
    try:
        files = [open_dataset(str(path), "parquet") for path in leftovers]
        schema = pa.unify_schemas([f.schema for f in files], promote_options="permissive")
        halves = sum(f.count_rows() for f in files)
    except (pa.ArrowException, OSError) as exc:
        raise DataSourceError(
            f"cannot read leftover halves: {quoted(exc)}", param="unpaired"
        ) from exc
    pairing = pairing_for(schema, (start, end), halves, bucket_rows)
    alone = [0, 0]

    def calls() -> Iterator[pa.Table]:
        for file in files:
            for batch in file.to_batches():
                pairing.feed(conform(pa.Table.from_batches([batch]), schema))  # halves only
        for rows, lonely in pairing.pairs():
            lonely = within(lonely, (start, end))
            counted = unpaired_counts(lonely)
            alone[0], alone[1] = alone[0] + counted[0], alone[1] + counted[1]
            yield rows
            yield lonely

    shown = _projected(schema, list(like.columns))
    kinds = {name: column.kind for name, column in like.columns.items()}
    with pairing.spill:
        profile = profile_batches(
            _batches(calls(), shown), kinds, schema=shown, **vars(like.options)
        )
    return profile, HalfPairing(pairing.joined, alone[0], alone[1])
