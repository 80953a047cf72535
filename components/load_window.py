"""Component: load the production window that ends at the run's (scheduled) time."""

from typing import NamedTuple

from kfp import dsl
from kfp.dsl import Dataset, Output

from driftline.components.image import IMAGE


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def load_window(
    window: Output[Dataset],
    source_uri: str = "",
    data_format: str = "",
    timestamp_column: str = "timestamp",
    window_end: str = "",
    window_length: str = "1d",
    columns: list = [],  # noqa: B006  KFP takes the default from the signature
    min_rows: int = 1,
) -> NamedTuple("Outputs", [("rows", int), ("window_start", str), ("window_end", str)]):  # type: ignore[valid-type]
    """Cut the window [window_end - window_length, window_end) out of a production data source.

    Reads Parquet (file or Hive-partitioned folder, e.g. the driftline log sink's output),
    CSV or JSON lines from a local path or an s3://, gs:// or minio:// URI, with the time
    filter pushed down, and writes the window as one Parquet file. Object-store
    credentials come from the environment (AWS_* variables; map a Kubernetes secret to
    them with kfp-kubernetes), never from parameters.

    Args:
        source_uri: Path or URI of the production data (inference log, feature log).
        data_format: parquet, csv, jsonl, or kserve (the KServe logger's object-storage
            capture layout); empty detects it from the file name.
        timestamp_column: Column holding each row's time (request time).
        window_end: End of the window (ISO 8601, exclusive). Scheduled pipelines pass the
            run's scheduled time, so catch-up runs check the right window; empty means now.
        window_length: Length of the window: 30m, 1h, 1d, 7d, 2w, ...
        columns: Columns to load; empty loads all.
        min_rows: Fewest rows the window must hold; fewer fails the task, writing nothing.

    Returns:
        window: The window as Parquet; metadata has rows, window_start, window_end, source.
        rows: Rows in the window.
        window_start: Start of the window (ISO 8601, UTC).
        window_end: End of the window (ISO 8601, UTC).
    """
    from collections import namedtuple

    from driftline.exits import exit_on_error
    from driftline.io.export import export_window

    with exit_on_error():
        summary = export_window(
            source_uri,
            window.path,
            timestamp_column=timestamp_column,
            window_end=window_end or None,
            window_length=window_length,
            format=data_format or None,
            columns=columns or None,
            min_rows=min_rows,
        )
        window.metadata.update(summary.metadata())
        outputs = namedtuple("Outputs", ["rows", "window_start", "window_end"])
        return outputs(summary.rows, summary.start.isoformat(), summary.end.isoformat())
