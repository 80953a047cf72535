"""`driftline setup-monitoring`: logger, monitor, alerts and dashboard for an InferenceService."""

from __future__ import annotations

from pathlib import Path

import click

from driftline.cli.app import main
from driftline.errors import InputError


def _labels(pairs: tuple[str, ...]) -> dict[str, str]:
    labels = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InputError(f"--label must be KEY=VALUE, got {pair!r}", param="label")
        labels[key] = value
    return labels


@main.command("setup-monitoring")
@click.option("--isvc", required=True, help="InferenceService name.")
@click.option("--namespace", required=True, help="Namespace of the InferenceService.")
@click.option(
    "--logger-mode",
    type=click.Choice(["all", "request", "response"]),
    default="all",
    show_default=True,
)
@click.option("--sink-url", help="Log sink URL [default: the driftline-sink Service of NS].")
@click.option(
    "--component",
    type=click.Choice(["predictor", "transformer", "explainer"]),
    default="predictor",
    show_default=True,
)
@click.option(
    "--monitor-kind",
    type=click.Choice(["PodMonitor", "ServiceMonitor"]),
    default="PodMonitor",
    show_default=True,
)
@click.option(
    "--metrics-port", "metrics_ports", multiple=True, help="Named port to scrape (repeatable)."
)
@click.option("--scrape-interval", default="30s", show_default=True)
@click.option("--drift-share-threshold", type=float, default=0.5, show_default=True)
@click.option("--error-rate-threshold", type=float, default=0.05, show_default=True)
@click.option("--latency-p95-seconds", type=float, default=1.0, show_default=True)
@click.option(
    "--schedule-interval",
    type=int,
    default=3600,
    show_default=True,
    help="Seconds between monitoring runs; no run for twice this long fires an alert.",
)
@click.option(
    "--label", "labels", multiple=True, help="KEY=VALUE label on the monitor, rule and dashboard."
)
@click.option("--dashboard-namespace", help="Namespace of the dashboard ConfigMap [default: NS].")
@click.option("--report-url", help="Link put on every alert [default: the model's dashboard].")
@click.option("--dry-run", is_flag=True, help="Only write the manifests; no cluster needed.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path))
def setup_monitoring_command(
    isvc: str,
    namespace: str,
    logger_mode: str,
    sink_url: str | None,
    component: str,
    monitor_kind: str,
    metrics_ports: tuple[str, ...],
    scrape_interval: str,
    drift_share_threshold: float,
    error_rate_threshold: float,
    latency_p95_seconds: float,
    schedule_interval: int,
    labels: tuple[str, ...],
    dashboard_namespace: str | None,
    report_url: str | None,
    dry_run: bool,
    out_dir: Path | None,
) -> None:
    """Set up monitoring for a deployed InferenceService (or write its manifests)."""
    from driftline.observability.monitors import DEFAULT_METRICS_PORTS
    from driftline.observability.rules import AlertThresholds
    from driftline.serving.setup import MonitoringOptions, setup_monitoring

    options = MonitoringOptions(
        logger_mode=logger_mode,
        sink_url=sink_url,
        component=component,
        monitor_kind=monitor_kind,
        metrics_ports=metrics_ports or DEFAULT_METRICS_PORTS,
        scrape_interval=scrape_interval,
        thresholds=AlertThresholds(
            error_rate=error_rate_threshold,
            latency_p95_seconds=latency_p95_seconds,
            drift_share=drift_share_threshold,
            schedule_interval_seconds=schedule_interval,
        ),
        labels=_labels(labels),
        dashboard_namespace=dashboard_namespace,
        report_url=report_url,
    )
    result = setup_monitoring(isvc, namespace, options, dry_run=dry_run, out_dir=out_dir)
    for path in result.files:
        click.echo(f"wrote {path}")
    for done in result.applied:
        state = "created" if done.created else "configured" if done.changed else "unchanged"
        click.echo(f"{done.kind.lower()}/{done.name} ({done.namespace}) {state}")
