"""The Grafana dashboard of one model, shipped in a ConfigMap for the Grafana sidecar."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from driftline.observability.monitors import metadata
from driftline.observability.rules import AlertThresholds, ServingMetrics

SCHEMA_VERSION = 39
#: The label (and value) both the Grafana and kube-prometheus-stack charts' sidecars watch.
SIDECAR_LABEL = {"grafana_dashboard": "1"}
DATASOURCE = {"type": "prometheus", "uid": "$datasource"}


def dashboard_uid(model: str, namespace: str) -> str:
    """A stable Grafana uid (at most 40 characters) for the model's dashboard."""
    uid = f"driftline-{namespace}-{model}"
    if len(uid) <= 40:
        return uid
    return f"driftline-{hashlib.sha256(uid.encode()).hexdigest()[:30]}"


def build_dashboard(
    model: str,
    namespace: str,
    *,
    thresholds: AlertThresholds | None = None,
    serving: ServingMetrics | None = None,
) -> dict[str, Any]:
    """The dashboard JSON: serving traffic on top, monitoring results below."""
    t = thresholds or AlertThresholds()
    s = serving or ServingMetrics()
    sel = f'model="{model}",namespace="{namespace}"'
    w = t.rate_window
    requests = f"rate({s.requests_total}{{{sel}}}[{w}])"
    errors = f"rate({s.requests_total}{{{sel},{s.error_matcher}}}[{w}])"
    buckets = f"sum by (le) (rate({s.latency_bucket}{{{sel}}}[{w}]))"
    unit = f"{s.latency_unit_seconds:g}"
    specs: list[tuple[str, str, str, list[tuple[str, str]]]] = [
        ("Request rate", "timeseries", "reqps", [(f"sum({requests})", "requests/s")]),
        (
            "Error ratio",
            "timeseries",
            "percentunit",
            [(f"sum({errors}) / sum({requests})", "errors")],
        ),
        (
            "Latency",
            "timeseries",
            "s",
            [
                (f"histogram_quantile({q}, {buckets}) * {unit}", f"p{q * 100:g}")
                for q in (0.5, 0.95)
            ],
        ),
        (
            "Drift share",
            "timeseries",
            "percentunit",
            [
                (f"driftline_drift_share{{{sel}}}", "drift share"),
                (f"driftline_drift_share_threshold{{{sel}}}", "threshold"),
            ],
        ),
        (
            "Per-feature drift score",
            "timeseries",
            "none",
            [
                (
                    f"driftline_feature_drift_score{{{sel}}}",
                    "{{feature}} ({{method}}, {{direction}})",
                )
            ],
        ),
        (
            "Validation violations",
            "timeseries",
            "none",
            [(f"driftline_validation_violations{{{sel}}}", "{{severity}}")],
        ),
        (
            "Performance",
            "timeseries",
            "none",
            [
                (f"driftline_performance{{{sel}}}", "{{metric}}"),
                (f"driftline_performance_baseline{{{sel}}}", "{{metric}} (baseline)"),
            ],
        ),
        (
            "Time since last monitoring run",
            "stat",
            "s",
            [(f"time() - max(driftline_last_run_timestamp_seconds{{{sel}}})", "age")],
        ),
    ]
    panels = [
        _panel(i + 1, title, kind, unit_name, targets, x=(i % 2) * 12, y=(i // 2) * 8)
        for i, (title, kind, unit_name, targets) in enumerate(specs)
    ]
    return {
        "uid": dashboard_uid(model, namespace),
        "title": f"driftline: {namespace}/{model}",
        "tags": ["driftline", "kserve"],
        "timezone": "browser",
        "editable": True,
        "schemaVersion": SCHEMA_VERSION,
        "version": 1,
        "refresh": "1m",
        "time": {"from": "now-7d", "to": "now"},
        "annotations": {"list": []},
        "links": [],
        "templating": {
            "list": [
                {
                    "name": "datasource",
                    "label": "Data source",
                    "type": "datasource",
                    "query": "prometheus",
                    "current": {},
                    "hide": 0,
                    "refresh": 1,
                    "options": [],
                }
            ]
        },
        "panels": panels,
    }


def _panel(
    panel_id: int,
    title: str,
    kind: str,
    unit: str,
    targets: list[tuple[str, str]],
    *,
    x: int,
    y: int,
) -> dict[str, Any]:
    return {
        "id": panel_id,
        "type": kind,
        "title": title,
        "datasource": DATASOURCE,
        "gridPos": {"h": 8, "w": 12, "x": x, "y": y},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {},
        "targets": [
            {
                "refId": chr(ord("A") + i),
                "datasource": DATASOURCE,
                "expr": expr,
                "legendFormat": legend,
            }
            for i, (expr, legend) in enumerate(targets)
        ],
    }


def dashboard_configmap(
    model: str,
    namespace: str,
    dashboard: Mapping[str, Any],
    *,
    labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A ConfigMap the Grafana sidecar loads: label `grafana_dashboard: "1"`, one JSON key."""
    meta = metadata(f"driftline-dashboard-{model}", namespace, {**SIDECAR_LABEL, **(labels or {})})
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": meta,
        "data": {f"{dashboard['uid']}.json": json.dumps(dashboard, indent=2, sort_keys=True)},
    }
