"""Every generated Kubernetes object against the real schemas (no API server runs here)."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from driftline.observability.dashboard import build_dashboard
from driftline.serving.setup import MonitoringOptions, build_manifests
from tests.unit.observability.schemas import (
    REFERENCE,
    core_errors,
    crd_errors,
    dashboard_errors,
    metadata_errors,
)

RBAC = Path(__file__).resolve().parents[3] / "deploy" / "rbac" / "setup-monitoring.yaml"
OPTIONS = [
    MonitoringOptions(),
    MonitoringOptions(
        monitor_kind="ServiceMonitor",
        logger_mode="request",
        sink_url="https://sink.example.com/events",
        component="transformer",
        metrics_ports=("http-usermetric", "metrics"),
        labels={"release": "kube-prometheus-stack"},
        dashboard_namespace="monitoring",
    ),
]


def deep_merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """What server-side apply does to maps the applier does not own: keep them."""
    out = copy.deepcopy(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def by_kind(options: MonitoringOptions) -> dict[str, dict[str, Any]]:
    return {obj["kind"]: obj for obj in build_manifests("sklearn-iris", "ml-team", options)}


@pytest.mark.parametrize("options", OPTIONS, ids=["defaults", "options"])
def test_custom_objects_validate_against_their_crds(options: MonitoringOptions) -> None:
    objects = by_kind(options)
    monitor = objects[options.monitor_kind]
    assert crd_errors(monitor) == []
    assert crd_errors(objects["PrometheusRule"]) == []


@pytest.mark.parametrize("options", OPTIONS, ids=["defaults", "options"])
def test_logger_patch_applied_to_the_upstream_sample_isvc_is_valid(
    options: MonitoringOptions,
) -> None:
    sample = yaml.safe_load((REFERENCE / "kserve/payloads/sklearn-logging-isvc.yaml").read_text())
    del sample["spec"]["predictor"]["logger"]
    sample["metadata"]["namespace"] = "ml-team"
    if options.component == "transformer":
        sample["spec"]["transformer"] = {"containers": [{"name": "kserve-container", "image": "t"}]}
    patch = by_kind(options)["InferenceService"]
    merged = deep_merge(sample, patch)
    assert crd_errors(merged) == []
    # the patch sets the logger and keeps the rest of the spec
    assert merged["spec"]["predictor"]["sklearn"] == sample["spec"]["predictor"]["sklearn"]
    logger = merged["spec"][options.component]["logger"]
    assert logger["mode"] == options.logger_mode
    assert logger["url"] == (options.sink_url or "http://driftline-sink.ml-team.svc.cluster.local/")


def test_crd_validation_can_fail() -> None:
    objects = by_kind(MonitoringOptions())
    monitor = copy.deepcopy(objects["PodMonitor"])
    monitor["spec"]["podMetricEndpoints"] = monitor["spec"].pop("podMetricsEndpoints")  # typo
    assert any("podMetricEndpoints" in e for e in crd_errors(monitor))
    rule = copy.deepcopy(objects["PrometheusRule"])
    del rule["spec"]["groups"][0]["rules"][0]["expr"]
    assert any("expr" in e for e in crd_errors(rule))
    isvc = copy.deepcopy(objects["InferenceService"])
    isvc["spec"]["predictor"]["logger"]["mode"] = "everything"
    assert any("everything" in e for e in crd_errors(isvc))


def test_configmap_and_rbac_deserialize_through_the_kubernetes_client() -> None:
    configmap = by_kind(MonitoringOptions())["ConfigMap"]
    assert core_errors(configmap, "V1ConfigMap") == []
    assert configmap["metadata"]["labels"]["grafana_dashboard"] == "1"
    models = {
        "ServiceAccount": "V1ServiceAccount",
        "Role": "V1Role",
        "RoleBinding": "V1RoleBinding",
    }
    docs = list(yaml.safe_load_all(RBAC.read_text()))
    assert sorted(d["kind"] for d in docs) == sorted(models)
    for doc in docs:
        assert core_errors(doc, models[doc["kind"]]) == [], doc["kind"]


def test_rbac_role_covers_every_applied_kind() -> None:
    (role,) = [d for d in yaml.safe_load_all(RBAC.read_text()) if d["kind"] == "Role"]
    grants = {
        (group, resource): set(rule["verbs"])
        for rule in role["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
    }
    plural = {"InferenceService": "inferenceservices", "ConfigMap": "configmaps"}
    for options in OPTIONS:
        for obj in build_manifests("m", "ns", options):
            group = obj["apiVersion"].rpartition("/")[0]
            resource = plural.get(obj["kind"], obj["kind"].lower() + "s")
            assert {"get", "patch"} <= grants[(group, resource)], obj["kind"]


def test_core_validation_can_fail() -> None:
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r"}}
    role["rules"] = [{"apiGroups": [""], "resources": ["configmaps"]}]  # verbs are required
    assert core_errors(role, "V1Role") != []
    assert metadata_errors({"name": "x", "labels": {"a": "-bad-"}}) != []


def test_dashboard_is_a_valid_schema_39_dashboard() -> None:
    configmap = by_kind(MonitoringOptions())["ConfigMap"]
    (text,) = configmap["data"].values()
    dashboard = json.loads(text)
    assert dashboard_errors(dashboard) == []
    titles = {p["title"] for p in dashboard["panels"]}
    assert {
        "Request rate",
        "Latency",
        "Error ratio",
        "Drift share",
        "Per-feature drift score",
    } <= titles
    assert {"Validation violations", "Performance"} <= titles


def test_dashboard_checker_accepts_the_upstream_dashboard_and_rejects_broken_ones() -> None:
    cm = json.loads((REFERENCE / "grafana/knative-eventing-dashboard-configmap.json").read_text())
    (upstream,) = [json.loads(v) for v in cm["data"].values()]
    assert dashboard_errors(upstream) == []
    broken = build_dashboard("m", "ns")
    broken["panels"][1]["gridPos"] = dict(broken["panels"][0]["gridPos"])  # overlap
    broken["panels"][2]["datasource"] = "Prometheus"  # pre-v36 string reference
    broken["panels"][3]["id"] = broken["panels"][4]["id"]
    errors = dashboard_errors(broken)
    assert any("overlaps" in e for e in errors)
    assert any("reference" in e for e in errors)
    assert any("ids" in e for e in errors)


def test_dashboard_queries_are_valid_promql(tmp_path: Path, promtool: str) -> None:
    dashboard = build_dashboard("sklearn-iris", "ml-team")
    rules = [
        {"record": f"dashboard:panel{p['id']}_{t['refId']}", "expr": t["expr"]}
        for p in dashboard["panels"]
        for t in p["targets"]
    ]
    path = tmp_path / "queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    result = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
