"""Component: send a monitoring alert (CloudEvent) when the reports call for one."""

from kfp import dsl
from kfp.dsl import Artifact, Input

from driftline.components.image import IMAGE


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def send_notification(
    drift_report: Input[Artifact],
    validation_report: Input[Artifact],
    performance_report: Input[Artifact],
    url: str = "",
    model: str = "",
    window_start: str = "",
    window_end: str = "",
    run_id: str = "",
) -> bool:
    """Decide whether monitoring found a problem; if so, alert a webhook or CloudEvent sink.

    The alert is a structured CloudEvent (type io.driftline.monitoring.alert) naming the
    model, the window, what drifted or failed, and where the reports are. A bearer token
    is read from the DRIFTLINE_WEBHOOK_TOKEN environment variable (map a Kubernetes
    secret to it with kfp-kubernetes), never from a parameter.

    Args:
        drift_report: Drift report JSON from check_drift.
        validation_report: Validation report JSON from validate_data.
        performance_report: Performance report JSON from compute_performance.
        url: Webhook or CloudEvent sink URL (http:// or https://); empty sends nothing.
        model: Model reference shown in the alert.
        window_start: Start of the monitored window (ISO 8601).
        window_end: End of the monitored window (ISO 8601).
        run_id: KFP run id, for the alert's context.

    Returns:
        Output: True when the reports call for an alert (drift detected, validation failed
            or performance degraded), whether or not a URL was given to send it to.
    """
    from driftline.alerting import notify_from_reports
    from driftline.exits import exit_on_error

    with exit_on_error():
        alert = notify_from_reports(
            url=url,
            model=model,
            window_start=window_start,
            window_end=window_end,
            drift_report_path=drift_report.path,
            validation_report_path=validation_report.path,
            performance_report_path=performance_report.path,
            report_uri=drift_report.uri,
            run_id=run_id,
        )
        print(alert.text if alert else "no alert: validation, drift and performance are fine")
        return alert is not None
