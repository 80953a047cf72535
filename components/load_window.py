"""Component: load the production window that ends at the run's (scheduled) time."""

from typing import NamedTuple, Optional

from kfp.dsl import Dataset, Output

from driftline.components._declare import component


@component
def load_window(
    window: Output[Dataset],
    source_uri: Optional[str] = None,  # noqa: UP045  kfp 2.13 does not parse `X | None`
    data_format: Optional[str] = None,  # noqa: UP045
    timestamp_column: str = "timestamp",
    window_end: Optional[str] = None,  # noqa: UP045
    window_length: str = "1d",
    timezone: str = "UTC",
    columns: Optional[list] = None,  # noqa: UP045
    min_rows: int = 1,
    capture_header: Optional[list] = None,  # noqa: UP045
) -> NamedTuple("Outputs", [("rows", int), ("window_start", str), ("window_end", str)]):  # type: ignore[valid-type]
    """Cut the window [window_end - window_length, window_end) out of a production data source.

    Reads Parquet (file or Hive-partitioned folder, e.g. the driftline log sink's output),
    CSV or JSON lines from a local path or an s3://, gs:// or minio:// URI, with the time
    filter pushed down, and writes the window as one Parquet file. Object-store
    credentials come from the environment (AWS_* variables; map a Kubernetes secret to
    them with kfp-kubernetes), never from parameters.

    Args:
        source_uri: Path or URI of the production data (inference log, feature log).
        data_format: parquet, csv, jsonl, kserve (the KServe logger's object-storage
            capture layout) or sagemaker-capture (SageMaker Data Capture: give the
            {prefix}/{endpoint}/{variant} folder; only the window's hour folders are read);
            unset detects it from the file names.
        timestamp_column: Column holding each row's time (request time).
        window_end: End of the window (ISO 8601, exclusive). Scheduled pipelines pass the
            run's scheduled time, so catch-up runs check the right window; unset means now.
        window_length: A fixed duration (30m, 1h: the window [end - length, end)) or a
            calendar period (1d, 1w ISO weeks, 1mo, 3mo/1q, 1y: the last complete period
            before the end, counted in `timezone`).
        timezone: IANA timezone of calendar periods (default UTC), e.g. Europe/Berlin.
        columns: Columns to load; unset loads all.
        min_rows: Fewest rows the window must hold; fewer fails the task, writing nothing.
        capture_header: SageMaker captures: names of the input values in order (CSV and
            JSON arrays); unset names them _c0, _c1, ... as Model Monitor does.

    Returns:
        window: The window as Parquet; metadata has rows, window_start, window_end, source
            (captures: also capture_records, bad_records and bad_record_reasons).
        rows: Rows in the window.
        window_start: Start of the window (ISO 8601, UTC).
        window_end: End of the window (ISO 8601, UTC).
    """
    from driftline.exits import exit_on_error
    from driftline.platforms.kfp.steps.data import load_window_outputs

    with exit_on_error():
        return load_window_outputs(
            window,
            source_uri=source_uri,
            data_format=data_format,
            timestamp_column=timestamp_column,
            window_end=window_end,
            window_length=window_length,
            timezone=timezone,
            columns=columns,
            min_rows=min_rows,
            capture_header=capture_header,
        )
