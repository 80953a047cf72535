"""Component: send a monitoring alert (CloudEvent) when the reports call for one."""

from typing import NamedTuple, Optional

from kfp.dsl import Artifact, Input

from driftline.components._declare import component


@component
def send_notification(
    drift_report: Input[Artifact],
    validation_report: Input[Artifact],
    performance_report: Input[Artifact],
    url: Optional[str] = None,  # noqa: UP045  kfp 2.13 does not parse `X | None`
    model: Optional[str] = None,  # noqa: UP045
    window_start: Optional[str] = None,  # noqa: UP045
    window_end: Optional[str] = None,  # noqa: UP045
    run_id: Optional[str] = None,  # noqa: UP045
) -> NamedTuple("Outputs", [("alert_raised", bool)]):  # type: ignore[valid-type]
    """Decide whether monitoring found a problem; if so, alert a webhook or CloudEvent sink.

    The alert is a structured CloudEvent (type io.driftline.monitoring.alert) naming the
    model, the window, what drifted or failed, and where the reports are. A bearer token
    is read from the DRIFTLINE_WEBHOOK_TOKEN environment variable (map a Kubernetes
    secret to it with kfp-kubernetes), never from a parameter.

    Args:
        drift_report: Drift report JSON from check_drift.
        validation_report: Validation report JSON from validate_data.
        performance_report: Performance report JSON from compute_performance.
        url: Webhook or CloudEvent sink URL (http:// or https://); unset sends nothing.
        model: Model reference shown in the alert.
        window_start: Start of the monitored window (ISO 8601).
        window_end: End of the monitored window (ISO 8601).
        run_id: KFP run id, for the alert's context.

    Returns:
        alert_raised: True when the reports call for an alert (drift detected, validation
            failed or performance degraded), whether or not a URL was given to send it to.
    """
    from driftline.exits import exit_on_error
    from driftline.platforms.kfp.steps.monitoring import send_notification_outputs

    with exit_on_error():
        return send_notification_outputs(
            drift_report,
            validation_report,
            performance_report,
            url=url,
            model=model,
            window_start=window_start,
            window_end=window_end,
            run_id=run_id,
        )
