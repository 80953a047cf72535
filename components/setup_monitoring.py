"""setup_monitoring: request logging, scraping, alert rules and a dashboard for a deployed model."""

from typing import NamedTuple, Optional

from kfp.dsl import Artifact, Output

from driftline.components._declare import component


@component
def setup_monitoring(
    manifests: Output[Artifact],
    isvc_name: Optional[str] = None,  # noqa: UP045  kfp 2.13 does not parse `X | None`
    namespace: Optional[str] = None,  # noqa: UP045
    logger_mode: str = "all",
    sink_url: Optional[str] = None,  # noqa: UP045
    component: str = "predictor",
    monitor_kind: str = "PodMonitor",
    metrics_ports: Optional[list] = None,  # noqa: UP045
    scrape_interval: str = "30s",
    drift_share_threshold: float = 0.5,
    error_rate_threshold: float = 0.05,
    latency_p95_seconds: float = 1.0,
    schedule_interval_seconds: int = 3600,
    labels: Optional[dict] = None,  # noqa: UP045
    dashboard_namespace: Optional[str] = None,  # noqa: UP045
    report_url: Optional[str] = None,  # noqa: UP045
    dry_run: bool = False,
) -> NamedTuple("Outputs", [("dashboard_uid", str)]):  # type: ignore[valid-type]
    """Sets up monitoring for a KServe InferenceService (server-side apply, idempotent).

    Patches the InferenceService's request/response logger (keeping the rest of its
    spec), and creates a PodMonitor/ServiceMonitor, a PrometheusRule (error rate, p95
    latency, drift, validation, performance, dead-man's switch) and a Grafana dashboard
    ConfigMap. Runs with a service account bound to deploy/rbac/setup-monitoring.yaml.

    Args:
        isvc_name: Name of the deployed InferenceService (the `model` label everywhere).
        namespace: Namespace of the InferenceService.
        logger_mode: What the KServe logger sends: "all", "request" or "response".
        sink_url: Logger sink URL; unset: http://driftline-sink.<namespace>.svc.cluster.local/.
        component: InferenceService component to log: predictor, transformer or explainer.
        monitor_kind: "PodMonitor" or "ServiceMonitor" for the model server's metrics.
        metrics_ports: Named container/Service ports to scrape; unset: ["http-usermetric"].
        scrape_interval: Prometheus scrape interval of the monitor, e.g. "30s".
        drift_share_threshold: Drift alert fires when the drift share exceeds this.
        error_rate_threshold: Error alert fires above this share of failed requests.
        latency_p95_seconds: Latency alert fires when p95 latency exceeds this.
        schedule_interval_seconds: Monitoring schedule; no run for twice this long alerts.
        labels: Extra labels on monitor, rule and dashboard (e.g. {"release": "kps"}).
        dashboard_namespace: Namespace of the dashboard ConfigMap; unset: `namespace`.
        report_url: Link put on every alert; unset: the model's Grafana dashboard.
        dry_run: Only write the manifests; do not talk to the cluster.

    Returns:
        manifests: Directory with one YAML file per object kind and a plain Prometheus
            rule file; metadata lists the objects and what applying did.
        dashboard_uid: The Grafana dashboard uid.
    """
    from driftline.exits import exit_on_error
    from driftline.platforms.kfp.steps.serving import setup_monitoring_outputs

    with exit_on_error():
        return setup_monitoring_outputs(
            manifests,
            isvc_name=isvc_name,
            namespace=namespace,
            dry_run=dry_run,
            logger_mode=logger_mode,
            sink_url=sink_url,
            component=component,
            monitor_kind=monitor_kind,
            metrics_ports=metrics_ports,
            scrape_interval=scrape_interval,
            drift_share_threshold=drift_share_threshold,
            error_rate_threshold=error_rate_threshold,
            latency_p95_seconds=latency_p95_seconds,
            schedule_interval_seconds=schedule_interval_seconds,
            labels=labels,
            dashboard_namespace=dashboard_namespace,
            report_url=report_url,
        )
