"""prometheus-operator objects for one model: PodMonitor or ServiceMonitor, PrometheusRule."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from driftline.errors import InputError, UnknownNameError

API_VERSION = "monitoring.coreos.com/v1"
ISVC_LABEL = "serving.kserve.io/inferenceservice"
MONITOR_KINDS = ("PodMonitor", "ServiceMonitor")
#: Knative queue-proxy's user-metrics port: request counts and latencies of every request.
DEFAULT_METRICS_PORTS = ("http-usermetric",)


def metadata(name: str, namespace: str, labels: Mapping[str, str]) -> dict[str, Any]:
    """Object metadata with driftline's own labels plus the caller's (e.g. `release:`)."""
    return {
        "name": name,
        "namespace": namespace,
        "labels": {"app.kubernetes.io/managed-by": "driftline", **labels},
    }


def model_monitor(
    model: str,
    namespace: str,
    *,
    kind: str = "PodMonitor",
    ports: Sequence[str] = DEFAULT_METRICS_PORTS,
    path: str = "/metrics",
    interval: str = "30s",
    labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A PodMonitor (or ServiceMonitor) scraping the InferenceService's pods.

    Targets are selected by KServe's `serving.kserve.io/inferenceservice` label
    and relabelled with `model` and `namespace`, the labels the alert rules and
    the dashboard select on.
    """
    if kind not in MONITOR_KINDS:
        raise UnknownNameError("monitor kind", kind, MONITOR_KINDS)
    if not ports or any(not p for p in ports):
        raise InputError(f"metrics ports must be non-empty port names, got {list(ports)!r}")
    relabelings = [
        {
            "sourceLabels": ["__meta_kubernetes_pod_label_serving_kserve_io_inferenceservice"],
            "targetLabel": "model",
        },
        {"sourceLabels": ["__meta_kubernetes_namespace"], "targetLabel": "namespace"},
    ]
    endpoints = [
        {"port": port, "path": path, "interval": interval, "relabelings": relabelings}
        for port in ports
    ]
    spec: dict[str, Any] = {
        "selector": {"matchLabels": {ISVC_LABEL: model}},
        "namespaceSelector": {"matchNames": [namespace]},
    }
    spec["podMetricsEndpoints" if kind == "PodMonitor" else "endpoints"] = endpoints
    return {
        "apiVersion": API_VERSION,
        "kind": kind,
        "metadata": metadata(f"driftline-{model}", namespace, labels or {}),
        "spec": spec,
    }


def prometheus_rule(
    model: str,
    namespace: str,
    groups: list[dict[str, Any]],
    *,
    labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A PrometheusRule holding the model's alert rule groups."""
    return {
        "apiVersion": API_VERSION,
        "kind": "PrometheusRule",
        "metadata": metadata(f"driftline-{model}", namespace, labels or {}),
        "spec": {"groups": groups},
    }
