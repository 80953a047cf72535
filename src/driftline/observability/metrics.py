"""Turn monitoring report documents into Prometheus metrics.

One function, `build_registry`, maps the report contracts (drift, validation,
performance) onto gauges that follow the Prometheus naming conventions: a
`driftline_` prefix, base units (`_seconds`), `_total`-free gauges for values
that are re-computed each run, and `model`/`namespace` labels on every series.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Gauge

from driftline.errors import InputError

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
    "driftline_performance": "Model quality metric of the latest performance window.",
    "driftline_performance_baseline": "Model quality metric at training time (the baseline).",
    "driftline_performance_degraded": "1 when the latest performance window degraded, else 0.",
    "driftline_label_coverage": "Share of rows in the latest performance window with a label.",
}


def build_registry(
    model: str,
    namespace: str,
    *,
    drift_report: Mapping[str, Any] | None = None,
    validation_report: Mapping[str, Any] | None = None,
    performance_report: Mapping[str, Any] | None = None,
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

    def gauge(name: str, value: Any, **labels: str) -> None:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise InputError(
                f"{name}{labels or ''}: expected a number in the report, got {value!r}"
            ) from None
        if not math.isfinite(number):
            return  # a NaN score (e.g. an all-null column) is no data, not a value
        if name not in gauges:
            label_names = (*BASE_LABELS, *labels)
            gauges[name] = Gauge(name, METRICS[name], label_names, registry=registry)
        gauges[name].labels(**base, **labels).set(number)

    gauge("driftline_last_run_timestamp_seconds", run_timestamp)
    if drift_report is not None:
        _drift(_checked(drift_report, "drift"), gauge)
    if validation_report is not None:
        _validation(_checked(validation_report, "validation"), gauge)
    if performance_report is not None:
        _performance(_checked(performance_report, "performance"), gauge)
    return registry


def _checked(document: Mapping[str, Any], kind: str) -> Mapping[str, Any]:
    if not isinstance(document, Mapping) or document.get("kind") != kind:
        found = document.get("kind") if isinstance(document, Mapping) else type(document).__name__
        raise InputError(
            f"{kind}_report must be a {kind!r} report document (kind: {kind}), got kind {found!r}",
            param=f"{kind}_report",
        )
    return document


def _field(document: Mapping[str, Any], key: str, kind: str) -> Any:
    if key not in document:
        raise InputError(f"{kind} report lacks the field {key!r}", param=f"{kind}_report")
    return document[key]


def _drift(report: Mapping[str, Any], gauge: Any) -> None:
    gauge("driftline_drift_share", _field(report, "drift_share", "drift"))
    gauge("driftline_drift_detected", bool(_field(report, "drift_detected", "drift")))
    if report.get("drift_share_threshold") is not None:
        gauge("driftline_drift_share_threshold", report["drift_share_threshold"])
    if report.get("number_of_drifted_columns") is not None:
        gauge("driftline_drifted_columns", report["number_of_drifted_columns"])
    if report.get("current_rows") is not None:
        gauge("driftline_window_rows", report["current_rows"], report="drift")
    for column in _field(report, "columns", "drift"):
        if not isinstance(column, Mapping) or not column.get("name"):
            raise InputError(f"drift report column without a name: {column!r}")
        labels = {"feature": str(column["name"]), "method": str(column.get("method", ""))}
        if column.get("score") is not None:
            direction = str(column.get("direction", ""))
            gauge("driftline_feature_drift_score", column["score"], **labels, direction=direction)
        gauge("driftline_feature_drift_detected", bool(column.get("drift_detected")), **labels)


def _validation(report: Mapping[str, Any], gauge: Any) -> None:
    counts = _field(report, "counts", "validation")
    for severity in ("error", "warning"):
        gauge("driftline_validation_violations", counts.get(severity, 0), severity=severity)
    gauge("driftline_validation_failed", _field(report, "status", "validation") == "fail")
    if report.get("rows") is not None:
        gauge("driftline_window_rows", report["rows"], report="validation")


def _performance(report: Mapping[str, Any], gauge: Any) -> None:
    gauge("driftline_performance_degraded", bool(_field(report, "degraded", "performance")))
    for metric, value in (report.get("baseline") or {}).items():
        if value is not None:
            gauge("driftline_performance_baseline", value, metric=str(metric))
    windows = [w for w in _field(report, "windows", "performance") if w.get("metrics")]
    if not windows:
        return
    latest = max(windows, key=lambda w: str(w.get("end", "")))
    for metric, value in latest["metrics"].items():
        if value is not None:
            gauge("driftline_performance", value, metric=str(metric))
    if latest.get("label_coverage") is not None:
        gauge("driftline_label_coverage", latest["label_coverage"])
    if latest.get("rows") is not None:
        gauge("driftline_window_rows", latest["rows"], report="performance")
