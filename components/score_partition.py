"""Component: the mergeable performance state of one partition of a window (one fan-out pod)."""

from typing import NamedTuple, Optional

from kfp.dsl import Artifact, Output

from driftline.components._declare import component


@component
def score_partition(
    state: Output[Artifact],
    partition: Optional[dict] = None,  # noqa: UP045  kfp 2.13 does not parse `X | None`
    window_start: str = "",
    window_end: str = "",
    labels_uri: Optional[str] = None,  # noqa: UP045
    task: str = "classification",
    id_column: str = "id",
    timestamp_column: str = "timestamp",
    prediction_column: str = "prediction",
    label_column: Optional[str] = "label",  # noqa: UP045
    label_timestamp_column: Optional[str] = None,  # noqa: UP045
    score_columns: Optional[list] = None,  # noqa: UP045
    window: str = "1d",
    timezone: str = "UTC",
    duplicate_labels: str = "latest",
    label_map: Optional[dict] = None,  # noqa: UP045
    labels_format: Optional[str] = None,  # noqa: UP045
) -> NamedTuple("Outputs", [("rows", int)]):  # type: ignore[valid-type]
    """Join one partition's predictions with their late labels and keep what the metrics need.

    Reads the partition's window rows (only the performance columns) and the labels whose id
    is among them, joins them in bounded memory, and writes per performance window the
    confusion counts, log-loss sums and score counts (classification) or the regression
    sums. merge_performance merges the partitions' states into the window's report.
    Object-store credentials come from the environment (AWS_* variables).

    Args:
        partition: One item of plan_partitions' partitions.
        window_start: Start of the window (ISO 8601, inclusive): plan_partitions' window_start.
        window_end: End of the window (ISO 8601, exclusive): plan_partitions' window_end.
        labels_uri: Path or URI of the labels table (id, label, optional label time); unset
            when the predictions hold the label column.
        task: "classification" or "regression".
        id_column: Column joining predictions and labels.
        timestamp_column: Prediction time column (a timestamp or date).
        prediction_column: Predicted class or value.
        label_column: Ground-truth class or value.
        label_timestamp_column: Label time column; the latest label of an id wins.
        score_columns: Class probability columns, in classes order (one = positive class).
        window: Performance window: calendar (1d, 1w, 1mo, 3mo/1q, 1y) or fixed (30m, 1h).
        timezone: IANA timezone of calendar windows.
        duplicate_labels: Several labels for one id: "latest" wins, or "error".
        label_map: Label value -> prediction class, when labels are spelled otherwise.
        labels_format: "parquet", "csv" or "jsonl" for the labels; unset: by suffix.

    Returns:
        state: The partition's performance state (JSON); metadata has rows and partition.
        rows: Window rows in the partition.
    """
    from driftline.exits import exit_on_error
    from driftline.platforms.kfp.steps.performance import score_partition_outputs

    with exit_on_error():
        return score_partition_outputs(
            state,
            partition=partition,
            window_start=window_start,
            window_end=window_end,
            labels_uri=labels_uri,
            task=task,
            id_column=id_column,
            timestamp_column=timestamp_column,
            prediction_column=prediction_column,
            label_column=label_column,
            label_timestamp_column=label_timestamp_column,
            score_columns=score_columns,
            window=window,
            timezone=timezone,
            duplicate_labels=duplicate_labels,
            label_map=label_map,
            labels_format=labels_format,
        )
