"""Set up monitoring for a deployed InferenceService: build, write or apply the objects."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from driftline.errors import InputError
from driftline.observability.dashboard import build_dashboard, dashboard_configmap, dashboard_uid
from driftline.observability.monitors import DEFAULT_METRICS_PORTS, model_monitor, prometheus_rule
from driftline.observability.rules import (
    AlertThresholds,
    ServingMetrics,
    build_rule_groups,
    rule_file,
)
from driftline.report import write_atomic
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
    files: list[Path]
    applied: list[Applied]


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


def write_manifests(objects: list[dict[str, Any]], out_dir: str | Path) -> list[Path]:
    """Write one YAML file per object kind (`<kind>.yaml`) plus a plain Prometheus rule file."""
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
    out = Path(out_dir)
    return [write_atomic(out / name, text) for name, text in texts.items()]


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
        raise InputError("a dry run needs an output folder (out_dir / --out)", param="out_dir")
    objects = build_manifests(isvc, namespace, options)
    files = write_manifests(objects, out_dir) if out_dir is not None else []
    applied = [] if dry_run else apply_objects(objects, api_client=api_client)
    return SetupResult(objects, files, applied)
