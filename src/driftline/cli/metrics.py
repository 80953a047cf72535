"""`driftline publish-metrics`: a monitoring run's reports as Prometheus metrics."""

from __future__ import annotations

from pathlib import Path

import click

from driftline.cli.app import main

_report = click.Path(exists=True, path_type=Path)


@main.command("publish-metrics")
@click.option("--model", required=True, help="Model (InferenceService) name: the model label.")
@click.option("--namespace", required=True, help="Namespace: the namespace label.")
@click.option("--drift-report", type=_report, help="drift_report.json or its folder.")
@click.option("--validation-report", type=_report, help="validation_report.json or its folder.")
@click.option("--performance-report", type=_report, help="performance_report.json or its folder.")
@click.option(
    "--pushgateway-url",
    envvar="DRIFTLINE_PUSHGATEWAY_URL",
    help="Pushgateway to push to (env DRIFTLINE_PUSHGATEWAY_URL); credentials from env.",
)
@click.option("--pipeline", default="scheduled-monitoring", show_default=True)
@click.option("--out", "out_path", type=click.Path(path_type=Path))
@click.option("--sagemaker-endpoint", default=None, help="Also to CloudWatch, this Endpoint.")
@click.option("--monitoring-schedule", default=None, help="CloudWatch MonitoringSchedule.")
def publish_metrics_command(
    model: str,
    namespace: str,
    drift_report: Path | None,
    validation_report: Path | None,
    performance_report: Path | None,
    pushgateway_url: str | None,
    pipeline: str,
    out_path: Path | None,
    sagemaker_endpoint: str | None,
    monitoring_schedule: str | None,
) -> None:
    """Publish reports as metrics (Pushgateway and/or an exposition-format text file)."""
    from driftline.observability.publish import publish_monitoring_metrics

    result = publish_monitoring_metrics(
        model,
        namespace,
        drift_report=drift_report,
        validation_report=validation_report,
        performance_report=performance_report,
        pushgateway_url=pushgateway_url,
        out_path=out_path,
        pipeline=pipeline,
    )
    if result.pushed_to:
        click.echo(f"pushed to {result.pushed_to} group {result.grouping_key}")
    if result.written_to:
        click.echo(f"wrote {result.written_to}")
    if not result.pushed_to and not result.written_to:
        click.echo(result.text, nl=False)
    if sagemaker_endpoint:
        from driftline.platforms.sagemaker.cloudwatch import publish_report_metrics

        sent = publish_report_metrics(
            drift_report=drift_report,
            validation_report=validation_report,
            endpoint=sagemaker_endpoint,
            schedule=monitoring_schedule or "",
        )
        click.echo(f"sent {sent} metric(s) to CloudWatch for endpoint {sagemaker_endpoint}")
