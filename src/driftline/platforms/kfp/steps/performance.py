"""Glue of compute_performance: score predictions against late labels, fill the artifacts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

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
