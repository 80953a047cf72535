"""Glue of publish_metrics and send_notification: Prometheus metrics and alerts."""

from __future__ import annotations

from typing import Any, NamedTuple

from driftline import component_io as io
from driftline.component_io import given
from driftline.errors import InputError


class PublishOutputs(NamedTuple):
    """publish_metrics's returned outputs."""

    run_timestamp: float


class AlertOutputs(NamedTuple):
    """send_notification's returned outputs."""

    alert_raised: bool


def publish_metrics_outputs(
    metrics_text: Any,
    *,
    drift_report: Any = None,
    validation_report: Any = None,
    performance_report: Any = None,
    model_name: str | None = None,
    model: str | None = None,
    namespace: str | None = None,
    pushgateway_url: str | None = None,
    pipeline_name: str = "scheduled-monitoring",
    sagemaker_endpoint: str | None = None,
    monitoring_schedule: str | None = None,
) -> PublishOutputs:
    """Publish the reports' results (Pushgateway when given) and write the text artifact."""
    from driftline.observability.publish import publish_monitoring_metrics
    from driftline.serving.pod import default_namespace

    label = given(model_name) or given(model)
    if label is None:
        raise InputError(
            "give `model_name` (or `model`): it is the metrics' model label", param="model_name"
        )
    result = publish_monitoring_metrics(
        label,
        default_namespace(given(namespace) or ""),
        drift_report=_path(drift_report),
        validation_report=_path(validation_report),
        performance_report=_path(performance_report),
        pushgateway_url=given(pushgateway_url),
        out_path=metrics_text.path,
        pipeline=pipeline_name,
    )
    metrics_text.metadata.update(
        {io.GROUPING_KEY: result.grouping_key, io.PUSHED_TO: result.pushed_to or ""}
    )
    endpoint = given(sagemaker_endpoint)
    if endpoint is not None:
        from driftline.platforms.sagemaker.cloudwatch import publish_report_metrics

        metrics_text.metadata["cloudwatch_metrics"] = publish_report_metrics(
            drift_report=_path(drift_report),
            validation_report=_path(validation_report),
            endpoint=endpoint,
            schedule=given(monitoring_schedule) or "",
        )
    return PublishOutputs(result.run_timestamp)


def send_notification_outputs(
    drift_report: Any,
    validation_report: Any,
    performance_report: Any,
    *,
    url: str | None = None,
    model: str | None = None,
    window_start: str | None = None,
    window_end: str | None = None,
    run_id: str | None = None,
) -> AlertOutputs:
    """Decide whether the reports call for an alert; send it when a URL is given."""
    from driftline.alerting import notify_from_reports

    alert = notify_from_reports(
        url=given(url) or "",
        model=given(model) or "",
        window_start=given(window_start) or "",
        window_end=given(window_end) or "",
        drift_report_path=drift_report.path,
        validation_report_path=validation_report.path,
        performance_report_path=performance_report.path,
        report_uri=drift_report.uri,
        run_id=given(run_id) or "",
    )
    print(alert.text if alert else "no alert: validation, drift and performance are fine")
    return AlertOutputs(alert is not None)


def _path(artifact: Any) -> str | None:
    return artifact.path if artifact is not None else None
