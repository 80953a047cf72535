"""The receiver's manifest, checked against the Kubernetes API models of the installed client
(no cluster runs here), against the CLI, and its ConfigMap against the config loader."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner
from kubernetes import client

from driftline.cli import main
from driftline.events.config import load_config

ROOT = Path(__file__).resolve().parents[3]
MANIFEST = ROOT / "deploy" / "events" / "driftline-events.yaml"
MODELS = {"ConfigMap": "V1ConfigMap", "PersistentVolumeClaim": "V1PersistentVolumeClaim",
          "Deployment": "V1Deployment", "Service": "V1Service"}  # fmt: skip


def documents() -> dict[str, object]:
    api = client.ApiClient()
    return {
        doc["kind"]: api._ApiClient__deserialize(doc, MODELS[doc["kind"]])
        for doc in yaml.safe_load_all(MANIFEST.read_text())
    }


def test_manifest_objects_are_wired_together() -> None:
    objects = documents()
    deployment, service = objects["Deployment"], objects["Service"]
    template = deployment.spec.template
    assert service.spec.selector.items() <= template.metadata.labels.items()
    assert deployment.spec.strategy.type == "Recreate"  # one owner of the journal
    assert template.metadata.labels["access-ml-pipeline"] == "true"
    container = template.spec.containers[0]
    mounts = {m.name: m.mount_path for m in container.volume_mounts}
    assert f"--journal={mounts['journal']}" in container.args
    assert "--config=" + mounts["config"] + "/receiver.yaml" in container.args
    volumes = {v.name: v for v in template.spec.volumes}
    assert volumes["journal"].persistent_volume_claim.claim_name == (
        objects["PersistentVolumeClaim"].metadata.name
    )
    assert volumes["config"].config_map.name == objects["ConfigMap"].metadata.name
    assert container.readiness_probe.http_get.path == "/healthz"


def test_the_shipped_config_and_args_are_accepted(tmp_path: Path) -> None:
    config_map = documents()["ConfigMap"]
    path = tmp_path / "receiver.yaml"
    path.write_text(config_map.data["receiver.yaml"])
    config = load_config(str(path), env={"DRIFTLINE_MLFLOW_WEBHOOK_SECRET": "x"})
    assert config.mlflow is not None and config.mlflow.alias == "champion"
    container = documents()["Deployment"].spec.template.spec.containers[0]
    assert container.command == ["driftline"]
    result = CliRunner().invoke(main, [*container.args, "--help"])
    assert result.exit_code == 0, result.output
