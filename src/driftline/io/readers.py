"""Read tables from Parquet, CSV and JSON lines: projected, time-filtered, streamed.

Minimal local version; remote URIs and more formats are added by the IO issue.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds

from driftline.errors import DataSourceError, InputError, UnknownNameError

FORMATS = ("parquet", "csv", "jsonl")
_SUFFIXES = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".json": "jsonl",
}
DEFAULT_BATCH_ROWS = 131_072


def detect_format(source: str, format: str | None = None) -> str:
    """The format of `source`: `format` if given, else from the file suffix (dirs: parquet)."""
    if format:
        if format not in FORMATS:
            raise UnknownNameError("format", format, FORMATS)
        return format
    suffix = Path(source).suffix.lower()
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    if Path(source).is_dir() or not suffix:
        return "parquet"
    raise InputError(
        f"cannot tell the format of {source!r} from its suffix; pass format= one of {FORMATS}",
        param="format",
    )


def open_dataset(source: str, format: str | None = None) -> ds.Dataset:
    """Open `source` as a pyarrow dataset, with one clear error if it cannot be read."""
    fmt = detect_format(source, format)
    if not Path(source).exists():
        raise DataSourceError(f"data source not found: {source}", param="source")
    arrow_format: str | ds.FileFormat = "json" if fmt == "jsonl" else fmt
    try:
        return ds.dataset(source, format=arrow_format, partitioning="hive")
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataSourceError(f"cannot read {source} as {fmt}: {exc}", param="source") from exc


def _filter(
    dataset: ds.Dataset, timestamp_column: str | None, start: datetime | None, end: datetime | None
) -> ds.Expression | None:
    if timestamp_column is None:
        if start or end:
            raise InputError("a time window needs timestamp_column", param="timestamp_column")
        return None
    if timestamp_column not in dataset.schema.names:
        raise InputError(
            f"timestamp column {timestamp_column!r} not in data; columns: "
            f"{', '.join(dataset.schema.names)}",
            param="timestamp_column",
        )
    field = ds.field(timestamp_column)
    expr = None
    if start is not None:
        expr = field >= pa.scalar(start)
    if end is not None:
        upper = field < pa.scalar(end)
        expr = upper if expr is None else expr & upper
    return expr


def _check_columns(dataset: ds.Dataset, columns: Sequence[str] | None) -> list[str] | None:
    if columns is None:
        return None
    missing = [c for c in columns if c not in dataset.schema.names]
    if missing:
        raise InputError(
            f"column(s) {', '.join(map(repr, missing))} not in data; columns: "
            f"{', '.join(dataset.schema.names)}",
            param="columns",
        )
    return list(columns)


def iter_batches(
    source: str,
    *,
    format: str | None = None,
    columns: Sequence[str] | None = None,
    timestamp_column: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
) -> Iterator[pa.RecordBatch]:
    """Stream record batches of `source`, projected to `columns`, within [start, end)."""
    dataset = open_dataset(source, format)
    projection = _check_columns(dataset, columns)
    expr = _filter(dataset, timestamp_column, start, end)
    try:
        yield from dataset.to_batches(columns=projection, filter=expr, batch_size=batch_rows)
    except pa.ArrowInvalid as exc:
        raise DataSourceError(f"cannot read {source}: {exc}", param="source") from exc


def read_table(
    source: str,
    *,
    format: str | None = None,
    columns: Sequence[str] | None = None,
    timestamp_column: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> pa.Table:
    """Read `source` into one Arrow table (see `iter_batches` for the arguments)."""
    dataset = open_dataset(source, format)
    projection = _check_columns(dataset, columns)
    expr = _filter(dataset, timestamp_column, start, end)
    try:
        return dataset.to_table(columns=projection, filter=expr)
    except pa.ArrowInvalid as exc:
        raise DataSourceError(f"cannot read {source}: {exc}", param="source") from exc
