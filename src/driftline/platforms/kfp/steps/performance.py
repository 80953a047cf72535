"""Glue of compute_performance: score predictions against late labels, fill the artifacts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from driftline import component_io as io
from driftline.component_io import given


class PerformanceOutputs(NamedTuple):
    """compute_performance's returned outputs."""

    degraded: bool


def compute_performance_outputs(
    predictions: Any,
    report: Any,
    report_html: Any,
    metrics: Any,
    classification_metrics: Any,
    *,
    labels_uri: str | None = None,
    label_column: str | None = None,
    baseline_metrics: Mapping[str, float] | None = None,
    reference_uri: str | None = None,
    score_columns: Sequence[str] | None = None,
    segment_columns: Sequence[str] | None = None,
    feature_columns: Sequence[str] | None = None,
    classes: Sequence[Any] | None = None,
    degradation_metrics: Sequence[str] | None = None,
    positive_label: str | None = None,
    label_timestamp_column: str | None = None,
    data_format: str | None = None,
    estimate: bool = True,
    calibration: Mapping[str, Any] | None = None,
    loss_model: Mapping[str, Any] | None = None,
    label_map: Mapping[str, Any] | None = None,
    include_estimated: bool = False,
    **options: Any,
) -> PerformanceOutputs:
    """Score `predictions` per window against labels and the baseline; fill the outputs.

    With neither labels_uri nor label_column there are no labels yet: the report says so
    and gives the estimates when there are score columns, or for regression a reference or a
    recorded loss model (else nothing is judged).
    `degraded` is a degraded or invalid window, or with `include_estimated` an estimated
    degradation. `reference_uri` (a labelled table) gives the baseline instead of
    `baseline_metrics`. Other options are `run_performance`'s (task, id_column,
    timestamp_column, prediction_column, window, min_labelled_rows,
    degradation_threshold, degradation_mode, duplicate_labels).
    """
    from driftline.performance import publish, run_performance, write_no_labels_report
    from driftline.report import ReportPaths

    outputs = ReportPaths(json=report.path, html=report_html.path)
    regression = options.get("task") == "regression"
    estimable = given(score_columns) or (
        regression and (given(reference_uri) is not None or given(loss_model) is not None)
    )
    if not given(labels_uri) and not given(label_column) and not estimable:
        result = write_no_labels_report(outputs, options.get("task", "classification"))
        return PerformanceOutputs(publish(result, metrics, None, report))
    chosen = {
        "calibration": given(calibration),
        "loss_model": given(loss_model),
        "feature_columns": given(feature_columns),
        "label_map": given(label_map),
        "baseline": given(baseline_metrics),
        "reference": given(reference_uri),
        "score_columns": given(score_columns),
        "segment_columns": given(segment_columns),
        "classes": given(classes),
        "degradation_metrics": given(degradation_metrics),
        "positive_label": given(positive_label),
        "label_timestamp_column": given(label_timestamp_column),
        "format": given(data_format),
    }
    result = run_performance(
        predictions.path,
        given(labels_uri),
        outputs,
        estimate=estimate,
        label_column=given(label_column),  # None: no labels yet
        **{k: v for k, v in chosen.items() if v is not None},
        **options,
    )
    degraded = publish(result, metrics, classification_metrics, report)
    failed = bool(result.invalid_windows) or (
        include_estimated and bool(result.estimated_degraded_windows)
    )
    return PerformanceOutputs(degraded or failed)


class PartitionStateOutputs(NamedTuple):
    """score_partition's returned outputs."""

    rows: int


def _labels_configured(
    labels_uri: str | None, label_column: str | None, score_columns: Sequence[str] | None
) -> bool:
    return bool(given(labels_uri) or given(label_column) or given(score_columns))


