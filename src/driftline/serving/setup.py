"""Set up monitoring for a deployed InferenceService: build, write or apply the objects."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from driftline import storage
from driftline.errors import InputError
from driftline.observability.dashboard import build_dashboard, dashboard_configmap, dashboard_uid
from driftline.observability.monitors import DEFAULT_METRICS_PORTS, model_monitor, prometheus_rule
from driftline.observability.rules import (
    AlertThresholds,
    ServingMetrics,
    build_rule_groups,
    rule_file,
)
from driftline.serving.kube import Applied, apply_objects
from driftline.serving.logger import logger_patch

#: Kubernetes names used here must be DNS-1123 labels (they also end up inside PromQL).
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
RULE_FILE = "prometheus-rules.yml"


@dataclass(frozen=True)
class MonitoringOptions:
    """Everything setup-monitoring can be told; every field has a working default."""

    logger_mode: str = "all"
    sink_url: str | None = None
    component: str = "predictor"
    monitor_kind: str = "PodMonitor"
    metrics_ports: tuple[str, ...] = DEFAULT_METRICS_PORTS
    scrape_interval: str = "30s"
    thresholds: AlertThresholds = field(default_factory=AlertThresholds)
    serving_metrics: ServingMetrics = field(default_factory=ServingMetrics)
    labels: Mapping[str, str] = field(default_factory=dict)
    dashboard_namespace: str | None = None
    report_url: str | None = None


@dataclass(frozen=True)
class SetupResult:
    """The objects built, the files written (if any), and what applying did (if applied)."""

    objects: list[dict[str, Any]]
    files: list[str]
    applied: list[Applied]
    dry_run: bool = False

    @property
    def dashboard_uid(self) -> str:
        """The uid of the model's Grafana dashboard."""
        (configmap,) = [o for o in self.objects if o["kind"] == "ConfigMap"]
        return str(next(iter(configmap["data"])).removesuffix(".json"))

    def summary(self) -> dict[str, Any]:
        """JSON-ready: the objects (kind/namespace/name), files and apply outcome."""
        return {
            "objects": [
                f"{o['kind']}/{o['metadata']['namespace']}/{o['metadata']['name']}"
                for o in self.objects
            ],
            "files": [p.rsplit("/", 1)[-1] for p in self.files],
            "applied": [
                {
                    "object": f"{a.kind}/{a.namespace}/{a.name}",
                    "created": a.created,
                    "changed": a.changed,
                }
                for a in self.applied
            ],
            "dry_run": self.dry_run,
        }


def build_manifests(
    isvc: str, namespace: str, options: MonitoringOptions | None = None
) -> list[dict[str, Any]]:
    """The Kubernetes objects: logger patch, monitor, PrometheusRule, dashboard ConfigMap."""
    o = options or MonitoringOptions()
    for param, value in (
        ("isvc", isvc),
        ("namespace", namespace),
        ("dashboard_namespace", o.dashboard_namespace or namespace),
    ):
        check_name(param, value)
    report_url = o.report_url or f"/d/{dashboard_uid(isvc, namespace)}"
    groups = build_rule_groups(
        isvc, namespace, report_url=report_url, thresholds=o.thresholds, serving=o.serving_metrics
    )
    dashboard = build_dashboard(isvc, namespace, thresholds=o.thresholds, serving=o.serving_metrics)
    return [
        logger_patch(
            isvc, namespace, mode=o.logger_mode, sink_url=o.sink_url, component=o.component
        ),
        model_monitor(
            isvc,
            namespace,
            kind=o.monitor_kind,
            ports=o.metrics_ports,
            interval=o.scrape_interval,
            labels=o.labels,
        ),
        prometheus_rule(isvc, namespace, groups, labels=o.labels),
        dashboard_configmap(isvc, o.dashboard_namespace or namespace, dashboard, labels=o.labels),
    ]


def check_name(param: str, value: str) -> None:
    """Raise InputError unless `value` is a DNS-1123 label (what Kubernetes names must be)."""
    if not isinstance(value, str) or not _DNS_LABEL.match(value):
        raise InputError(
            f"{param} must be a Kubernetes name (lowercase letters, digits and '-', "
            f"at most 63 characters, starting and ending alphanumeric); got {value!r}",
            param=param,
        )


def write_manifests(objects: list[dict[str, Any]], out_dir: str | Path) -> list[str]:
    """Write one YAML file per object kind (`<kind>.yaml`) plus a plain Prometheus rule file,
    all as one (`storage.write_together`)."""
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for obj in objects:
        by_kind.setdefault(obj["kind"].lower(), []).append(obj)
    texts = {
        f"{kind}.yaml": yaml.safe_dump_all(items, sort_keys=False, width=1000)
        for kind, items in by_kind.items()
    }
    rules = [obj for obj in objects if obj["kind"] == "PrometheusRule"]
    if rules:
        texts[RULE_FILE] = rule_file([g for r in rules for g in r["spec"]["groups"]])
    files = {storage.join(out_dir, name): text for name, text in texts.items()}
    storage.write_together(files)
    return list(files)


def setup_monitoring(
    isvc: str,
    namespace: str,
    options: MonitoringOptions | None = None,
    *,
    dry_run: bool = False,
    out_dir: str | Path | None = None,
    api_client: Any = None,
) -> SetupResult:
    """Build the monitoring objects; write them to `out_dir` and/or apply them.

    With `dry_run` nothing talks to a cluster (then `out_dir` is required).
    Otherwise the objects are server-side applied with the in-cluster service
    account (or `api_client`): re-running with the same options changes nothing.
    """
    if dry_run and out_dir is None:
        raise InputError("a dry run needs an output folder (`out_dir`)", param="out_dir")
    objects = build_manifests(isvc, namespace, options)
    files = write_manifests(objects, out_dir) if out_dir is not None else []
    applied = [] if dry_run else apply_objects(objects, api_client=api_client)
    return SetupResult(objects, files, applied, dry_run)


def setup_monitoring_from_params(
    isvc: str,
    namespace: str,
    out_dir: str | Path,
    *,
    dry_run: bool = False,
    logger_mode: str = "all",
    sink_url: str = "",
    component: str = "predictor",
    monitor_kind: str = "PodMonitor",
    metrics_ports: list[str] | tuple[str, ...] | None = None,
    scrape_interval: str = "30s",
    drift_share_threshold: float = 0.5,
    error_rate_threshold: float = 0.05,
    latency_p95_seconds: float = 1.0,
    schedule_interval_seconds: int = 3600,
    labels: Mapping[str, str] | None = None,
    dashboard_namespace: str = "",
    report_url: str = "",
) -> SetupResult:
    """`setup_monitoring` with flat, pipeline-friendly parameters ("" means the default)."""
    options = MonitoringOptions(
        logger_mode=logger_mode,
        sink_url=sink_url or None,
        component=component,
        monitor_kind=monitor_kind,
        metrics_ports=tuple(metrics_ports or DEFAULT_METRICS_PORTS),
        scrape_interval=scrape_interval,
        thresholds=AlertThresholds(
            error_rate=error_rate_threshold,
            latency_p95_seconds=latency_p95_seconds,
            drift_share=drift_share_threshold,
            schedule_interval_seconds=schedule_interval_seconds,
        ),
        labels={str(k): str(v) for k, v in (labels or {}).items()},
        dashboard_namespace=dashboard_namespace or None,
        report_url=report_url or None,
    )
    return setup_monitoring(isvc, namespace, options, dry_run=dry_run, out_dir=out_dir)
