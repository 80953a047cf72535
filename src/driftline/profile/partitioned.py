"""Profile a window partition by partition and merge the parts into the window's profile.

Merging is exact for what a profile counts (rows, nulls, non-finite values, sketch buckets,
exact value counts, category frequencies below the category cap, HyperLogLog registers), so
the merged profile equals the one-pass profile in those fields and in every quantile read
from them. Means and standard deviations agree to floating-point rounding (about 1e-12
relative; for datetime columns, whose moments are of epoch seconds near 1.8e9, where floats
lie 2.4e-7 s apart, about 1e-8). A categorical column past its category cap keeps the top
values of each part, so its listed counts stay lower bounds, as in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds

from driftline.errors import InputError
from driftline.io import ColumnKind
from driftline.io.partitions import Partition, iter_partition, open_partition
from driftline.profile.builder import PROFILE_BATCH_ROWS, categorical_columns, profile_batches
from driftline.profile.dataset import DatasetProfile, merge_profiles


def profile_partition(
    partition: Partition,
    *,
    columns: Sequence[str] | None = None,
    kinds: Mapping[str, ColumnKind | str] | None = None,
    timestamp_column: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    storage_options: Mapping[str, Any] | None = None,
    opened: ds.Dataset | None = None,
    **opts: Any,
) -> DatasetProfile:
    """Profile the rows of one partition within `[start, end)` (see `profile_batches`).
    `opened`: the partition as `open_partition` gave it, if the caller has it (opening
    reads a footer: a request on an object store)."""
    if opened is None:
        opened = open_partition(partition, storage_options)
    schema = opened.schema
    if columns is not None:
        schema = pa.schema([schema.field(c) for c in columns if c in schema.names])
    batches = iter_partition(
        partition,
        columns=columns,
        timestamp_column=timestamp_column,
        start=start,
        end=end,
        storage_options=storage_options,
        batch_rows=PROFILE_BATCH_ROWS,
        read_dictionary=categorical_columns(schema, kinds),
        opened=opened,
    )
    return profile_batches(batches, kinds, schema=schema, **opts)


def merge_all(profiles: Iterable[DatasetProfile]) -> DatasetProfile:
    """The profile of the union of the rows of `profiles` (at least one; inputs unchanged)."""
    merged: DatasetProfile | None = None
    for profile in profiles:
        merged = profile if merged is None else merge_profiles(merged, profile)
    if merged is None:
        raise InputError("no profiles to merge; give at least one", param="profiles")
    return merged