def score_partition_outputs(
    state: Any,
    *,
    partition: Mapping[str, Any] | None,
    window_start: str,
    window_end: str,
    timestamp_column: str = "timestamp",
    labels_uri: str | None = None,
    label_column: str | None = None,
    score_columns: Sequence[str] | None = None,
    label_map: Mapping[str, Any] | None = None,
    label_timestamp_column: str | None = None,
    labels_format: str | None = None,
    **options: Any,
) -> PartitionStateOutputs:
    """Join one partition's window rows with the labels of their ids and write the
    partition's mergeable performance state (merge_performance turns the states into the
    window's report). Other options: task, id_column, prediction_column, window, timezone,
    duplicate_labels."""
    from driftline.errors import InputError
    from driftline.io.partitions import Partition, open_partition
    from driftline.io.windows import as_utc, window_expression
    from driftline.performance.partitioned import partition_state
    from driftline.performance.prepare import require_columns
    from driftline.performance.state import PerformanceState

    if not partition:
        raise InputError(
            "`partition` is empty: give one item of plan_partitions' partitions",
            param="partition",
        )
    chosen = {
        "score_columns": given(score_columns),
        "label_map": given(label_map),
        "label_timestamp_column": given(label_timestamp_column),
        "labels_format": given(labels_format),
        "label_column": given(label_column),
    }
    chosen = {k: v for k, v in chosen.items() if v is not None}
    if not _labels_configured(labels_uri, label_column, score_columns):
        empty = PerformanceState(options.get("task", "classification"))
        empty.save(state.path)
        state.metadata.update({io.KIND: "performance-state", io.ROWS: 0})
        return PartitionStateOutputs(0)
    part = Partition.from_dict(partition)
    dataset = open_partition(part)
    require_columns(dataset, [timestamp_column], f"partition {part.index}")
    column_type = dataset.schema.field(timestamp_column).type
    bounds = as_utc(window_start, "window_start"), as_utc(window_end, "window_end")
    expression = window_expression(timestamp_column, column_type, *bounds)
    if expression is None:
        raise InputError(
            f"`timestamp_column={timestamp_column!r}` is {column_type}; scoring a window "
            f"partition by partition needs a timestamp or date column",
            param="timestamp_column",
        )
    left: dict[str, int] = {}
    if part.pairs_sides:  # sink output with sides apart: score the calls the partition pairs
        from driftline.io.paired_parts import PartitionCalls

        calls = PartitionCalls(part, *bounds)
        result = _state_of_calls(
            calls.tables(), calls.schema, given(labels_uri), timestamp_column, chosen, options
        )
        left = {UNPAIRED_HALVES: calls.leftovers}
    else:
        result = partition_state(
            dataset.filter(expression),
            given(labels_uri),
            timestamp_column=timestamp_column,
            **chosen,
            **options,
        )
    result.save(state.path)
    rows = sum(w.rows for w in result.windows.values())
    state.metadata.update(
        {io.KIND: "performance-state", io.ROWS: rows, io.PARTITION: part.index, **left}
    )
    return PartitionStateOutputs(rows)


def _state_of_calls(
    tables: Iterable[Any],
    schema: Any,
    labels_uri: str | None,
    timestamp_column: str,
    chosen: Mapping[str, Any],
    options: Mapping[str, Any],
) -> Any:
    """The performance state of paired sink calls, staged in a scratch folder."""
    import tempfile
    from pathlib import Path

    from driftline.io.log_stream import stage_calls
    from driftline.performance.partitioned import partition_state

    with tempfile.TemporaryDirectory(prefix="driftline-calls-") as folder:
        staged = stage_calls(tables, schema, Path(folder))
        return partition_state(
            str(staged), labels_uri, timestamp_column=timestamp_column, **chosen, **options
        )


UNPAIRED_HALVES = "unpaired_halves"  # halves a partition left over (as profile_partition's)


