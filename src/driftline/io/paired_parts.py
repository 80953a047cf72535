"""The calls of a fanned-out window of sink output whose replicas wrote the sides of calls
apart, part by part.

A partition pairs the halves it holds (`PartitionCalls`) and leaves the halves whose other
side it does not hold: the calls near its time edges, and halves that have no other side at
all. The merge step pairs the leftovers of all partitions together (`LeftoverCalls`): the
calls joined across partitions, and the halves still alone (kept as rows, and counted, as one
read of the whole window keeps and counts them). Sides match on (model, call id, row), so
pairing in parts and then pairing what is left gives the calls of pairing the window whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from driftline.errors import DataSourceError, InputError
from driftline.inference_log.pairing import HalfPairing, unpaired_counts, within
from driftline.inference_log.spill import DEFAULT_BUCKET_ROWS, conform
from driftline.io.log_stream import StreamPairing, halves_in, iter_log_tables, pairing_for
from driftline.io.log_window import read_filter
from driftline.io.memory import read_pool
from driftline.io.partitions import Partition, open_partition
from driftline.io.readers import BATCH_READAHEAD, FRAGMENT_READAHEAD, open_dataset, quoted


class PartitionCalls:
    """The calls in [start, end) of one partition that holds sides of calls apart."""

    def __init__(
        self,
        partition: Partition,
        start: datetime,
        end: datetime,
        *,
        bucket_rows: int = DEFAULT_BUCKET_ROWS,
        storage_options: Mapping[str, Any] | None = None,
    ) -> None:
        if not partition.pairs_sides:
            raise InputError(
                f"partition {partition.index} is not of sink output with sides apart; "
                "read it with iter_partition",
                param="partition",
            )
        self.partition = partition
        dataset = open_partition(partition, storage_options)
        self.fragments, self.schema = list(dataset.get_fragments()), dataset.schema
        self.when = read_filter(start, end)
        halves = halves_in(self.fragments, self.when)
        self.pairing: StreamPairing = pairing_for(self.schema, (start, end), halves, bucket_rows)
        self.leftovers = 0

    def tables(self, leave: Callable[[pa.Table], None] | None = None) -> Iterator[pa.Table]:
        """The calls whose sides the partition holds (or the sink paired), table by table;
        `leave` gets the halves left over, with the partition's `schema`."""
        try:
            with self.pairing.spill:
                for table in iter_log_tables(self.fragments, self.when, self.schema):
                    yield self.pairing.feed(table)
                for rows, alone in self.pairing.pairs():
                    self.leftovers += alone.num_rows
                    if leave is not None:
                        leave(conform(alone, self.schema))
                    yield rows
        except (pa.ArrowException, OSError) as exc:
            part = self.partition
            raise DataSourceError(
                f"cannot read partition {part.index} of {part.source}: {quoted(exc)}",
                param="partition",
            ) from exc

    @property
    def joined(self) -> int:
        """Calls in the window whose sides were joined here (after `tables` ran)."""
        return self.pairing.joined


class LeftoverCalls:
    """The calls in [start, end) that the partitions' leftover halves give together."""

    def __init__(
        self,
        leftovers: Sequence[str | Path],
        start: datetime,
        end: datetime,
        *,
        bucket_rows: int = DEFAULT_BUCKET_ROWS,
    ) -> None:
        try:
            self.files = [open_dataset(str(path), "parquet") for path in leftovers]
            schemas = [f.schema for f in self.files]
            self.schema = pa.unify_schemas(schemas, promote_options="permissive")
            halves = sum(f.count_rows() for f in self.files)
        except (pa.ArrowException, OSError) as exc:
            raise DataSourceError(
                f"cannot read leftover halves: {quoted(exc)}", param="unpaired"
            ) from exc
        self.window = (start, end)
        self.pairing = pairing_for(self.schema, self.window, halves, bucket_rows)
        self.alone = (0, 0)

    def tables(self) -> Iterator[pa.Table]:
        """The calls joined across partitions, then the halves still alone, in the window."""
        with self.pairing.spill:
            for file in self.files:
                for batch in file.to_batches(
                    use_threads=False,
                    batch_readahead=BATCH_READAHEAD,
                    fragment_readahead=FRAGMENT_READAHEAD,
                    memory_pool=read_pool(),
                ):
                    self.pairing.feed(conform(pa.Table.from_batches([batch]), self.schema))
            for rows, lonely in self.pairing.pairs():
                lonely = within(lonely, self.window)
                counted = unpaired_counts(lonely)
                self.alone = (self.alone[0] + counted[0], self.alone[1] + counted[1])
                yield rows
                yield lonely

    def counts(self, joined_in_partitions: int = 0) -> HalfPairing:
        """The window's pairing counts (after `tables` ran), with the partitions' joins."""
        return HalfPairing(self.pairing.joined + joined_in_partitions, *self.alone)
