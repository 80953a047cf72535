"""Build a profile in one streaming pass over record batches."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from driftline.errors import InputError
from driftline.io import ColumnKind, infer_kinds, iter_batches, open_dataset
from driftline.profile.dataset import ColumnProfile, DatasetProfile, ProfileOptions
from driftline.profile.read_ahead import read_ahead

_SECONDS_PER_UNIT = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}
#: rows a profile pass reads and summarizes at a time: twice the readers' default, which
#: halves the per-batch work (numpy calls, thread hand-offs) for about 15 % less time over a
#: 20M-row window (bench/results/drift.md); a batch's scratch arrays stay within MAX_SCRATCH
PROFILE_BATCH_ROWS = 262_144


def profile_batches(
    batches: Iterable[pa.RecordBatch],
    kinds: Mapping[str, ColumnKind | str] | None = None,
    *,
    schema: pa.Schema | None = None,
    **opts: Any,
) -> DatasetProfile:
    """Profile a stream of record batches; memory stays bounded whatever the row count.

    `kinds` overrides the kind inferred from a column's Arrow type. `schema` gives the columns
    when the stream may be empty. `opts` are `ProfileOptions` fields (relative_accuracy,
    datetime_relative_accuracy, exact_cap, category_cap, top_k).
    """
    options = _options(opts)
    profile = DatasetProfile(options=options)
    started = schema is not None
    if schema is not None:
        _start(profile, schema, kinds)
    # Columns are independent summaries: profile them on all cores (numpy and Arrow release
    # the GIL), while another thread reads and decodes the next batch.
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        for batch in read_ahead(batches):
            if not started:
                _start(profile, batch.schema, kinds)
                started = True
            _add_batch(profile, batch, pool)
    return profile


def profile_source(
    source: str,
    *,
    format: str | None = None,
    columns: Sequence[str] | None = None,
    kinds: Mapping[str, ColumnKind | str] | None = None,
    timestamp_column: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    **opts: Any,
) -> DatasetProfile:
    """Profile a table (Parquet, CSV, JSON lines) streamed with `driftline.io.iter_batches`."""
    schema = open_dataset(source, format).schema
    if columns is not None:
        schema = pa.schema([schema.field(c) for c in columns if c in schema.names])
    batches = iter_batches(
        source,
        format=format,
        columns=columns,
        timestamp_column=timestamp_column,
        start=start,
        end=end,
        read_dictionary=categorical_columns(schema, kinds),
        batch_rows=PROFILE_BATCH_ROWS,
    )
    return profile_batches(batches, kinds, schema=schema, **opts)


def categorical_columns(
    schema: pa.Schema, kinds: Mapping[str, ColumnKind | str] | None = None
) -> list[str]:
    """The columns of `schema` profiled as categories: the ones a profile pass reads as
    Parquet's dictionaries (their counts are taken on the dictionary indices)."""
    resolved = infer_kinds(schema, kinds)
    return [name for name in schema.names if resolved[name] is ColumnKind.CATEGORICAL]


def _options(opts: Mapping[str, Any]) -> ProfileOptions:
    valid = ProfileOptions.__dataclass_fields__
    unknown = sorted(set(opts) - set(valid))
    if unknown:
        raise InputError(
            f"unknown profile option(s) {', '.join(unknown)}; valid: {', '.join(valid)}",
            param=unknown[0],
        )
    return ProfileOptions(**opts)


def _start(
    profile: DatasetProfile, schema: pa.Schema, kinds: Mapping[str, ColumnKind | str] | None
) -> None:
    resolved = infer_kinds(schema, kinds)
    for field in schema:
        kind = resolved[field.name]
        _check_kind(field, kind)
        profile.columns[field.name] = ColumnProfile.empty(
            field.name, kind, str(field.type), profile.options
        )


def _check_kind(field: pa.Field, kind: ColumnKind) -> None:
    if not can_profile_as(kind, field.type):
        raise InputError(
            f"column {field.name!r} of type {field.type} cannot be profiled as {kind}",
            param=field.name,
        )


def can_profile_as(kind: ColumnKind, arrow_type: pa.DataType) -> bool:
    """Whether a column of `arrow_type` can be summarized as `kind`."""
    t = arrow_type.value_type if pa.types.is_dictionary(arrow_type) else arrow_type
    numeric = pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)
    return {
        ColumnKind.NUMERIC: numeric or pa.types.is_boolean(t),
        ColumnKind.DATETIME: pa.types.is_timestamp(t) or pa.types.is_date(t),
        ColumnKind.BOOLEAN: pa.types.is_boolean(t),
        ColumnKind.CATEGORICAL: not pa.types.is_nested(t),
        ColumnKind.TEXT: pa.types.is_string(t) or pa.types.is_large_string(t),
    }[kind]


def _add_batch(profile: DatasetProfile, batch: pa.RecordBatch, pool: Executor) -> None:
    present = set(batch.schema.names)
    missing = [name for name in profile.columns if name not in present]
    if missing:
        raise InputError(f"batch lacks column(s) {missing}", param=missing[0])
    profile.row_count += batch.num_rows
    columns = list(profile.columns.values())
    for done in pool.map(lambda column: _add_array(column, batch.column(column.name)), columns):
        del done  # map re-raises a column's error here


def _add_array(column: ColumnProfile, array: pa.Array) -> None:
    column.count += len(array)
    column.null_count += array.null_count
    values = pc.drop_null(array) if array.null_count else array
    if column.numeric is not None:
        column.numeric.add(_as_float(values))
    elif column.categorical is not None:
        column.categorical.add(_as_labels(values))
    elif column.text is not None:
        column.text.add(_as_string(values))


def _as_float(values: pa.Array) -> np.ndarray:
    """Numbers as float64; timestamps and dates as epoch seconds."""
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    t = values.type
    if pa.types.is_timestamp(t):
        seconds = values.cast(pa.int64()).to_numpy(zero_copy_only=False).astype(np.float64)
        return seconds * _SECONDS_PER_UNIT[t.unit]
    if pa.types.is_date32(t):
        return values.cast(pa.int32()).to_numpy(zero_copy_only=False).astype(np.float64) * 86400
    if pa.types.is_date64(t):
        return values.cast(pa.int64()).to_numpy(zero_copy_only=False).astype(np.float64) / 1000
    if not pa.types.is_float64(t):
        values = values.cast(pa.float64())
    return values.to_numpy(zero_copy_only=False)


def _as_labels(values: pa.Array) -> pa.Array:
    """Category labels as strings, or as a dictionary array of strings (counted on its
    indices) when they arrive dictionary-encoded. Booleans and numbers are encoded here, so
    only their distinct values become strings."""
    if pa.types.is_boolean(values.type):
        return pa.DictionaryArray.from_arrays(values.cast(pa.int8()), _BOOLEAN_LABELS)
    if not (pa.types.is_dictionary(values.type) or pa.types.is_string(values.type)):
        values = pc.dictionary_encode(values)
    if pa.types.is_dictionary(values.type):
        dictionary = values.dictionary
        if pa.types.is_string(dictionary.type):
            return values
        return pa.DictionaryArray.from_arrays(values.indices, _as_string(dictionary))
    return values


_BOOLEAN_LABELS = pa.array(["false", "true"])


def _as_string(values: pa.Array) -> pa.Array:
    """Category labels as strings; booleans become "true"/"false"."""
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    return values if pa.types.is_string(values.type) else values.cast(pa.string())
