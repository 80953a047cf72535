"""Component: split a production window into partitions, and choose fan-out or one task."""

from typing import NamedTuple, Optional

from driftline.components._declare import component


@component
def plan_partitions(
    source_uri: Optional[str] = None,  # noqa: UP045  kfp 2.13 does not parse `X | None`
    data_format: Optional[str] = None,  # noqa: UP045
    timestamp_column: str = "timestamp",
    window_end: Optional[str] = None,  # noqa: UP045
    window_length: str = "1d",
    timezone: str = "UTC",
    rows_per_task: int = 10_000_000,
    fan_out: str = "auto",
) -> NamedTuple(  # type: ignore[valid-type]
    "Outputs",
    [
        ("fan_out", bool),
        ("partitions", list),
        ("tasks", int),
        ("rows", int),
        ("window_start", str),
        ("window_end", str),
    ],
):
    """Plan the partitions of the window ending at window_end (load_window's rules).

    Reads only Parquet footers: the plan follows the source's Hive folders (the log sink's
    model=/date=/hour=), cut at row-group boundaries where a folder holds more than
    rows_per_task rows; row groups whose statistics rule out the window are left out.

    Args:
        source_uri: Path or URI of the production data (file or Hive-partitioned folder).
        data_format: parquet, csv, jsonl, ...; unset detects it. Only Parquet fans out.
        timestamp_column: Column holding each row's time.
        window_end: End of the window (ISO 8601, exclusive); unset means now.
        window_length: Fixed (30m, 1h: [end - length, end)) or calendar (1d, 1w, 1mo,
            1q, 1y: the last complete periods before the end, counted in `timezone`).
        timezone: IANA timezone of calendar windows (default UTC).
        rows_per_task: Target rows per partition (per profile_partition pod).
        fan_out: auto (fan out when the window makes two or more partitions), always,
            or never (the single-task path).

    Returns:
        fan_out: True when the window is profiled partition by partition.
        partitions: The partitions (the ParallelFor items); empty on the single-task path.
        tasks: Pods that profile the window (1 on the single-task path).
        rows: Rows in the row groups that may hold window rows (from the footers).
        window_start: Start of the window (ISO 8601, UTC).
        window_end: End of the window (ISO 8601, UTC).
    """
    from driftline.exits import exit_on_error
    from driftline.platforms.kfp.steps.partitions import plan_partitions_outputs

    with exit_on_error():
        return plan_partitions_outputs(
            source_uri=source_uri,
            data_format=data_format,
            timestamp_column=timestamp_column,
            window_end=window_end,
            window_length=window_length,
            timezone=timezone,
            rows_per_task=rows_per_task,
            fan_out=fan_out,
        )