def _leftover_state(
    states: Sequence[Any],
    unpaired: Sequence[Any],
    labels_uri: str | None,
    options: Mapping[str, Any],
) -> Any | None:
    """The performance state of the calls the partitions' leftover halves give together
    (profile_partition's `unpaired`); None when there are none."""
    from driftline.io.paired_parts import LeftoverCalls
    from driftline.io.windows import as_utc

    with_rows = [u for u in unpaired if int(u.metadata.get(io.ROWS, 0))]
    left = sum(int(s.metadata.get(UNPAIRED_HALVES, 0)) for s in states)
    given_rows = sum(int(u.metadata.get(io.ROWS, 0)) for u in with_rows)
    if given_rows != left:
        from driftline.errors import InputError

        raise InputError(
            f"the partitions left {left} halves of calls over, but `unpaired` holds "
            f"{given_rows}: pass every profile_partition task's `unpaired` output "
            "(dsl.Collected), from the same partitions as `states`",
            param="unpaired",
        )
    if not with_rows:
        return None
    meta = with_rows[0].metadata
    start = as_utc(str(meta[io.WINDOW_START]), "window_start")
    end = as_utc(str(meta[io.WINDOW_END]), "window_end")
    calls = LeftoverCalls([u.path for u in with_rows], start, end)
    kept = {k: v for k, v in options.items() if k in _STATE_OPTIONS and v is not None}
    timestamp_column = kept.pop("timestamp_column", "timestamp")
    return _state_of_calls(calls.tables(), calls.schema, labels_uri, timestamp_column, {}, kept)


_STATE_OPTIONS = (
    "task",
    "id_column",
    "timestamp_column",
    "prediction_column",
    "label_column",
    "score_columns",
    "label_timestamp_column",
    "window",
    "timezone",
    "duplicate_labels",
)


def merge_performance_outputs(
    states: Sequence[Any],
    report: Any,
    report_html: Any,
    metrics: Any,
    classification_metrics: Any,
    *,
    unpaired: Sequence[Any] | None = None,
    labels_uri: str | None = None,
    label_column: str | None = None,
    score_columns: Sequence[str] | None = None,
    baseline_metrics: Mapping[str, float] | None = None,
    classes: Sequence[Any] | None = None,
    positive_label: str | None = None,
    degradation_metrics: Sequence[str] | None = None,
    label_timestamp_column: str | None = None,
    **options: Any,
) -> PerformanceOutputs:
    """Merge the partitions' performance states and fill the outputs compute_performance
    fills for the whole window. Other options: task, id_column, timestamp_column,
    prediction_column, window, timezone, min_labelled_rows, degradation_threshold,
    degradation_mode, duplicate_labels."""
    from driftline.performance import publish, write_no_labels_report
    from driftline.performance.partitioned import report_from_states
    from driftline.performance.state import PerformanceState
    from driftline.report import ReportPaths

    outputs = ReportPaths(json=report.path, html=report_html.path)
    if not _labels_configured(labels_uri, label_column, score_columns):
        result = write_no_labels_report(outputs, options.get("task", "classification"))
        return PerformanceOutputs(publish(result, metrics, None, report))
    chosen = {
        "baseline": given(baseline_metrics),
        "score_columns": given(score_columns),
        "classes": given(classes),
        "degradation_metrics": given(degradation_metrics),
        "positive_label": given(positive_label),
        "label_timestamp_column": given(label_timestamp_column),
        "label_column": given(label_column),
    }
    loaded = [PerformanceState.load(s.path) for s in states]
    leftover = _leftover_state(
        states,
        unpaired or [],
        given(labels_uri),
        {**options, **{k: given(v) for k, v in chosen.items() if k != "baseline"}},
    )
    result = report_from_states(
        [*loaded, *([leftover] if leftover is not None else [])],
        outputs,
        **{k: v for k, v in chosen.items() if v is not None},
        **options,
    )
    degraded = publish(result, metrics, classification_metrics, report)
    report.metadata[io.EXECUTION] = "fan-out"
    report.metadata[io.PARTITIONS] = len(states)
    return PerformanceOutputs(degraded or bool(result.invalid_windows))
