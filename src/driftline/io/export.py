"""Cut a time window out of a production data source and save it as one Parquet file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from driftline.errors import EmptyDataError, InputError
from driftline.io.periods import monitoring_window
from driftline.io.readers import detect_format, open_dataset, read_table
from driftline.io.sagemaker_capture import CaptureOptions, read_capture_table
from driftline.io.sagemaker_layout import SAGEMAKER_CAPTURE
from driftline.io.windows import as_utc
from driftline.storage import atomic_output

KSERVE_CAPTURE = "kserve"  # the KServe logger's own object-storage layout (io.kserve_capture)
CAPTURE_TIMESTAMP = "timestamp"


@dataclass(frozen=True)
class WindowSummary:
    """What `export_window` wrote: the window's bounds, its rows and where they came from."""

    source: str
    start: datetime
    end: datetime
    rows: int
    columns: tuple[str, ...]
    details: dict[str, Any] = field(default_factory=dict)  # captures: records read and not used

    def metadata(self) -> dict[str, Any]:
        """Artifact metadata: rows, ISO window bounds, source, columns (and capture counts)."""
        return {
            "rows": self.rows,
            "window_start": self.start.isoformat(),
            "window_end": self.end.isoformat(),
            "source": self.source,
            "columns": list(self.columns),
            **self.details,
        }


def _read(
    source: str,
    format: str | None,
    timestamp_column: str,
    start: datetime,
    end: datetime,
    columns: Sequence[str] | None,
    storage_options: dict[str, Any] | None,
    capture_options: CaptureOptions | None = None,
) -> tuple[pa.Table, dict[str, Any]]:
    if format == KSERVE_CAPTURE:
        from driftline.io.kserve_capture import read_capture

        table = read_capture(source, start, end)
        return (table.select(list(columns)) if columns else table), {}
    format = detect_format(source, format, storage_options)  # once, for both readers below
    if format == SAGEMAKER_CAPTURE:
        table, report = read_capture_table(
            source, start, end, options=capture_options, storage_options=storage_options
        )
        print(report.summary())
        missing = [c for c in columns or () if c not in table.column_names]
        if missing:
            raise InputError(
                f"`columns` {', '.join(map(repr, missing))} not in the capture; columns: "
                f"{', '.join(table.column_names)}",
                param="columns",
            )
        return (table.select(list(columns)) if columns else table), report.metadata()
    table = read_table(
        source,
        format=format,
        columns=columns,
        timestamp_column=timestamp_column,
        start=start,
        end=end,
        storage_options=storage_options,
    )
    return table, {}


def export_window(
    source: str,
    out_path: str | Path,
    *,
    timestamp_column: str,
    window_end: datetime | str | None = None,
    window_length: str = "1d",
    timezone: str = "UTC",
    format: str | None = None,
    columns: Sequence[str] | None = None,
    min_rows: int = 1,
    storage_options: dict[str, Any] | None = None,
    capture_options: CaptureOptions | None = None,
) -> WindowSummary:
    """Write the rows of `source` with `timestamp_column` in the window ending at `window_end`.

    A fixed `window_length` (30m, 1h) gives [end - length, end); a calendar period (1d,
    1w, 1mo, 1q, 1y, counted in `timezone`) gives the last complete period before the end
    (`driftline.io.periods`, the rules of performance windows too).

    `window_end` defaults to now (UTC); scheduled pipelines pass the run's scheduled
    time (an unfilled KFP placeholder, as older backends leave it, also means now).
    `format="kserve"` reads the KServe logger's object-storage capture layout;
    `format="sagemaker-capture"` (detected too) reads SageMaker Data Capture, only the window's
    hour folders, naming positional values by `capture_options`. The inference log sink's
    output (detected by its columns) is read with each call's request and response paired,
    also when different replicas wrote them (`io.log_window`). Fewer than `min_rows` rows is an
    error and writes nothing.
    """
    if isinstance(window_end, str) and window_end.startswith("{{"):
        # KFP backends before 2.16 leave the scheduled-time placeholder unfilled.
        print(f"window_end {window_end!r} was not filled in by KFP: using the current time")
        window_end = None
    if min_rows < 0:
        raise InputError(f"`min_rows` must be >= 0, got {min_rows}", param="min_rows")
    if not timestamp_column and format not in (KSERVE_CAPTURE, SAGEMAKER_CAPTURE):
        raise InputError("a window needs `timestamp_column`", param="timestamp_column")
    start, end = monitoring_window(
        as_utc(window_end or datetime.now(UTC), "window_end"), window_length, timezone
    )
    if _is_sink_window(source, format, timestamp_column, storage_options):
        return _export_sink_window(source, out_path, start, end, columns, min_rows, storage_options)
    table, details = _read(
        source, format, timestamp_column, start, end, columns, storage_options, capture_options
    )
    if table.num_rows < min_rows:
        raise EmptyDataError(
            f"window [{start.isoformat()}, {end.isoformat()}) of {source} has "
            f"{table.num_rows} rows; at least {min_rows} needed (`min_rows`)",
            param="window",
        )
    with atomic_output(out_path) as tmp:
        pq.write_table(table, tmp)
    return WindowSummary(source, start, end, table.num_rows, tuple(table.column_names), details)


def _is_sink_window(
    source: str, format: str | None, timestamp_column: str, storage_options: dict[str, Any] | None
) -> bool:
    if timestamp_column != CAPTURE_TIMESTAMP or format in (KSERVE_CAPTURE, SAGEMAKER_CAPTURE):
        return False
    if detect_format(source, format, storage_options) != "parquet":
        return False
    from driftline.io.log_window import is_sink_output

    return is_sink_output(open_dataset(source, "parquet", storage_options=storage_options).schema)


def _export_sink_window(
    source: str,
    out_path: str | Path,
    start: datetime,
    end: datetime,
    columns: Sequence[str] | None,
    min_rows: int,
    storage_options: dict[str, Any] | None,
) -> WindowSummary:
    """The log sink's window, sides paired, streamed to `out_path` in bounded memory."""
    from driftline.io.log_window import paired_log_window

    with (
        atomic_output(out_path) as tmp,
        paired_log_window(
            source, start, end, columns=columns, storage_options=storage_options
        ) as window,
    ):
        print(window.pairing.summary())
        if window.rows < min_rows:
            raise EmptyDataError(
                f"window [{start.isoformat()}, {end.isoformat()}) of {source} has "
                f"{window.rows} rows; at least {min_rows} needed (`min_rows`)",
                param="window",
            )
        with pq.ParquetWriter(tmp, window.schema) as writer:
            for batch in window.batches():
                writer.write_batch(batch)
    return WindowSummary(
        source, start, end, window.rows, tuple(window.schema.names), window.pairing.metadata()
    )
