"""setup_monitoring and publish_metrics run by the real KFP local runner."""

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from kfp import dsl
from kfp.dsl import Artifact
from prometheus_client.parser import text_string_to_metric_families

from driftline.components.publish_metrics import publish_metrics
from driftline.components.setup_monitoring import setup_monitoring
from tests.unit.observability.reports import drift_report, performance_report, validation_report


def test_setup_monitoring_dry_run_writes_manifests(kfp_local: Path) -> None:
    task = setup_monitoring(
        isvc_name="bike",
        namespace="ml",
        labels={"release": "kps"},
        drift_share_threshold=0.3,
        dry_run=True,
    )
    assert task.outputs["dashboard_uid"] == "driftline-ml-bike"
    manifests = Path(task.outputs["manifests"].path)
    files = sorted(p.name for p in manifests.iterdir())
    assert files == [
        "configmap.yaml",
        "inferenceservice.yaml",
        "podmonitor.yaml",
        "prometheus-rules.yml",
        "prometheusrule.yaml",
    ]
    rule = yaml.safe_load((manifests / "prometheusrule.yaml").read_text())
    assert rule["metadata"]["labels"]["release"] == "kps"
    exprs = [r["expr"] for g in rule["spec"]["groups"] for r in g["rules"]]
    assert any(
        e.endswith('driftline_drift_share{model="bike",namespace="ml"}) > 0.3') for e in exprs
    )
    assert task.outputs["manifests"].metadata["dry_run"] is True


def test_setup_monitoring_bad_input_fails_the_task(kfp_local: Path) -> None:
    with pytest.raises(RuntimeError):
        setup_monitoring(isvc_name="Bad_Name", namespace="ml", dry_run=True)


def test_publish_metrics_from_imported_reports(kfp_local: Path, tmp_path: Path) -> None:
    drift_dir = tmp_path / "drift"
    drift_dir.mkdir()
    (drift_dir / "drift_report.json").write_text(json.dumps(drift_report(0.8)))
    validation_file = tmp_path / "validation_report.json"
    validation_file.write_text(json.dumps(validation_report(errors=1)))
    performance_file = tmp_path / "performance_report.json"
    performance_file.write_text(json.dumps(performance_report(degraded=False)))
    # kfp 2.13's local runner needs every input artifact bound (KeyError otherwise), so all
    # three reports are given here; on a KFP backend the report inputs are optional.

    @dsl.pipeline
    def publish_run() -> Artifact:
        drift = dsl.importer(artifact_uri=str(drift_dir), artifact_class=Artifact)
        validation = dsl.importer(artifact_uri=str(validation_file), artifact_class=Artifact)
        performance = dsl.importer(artifact_uri=str(performance_file), artifact_class=Artifact)
        task = publish_metrics(
            drift_report=drift.output,
            validation_report=validation.output,
            performance_report=performance.output,
            model_name="bike",
            namespace="ml",
        )
        return task.outputs["metrics_text"]

    run = publish_run()
    text = Path(run.output.path).read_text()
    values = {
        (s.name, s.labels.get("severity")): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert values[("driftline_drift_share", None)] == 0.8
    assert values[("driftline_validation_violations", "error")] == 1
    assert values[("driftline_performance_degraded", None)] == 0


@pytest.mark.parametrize("component", [setup_monitoring, publish_metrics])
def test_components_compile_with_described_inputs(component: Any, tmp_path: Path) -> None:
    from kfp import compiler

    path = tmp_path / "component.yaml"
    compiler.Compiler().compile(component, str(path))
    spec = yaml.safe_load(path.read_text())
    inputs = spec["components"][f"comp-{component.name.replace('_', '-')}"]["inputDefinitions"]
    described = {**inputs.get("parameters", {}), **inputs.get("artifacts", {})}
    assert described and all(v.get("description") for v in described.values())
