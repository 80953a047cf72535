"""Profile a production window the way its baseline was profiled, once for every check.

Validation and drift both compare a window's profile with the baseline's. Built here with
the baseline's options and kinds, one window profile serves both, so a pipeline reads each
window once (`profile_window`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import datetime

import pyarrow as pa

from driftline.errors import InputError
from driftline.io import ColumnKind, kind_of_type, open_dataset
from driftline.profile.builder import can_profile_as, profile_source
from driftline.profile.dataset import DatasetProfile


def adopted_kinds(kinds: Mapping[str, ColumnKind], schema: pa.Schema) -> dict[str, ColumnKind]:
    """Per field of `schema`: its kind in `kinds` wherever the field's type can be read as
    that kind, else the kind of its type.

    A column whose type no longer fits (numbers arriving as strings) keeps its own kind,
    so the checks that compare kinds report the change.
    """
    adopted = {}
    for field in schema:
        kind = kinds.get(field.name, kind_of_type(field.type))
        adopted[field.name] = kind if can_profile_as(kind, field.type) else kind_of_type(field.type)
    return adopted


def profile_window(
    source: str,
    baseline: DatasetProfile,
    *,
    format: str | None = None,
    columns: Sequence[str] | None = None,
    timestamp_column: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> DatasetProfile:
    """Profile the window `source` in one streaming pass with `baseline`'s options and
    kinds (see `adopted_kinds`), for validation and drift alike.

    `columns` limits the profile to those window columns (default: all of them); the time
    window [start, end) on `timestamp_column` filters the rows. An empty window gives a
    profile of 0 rows (validation reports it; drift refuses it).
    """
    schema = open_dataset(source, format).schema
    if columns:
        wanted = set(columns)
        schema = pa.schema([field for field in schema if field.name in wanted])
    return profile_source(
        source,
        format=format,
        columns=schema.names,
        kinds=adopted_kinds({n: c.kind for n, c in baseline.columns.items()}, schema),
        timestamp_column=timestamp_column,
        start=start,
        end=end,
        **asdict(baseline.options),
    )


def check_window_profile(
    window: DatasetProfile, baseline: DatasetProfile, columns: Sequence[str] | None = None
) -> DatasetProfile:
    """`window` (a window profile given as input) checked to compare with `baseline` and
    restricted to `columns` when given; raise if it was built with other options."""
    if window.options != baseline.options:
        raise InputError(
            f"the window profile was built with options {asdict(window.options)}, the "
            f"baseline profile with {asdict(baseline.options)}: profile the window with the "
            "baseline's options (profile_window, or `driftline profile --like`)",
            param="current",
        )
    if not columns:
        return window
    wanted = set(columns)
    kept = {name: column for name, column in window.columns.items() if name in wanted}
    return DatasetProfile(row_count=window.row_count, columns=kept, options=window.options)
