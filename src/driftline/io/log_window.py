"""Read a window of the inference log sink's output, pairing sides written apart.

Replicas of the sink behind one Service each write the sides they receive, so a call's
request and response can be in different files, and in different hour partitions when the
response comes after the hour. The window is read with `RESPONSE_MARGIN` more on each side,
the sides are joined (`inference_log.pairing.pair_halves`), and the calls whose timestamp
(request time, else response time) is in the window are kept: a call belongs to the window
of its request, wherever its response landed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds

from driftline.errors import DataSourceError, InputError
from driftline.inference_log.pairing import META_COLUMNS, HalfPairing, pair_halves
from driftline.inference_log.spill import DEFAULT_BUCKET_ROWS
from driftline.io.log_stream import PairedWindow, paired_window
from driftline.io.readers import open_dataset, quoted

#: How long after its request a response may be logged and still pair inside the window.
RESPONSE_MARGIN = timedelta(minutes=5)
_LOG_COLUMNS = frozenset(META_COLUMNS)


def is_sink_output(schema: pa.Schema) -> bool:
    """True when `schema` has the sink's metadata columns (event_id, row, request_time, ...)."""
    return set(schema.names) >= _LOG_COLUMNS


def has_split_calls(dataset: ds.Dataset, window: ds.Expression | None = None) -> bool:
    """True when a row group of the sink's output in `window` holds a call's side written
    alone (null request or response time, from the Parquet footers' statistics): reading such
    a window in parts would count each side as a row of its own, so it must be read whole."""
    for fragment in dataset.get_fragments(filter=window):
        metadata = fragment.metadata
        names = metadata.schema.to_arrow_schema().names
        columns = [names.index(c) for c in ("request_time", "response_time")]
        for group in fragment.split_by_row_group(filter=window):
            row_group = metadata.row_group(group.row_groups[0].id)
            for column in columns:
                stats = row_group.column(column).statistics
                if stats is None or not stats.has_null_count or stats.null_count > 0:
                    return True
    return False


@dataclass(frozen=True)
class LogWindow:
    """The rows of one window and how their sides were paired."""

    table: pa.Table
    pairing: HalfPairing


def _days(start: datetime, end: datetime) -> list[str]:
    first, last = start.date(), (end - timedelta(microseconds=1)).date()
    return [str(date.fromordinal(d)) for d in range(first.toordinal(), last.toordinal() + 1)]


def _fragments(dataset: ds.Dataset, start: datetime, end: datetime) -> list[ds.Fragment]:
    if "date" not in dataset.schema.names:
        return list(dataset.get_fragments())
    days = ds.field("date").cast(pa.string()).isin(_days(start, end))
    return list(dataset.get_fragments(filter=days))


def _read_fragment(fragment: ds.Fragment, when: ds.Expression) -> pa.Table:
    table = fragment.to_table(filter=when)
    for name, value in ds.get_partition_keys(fragment.partition_expression).items():
        if name not in table.column_names:
            table = table.append_column(name, pa.array([value] * table.num_rows))
    return table


def log_window_read(
    source: str,
    start: datetime,
    end: datetime,
    storage_options: Mapping[str, Any] | None = None,
) -> tuple[ds.Dataset, list[ds.Fragment], ds.Expression]:
    """The dataset, the fragments and the row filter that reading the window [start, end)
    needs: the days it touches, `RESPONSE_MARGIN` more on each side."""
    dataset = open_dataset(source, "parquet", storage_options=storage_options)
    lower, upper = start - RESPONSE_MARGIN, end + RESPONSE_MARGIN
    return dataset, _fragments(dataset, lower, upper), read_filter(start, end)


def read_filter(start: datetime, end: datetime) -> ds.Expression:
    """The sink's rows that may belong to calls in [start, end): `RESPONSE_MARGIN` more on
    each side, so a response logged after the end still pairs with its request."""
    lower, upper = start - RESPONSE_MARGIN, end + RESPONSE_MARGIN
    return (ds.field("timestamp") >= pa.scalar(lower, pa.timestamp("us", "UTC"))) & (
        ds.field("timestamp") < pa.scalar(upper, pa.timestamp("us", "UTC"))
    )


@contextmanager
def paired_log_window(
    source: str,
    start: datetime,
    end: datetime,
    *,
    columns: Sequence[str] | None = None,
    storage_options: Mapping[str, Any] | None = None,
    bucket_rows: int = DEFAULT_BUCKET_ROWS,
) -> Iterator[PairedWindow]:
    """The calls of `read_log_window`, paired in bounded memory (`io.log_stream`) and staged
    in a temporary folder while the block runs: write them with `PairedWindow.batches`."""
    try:
        dataset, fragments, when = log_window_read(source, start, end, storage_options)
    except (pa.ArrowException, OSError) as exc:
        raise DataSourceError(f"cannot read {source}: {quoted(exc)}", param="source") from exc
    with paired_window(
        fragments,
        when,
        (start, end),
        columns=columns,
        empty_schema=dataset.schema,
        bucket_rows=bucket_rows,
    ) as window:
        yield window


def read_log_window(
    source: str,
    start: datetime,
    end: datetime,
    *,
    columns: Sequence[str] | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> LogWindow:
    """The sink's rows of calls with `timestamp` in [start, end), their sides paired.

    Files are read with the union of their schemas, so a file holding only requests (no
    output columns) and one holding only responses read as one table.
    """
    try:
        dataset, fragments, when = log_window_read(source, start, end, storage_options)
        parts = [_read_fragment(f, when) for f in fragments]
        table = (
            pa.concat_tables(parts, promote_options="permissive")
            if parts
            else dataset.schema.empty_table()
        )
    except (pa.ArrowException, OSError) as exc:
        raise DataSourceError(f"cannot read {source}: {quoted(exc)}", param="source") from exc
    table, pairing = pair_halves(table, (start, end))
    return LogWindow(_project(table, columns), pairing)


def _project(table: pa.Table, columns: Sequence[str] | None) -> pa.Table:
    if not columns:
        return table
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise InputError(
            f"`columns` {', '.join(map(repr, missing))} not in the sink's output; columns: "
            f"{', '.join(table.column_names)}",
            param="columns",
        )
    return table.select(list(columns))
