"""Turn monitoring report documents into Prometheus metrics.

One function, `build_registry`, maps the typed reports (drift, validation,
performance) onto gauges that follow the Prometheus naming conventions: a
`driftline_` prefix, base units (`_seconds`), `_total`-free gauges for values
that are re-computed each run, and `model`/`namespace` labels on every series.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Gauge

from driftline.errors import InputError
from driftline.report import DriftReport, PerformanceReport, ValidationReport

SetGauge = Callable[..., None]

PREFIX = "driftline"
BASE_LABELS = ("model", "namespace")

#: Metric name -> help text; the public vocabulary (alert rules and the dashboard use these).
METRICS: dict[str, str] = {
    "driftline_last_run_timestamp_seconds": "Unix time of the last monitoring run that reported.",
    "driftline_drift_share": "Share of monitored columns whose drift test flagged drift.",
    "driftline_drift_share_threshold": "Drift share above which the dataset counts as drifted.",
    "driftline_drift_detected": "1 when the last drift check found dataset drift, else 0.",
    "driftline_drifted_columns": "Number of columns whose drift test flagged drift.",
    "driftline_feature_drift_score": "Per-column drift statistic (direction: p_value or distance).",
    "driftline_feature_drift_detected": "1 when the column's drift test flagged drift, else 0.",
    "driftline_window_rows": "Rows in the window each report looked at.",
    "driftline_validation_violations": "Validation violations of the last run, by severity.",
    "driftline_validation_failed": "1 when the last validation status was 'fail', else 0.",
    "driftline_performance": (
        "Current model quality: the metric of the newest window with enough labels."
    ),
    "driftline_performance_baseline": "Model quality metric at training time (the baseline).",
    "driftline_performance_degraded": "1 when a judged performance window degraded, else 0.",
    "driftline_performance_estimated_degraded": (
        "1 when a window without enough labels degraded by its estimate (CBPE), else 0."
    ),
    "driftline_label_coverage": "Share of labelled rows in the current performance window.",
    "driftline_performance_window_end_timestamp_seconds": (
        "Unix time at which the current performance window ends."
    ),
}


def build_registry(
    model: str,
    namespace: str,
    *,
    drift_report: DriftReport | None = None,
    validation_report: ValidationReport | None = None,
    performance_report: PerformanceReport | None = None,
    run_timestamp: float,
) -> CollectorRegistry:
    """Return a fresh registry holding the metrics of one monitoring run.

    Reports that are None are left out; `run_timestamp` (Unix seconds) always
    becomes `driftline_last_run_timestamp_seconds` (the dead-man's switch).
    """
    for param, value in (("model", model), ("namespace", namespace)):
        if not isinstance(value, str) or not value.strip():
            raise InputError(f"{param} must be a non-empty string, got {value!r}", param=param)
    registry = CollectorRegistry()
    base = {"model": model, "namespace": namespace}
    gauges: dict[str, Gauge] = {}

    def gauge(name: str, value: float, **labels: str) -> None:
        number = float(value)
        if not math.isfinite(number):
            return  # a NaN score (e.g. an all-null column) is no data, not a value
        if name not in gauges:
            label_names = (*BASE_LABELS, *labels)
            gauges[name] = Gauge(name, METRICS[name], label_names, registry=registry)
        gauges[name].labels(**base, **labels).set(number)

    gauge("driftline_last_run_timestamp_seconds", run_timestamp)
    if drift_report is not None:
        _drift(drift_report, gauge)
    if validation_report is not None:
        _validation(validation_report, gauge)
    if performance_report is not None:
        _performance(performance_report, gauge)
    return registry


def _drift(report: DriftReport, gauge: SetGauge) -> None:
    gauge("driftline_drift_share", report.drift_share)
    gauge("driftline_drift_detected", report.drift_detected)
    gauge("driftline_drift_share_threshold", report.drift_share_threshold)
    gauge("driftline_drifted_columns", report.number_of_drifted_columns)
    gauge("driftline_window_rows", report.current_rows, report="drift")
    for column in report.columns:
        labels = {"feature": column.name, "method": column.method}
        gauge("driftline_feature_drift_score", column.score, **labels, direction=column.direction)
        gauge("driftline_feature_drift_detected", column.drift_detected, **labels)


def _validation(report: ValidationReport, gauge: SetGauge) -> None:
    for severity, count in report.counts.items():
        gauge("driftline_validation_violations", count, severity=severity)
    gauge("driftline_validation_failed", report.status == "fail")
    gauge("driftline_window_rows", report.rows, report="validation")


def _performance(report: PerformanceReport, gauge: SetGauge) -> None:
    gauge("driftline_performance_degraded", report.degraded)
    gauge("driftline_performance_estimated_degraded", report.estimated_degraded)
    for metric, value in (report.baseline or {}).items():
        gauge("driftline_performance_baseline", value, metric=metric)
    current = report.current
    if current is None:
        return
    for metric, value in current.metrics.items():
        gauge("driftline_performance", value, metric=metric)
    gauge("driftline_label_coverage", current.label_coverage)
    gauge("driftline_window_rows", current.rows, report="performance")
    gauge("driftline_performance_window_end_timestamp_seconds", _unix(current.end))


def _unix(iso: str) -> float:
    from datetime import datetime

    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return math.nan  # no series rather than a wrong one
