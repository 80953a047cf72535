"""CloudWatch metrics: the lines a monitoring container writes, and PutMetricData.

A container writes one JSON metric per line under `/opt/ml/output/metrics/cloudwatch` (the
schema of PutMetricData's `MetricData` entries, timestamps as ISO 8601) and SageMaker
publishes them. The scheduled-monitoring pipeline publishes its headline metrics itself with
`put_metrics`. Both use Model Monitor's names: `feature_data_<column>` (numbers),
`feature_non_null_<column>` (completeness), `feature_baseline_drift_<column>` (drift score),
plus driftline's dataset headline (`driftline_rows`, `driftline_violations`,
`driftline_drift_share`, `driftline_drifted_columns`), with `Endpoint` and
`MonitoringSchedule` dimensions. Credentials come from the standard AWS chain only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from driftline.errors import PlatformError
from driftline.profile import DatasetProfile
from driftline.report import DriftReport, ValidationReport

NAMESPACE = "aws/sagemaker/Endpoints/data-metrics"  # where Model Monitor's own metrics go
METRICS_FILE = "driftline.jsonl"
_BATCH = 20  # MetricData entries per PutMetricData call (the long-standing API limit)

Metric = dict[str, Any]


def dimensions(endpoint: str, schedule: str) -> list[dict[str, str]]:
    """The `Endpoint` and `MonitoringSchedule` dimensions (those that are set)."""
    pairs = (("Endpoint", endpoint), ("MonitoringSchedule", schedule))
    return [{"Name": name, "Value": value} for name, value in pairs if value]


def headline_metrics(
    validation: ValidationReport | None, drift: DriftReport | None, rows: int
) -> dict[str, float]:
    """The dataset-level numbers of one monitoring run."""
    metrics = {"driftline_rows": float(rows)}
    if validation is not None:
        metrics["driftline_violations"] = float(len(validation.violations))
    if drift is not None:
        metrics["driftline_drift_share"] = float(drift.drift_share)
        metrics["driftline_drifted_columns"] = float(drift.number_of_drifted_columns)
    return metrics


def metric_lines(
    window: DatasetProfile,
    validation: ValidationReport | None,
    drift: DriftReport | None,
    *,
    timestamp: datetime,
    endpoint: str,
    schedule: str,
) -> list[Metric]:
    """The metric entries of one monitoring run, as a container writes them."""
    dims = dimensions(endpoint, schedule)
    stamp = timestamp.strftime("%Y-%m-%dT%H:%M:%SZ")

    def metric(name: str, **value: Any) -> Metric:
        return {"MetricName": name, "Timestamp": stamp, "Dimensions": dims, **value}

    lines = []
    for column in window.columns.values():
        numeric = column.numeric
        if numeric is not None and numeric.count and numeric.min is not None:
            statistics = {
                "SampleCount": float(numeric.count),
                "Sum": float((numeric.mean or 0.0) * numeric.count),
                "Minimum": float(numeric.min),
                "Maximum": float(numeric.max if numeric.max is not None else numeric.min),
            }
            lines.append(metric(f"feature_data_{column.name}", StatisticValues=statistics))
        completeness = 1.0 - column.null_share
        lines.append(metric(f"feature_non_null_{column.name}", Value=completeness))
    for checked in drift.columns if drift else []:
        if checked.score == checked.score:  # NaN: the method could not score this column
            lines.append(metric(f"feature_baseline_drift_{checked.name}", Value=checked.score))
    for name, value in headline_metrics(validation, drift, window.row_count).items():
        lines.append(metric(name, Value=value, Unit="Count" if "share" not in name else "None"))
    return lines


def write_metric_lines(lines: Sequence[Metric], folder: Path) -> Path:
    """Write `lines` as JSON lines into `folder` (whole: a reader never sees a part)."""
    from driftline.storage import write_text

    path = folder / METRICS_FILE
    write_text(path, "".join(json.dumps(line) + "\n" for line in lines))
    return path


def read_metric_lines(folder: Path) -> list[Metric]:
    """Every metric line in the `.jsonl` files of `folder`."""
    from driftline.storage import list_files, read_text

    lines: list[Metric] = []
    for entry in list_files(folder):
        if entry.uri.endswith(".jsonl"):
            text = read_text(entry.uri, what="metric lines")
            lines.extend(json.loads(t) for t in text.splitlines() if t)
    return lines


def _api_entry(line: Mapping[str, Any]) -> dict[str, Any]:
    entry = dict(line)
    stamp = entry.get("Timestamp")
    if isinstance(stamp, str):
        entry["Timestamp"] = datetime.fromisoformat(stamp)
    return entry


def put_metrics(
    lines: Iterable[Mapping[str, Any]], namespace: str = NAMESPACE, client: Any = None
) -> int:
    """PutMetricData for `lines` (in batches); returns how many were sent."""
    import botocore.exceptions

    if client is None:
        import boto3

        client = boto3.client("cloudwatch")
    entries = [_api_entry(line) for line in lines]
    try:
        for first in range(0, len(entries), _BATCH):
            client.put_metric_data(Namespace=namespace, MetricData=entries[first : first + _BATCH])
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        raise PlatformError(f"CloudWatch PutMetricData to {namespace} failed: {exc}") from exc
    return len(entries)


def publish_headline(
    metrics: Mapping[str, float],
    *,
    endpoint: str,
    schedule: str,
    timestamp: datetime,
    namespace: str = NAMESPACE,
    client: Any = None,
) -> int:
    """PutMetricData for a run's headline numbers, with Endpoint/MonitoringSchedule dimensions."""
    dims = dimensions(endpoint, schedule)
    lines = [
        {"MetricName": name, "Timestamp": timestamp, "Dimensions": dims, "Value": float(value)}
        for name, value in metrics.items()
    ]
    return put_metrics(lines, namespace, client)


def publish_report_metrics(
    *,
    drift_report: Any = None,
    validation_report: Any = None,
    endpoint: str,
    schedule: str = "",
    namespace: str = NAMESPACE,
    timestamp: datetime | None = None,
    client: Any = None,
) -> int:
    """PutMetricData for the headline of a run's reports (paths, folders or report objects)."""
    from datetime import UTC

    from driftline.observability.publish import load_report

    drift = load_report(drift_report, DriftReport)
    validation = load_report(validation_report, ValidationReport)
    rows = drift.current_rows if drift else validation.rows if validation else 0
    return publish_headline(
        headline_metrics(validation, drift, rows),
        endpoint=endpoint,
        schedule=schedule,
        timestamp=timestamp or datetime.now(UTC),
        namespace=namespace,
        client=client,
    )
