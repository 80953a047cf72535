"""The deployment pipeline: its compiled spec (loaded with kfp's loader) and a local run of
its core on the bike demo data against a real MLMD on SQLite."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from google.protobuf.json_format import MessageToDict
from kfp import local
from kfp.components import load_component_from_file

from driftline.demo.dataset import prepare
from driftline.lineage import open_store
from driftline.lineage.mlmd.backend import raw_store
from driftline.lineage.mlmd.kfp_records import record_training_run
from driftline.pipelines.deployment import deploy_and_baseline

COMPILED = Path(__file__).parents[2] / "pipelines" / "yaml" / "deployment.yaml"
MODEL_URI = "s3://mlpipeline/models/bike/v1"  # how KServe reads it
RECORDED_MODEL_URI = "minio://mlpipeline/models/bike/v1"  # how KFP recorded it


@pytest.fixture(scope="module")
def compiled() -> Any:
    return load_component_from_file(str(COMPILED))


def test_compiled_pipeline_loads_with_every_parameter_defaulted(compiled: Any) -> None:
    assert compiled.name == "driftline-deployment"
    assert sorted(compiled.required_inputs) == ["isvc_name", "model_uri"]
    inputs = compiled.component_spec.inputs
    assert inputs["namespace"].default == ""
    assert inputs["monitoring_pipeline_id"].default == ""
    assert inputs["monitoring_parameters"].type == "Dict"
    assert inputs["dry_run"].default is False
    assert compiled.component_spec.outputs["Output"].type == "String"


def test_dag_tasks_dependencies_and_conditional_schedule(compiled: Any) -> None:
    spec = MessageToDict(compiled.pipeline_spec, preserving_proto_field_name=False)
    root = spec["root"]["dag"]["tasks"]
    assert set(root) == {"driftline-deploy-and-baseline", "condition-1"}
    condition = root["condition-1"]
    assert condition["dependentTasks"] == ["driftline-deploy-and-baseline"]
    assert condition["triggerPolicy"]["condition"] == (
        "inputs.parameter_values['pipelinechannel--monitoring_pipeline_id'] != ''"
    )
    scheduled = spec["components"]["comp-condition-1"]["dag"]["tasks"]["schedule-monitoring"]
    params = scheduled["inputs"]["parameters"]
    assert params["pipeline_id"]["componentInputParameter"] == (
        "pipelinechannel--monitoring_pipeline_id"
    )
    assert params["model"]["componentInputParameter"] == "pipelinechannel--model_uri"
    core = spec["components"]["comp-driftline-deploy-and-baseline"]["dag"]["tasks"]
    deps = {name: sorted(task.get("dependentTasks", [])) for name, task in core.items()}
    assert deps == {
        "deploy-model": [],
        "resolve-baseline": ["deploy-model"],
        "profile-baseline": ["resolve-baseline"],
        "record-baseline": ["profile-baseline", "resolve-baseline"],
        "setup-monitoring": ["deploy-model"],
    }
    # monitoring is set up in the namespace deploy_model resolved
    setup_ns = core["setup-monitoring"]["inputs"]["parameters"]["namespace"]
    assert setup_ns["taskOutputParameter"] == {
        "producerTask": "deploy-model",
        "outputParameterKey": "namespace",
    }
    record = core["record-baseline"]["inputs"]
    assert record["parameters"]["run_id"]["runtimeValue"]["constant"] == "{{$.pipeline_job_uuid}}"
    assert record["artifacts"]["profile"]["taskOutputArtifact"]["producerTask"] == (
        "profile-baseline"
    )
    uncached = {n for n, t in core.items() if not t.get("cachingOptions", {}).get("enableCache")}
    assert uncached == {"deploy-model", "resolve-baseline", "record-baseline", "setup-monitoring"}


def test_platform_spec_sets_namespace_and_kfp_api_access(compiled: Any) -> None:
    platform = MessageToDict(compiled.platform_spec)
    executors = platform["platforms"]["kubernetes"]["deploymentSpec"]["executors"]
    assert executors["exec-deploy-model"]["fieldPathAsEnv"] == [
        {"name": "POD_NAMESPACE", "fieldPath": "metadata.namespace"}
    ]
    assert executors["exec-schedule-monitoring"]["podMetadata"]["labels"] == {
        "access-ml-pipeline": "true"
    }
    assert "secretAsEnv" not in str(platform)  # no secrets: the pods use service accounts


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return prepare(tmp_path_factory.mktemp("demo"))


@pytest.fixture
def local_runner(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "root"
    local.init(
        runner=local.SubprocessRunner(use_venv=False), pipeline_root=str(root), raise_on_error=True
    )
    yield root


def test_deploy_and_baseline_runs_locally_and_records_the_baseline(
    local_runner: Path, tmp_path: Path, demo: Any
) -> None:
    store_uri = f"sqlite://{tmp_path}/mlmd.sqlite"
    training = record_training_run(
        open_store(store_uri),
        str(demo.training),
        RECORDED_MODEL_URI,
        demo.training_metrics,
        "bike-train",
        "train-run-1",
    )
    task = deploy_and_baseline(
        model_uri=MODEL_URI, isvc_name="bike", namespace="ml", store=store_uri, dry_run=True
    )
    assert task.output == ""  # dry run: no URL

    store = open_store(store_uri)
    lineage = store.resolve(MODEL_URI)
    assert lineage.model.id == training.model_id
    assert lineage.profile is not None
    assert lineage.profile.properties["row_count"] == 8645  # every 2011 hour
    profile = next(local_runner.rglob("profile-baseline/profile"))
    assert lineage.profile.uri == str(profile)
    document = yaml.safe_load(profile.read_text())  # JSON is YAML
    assert document["kind"] == "profile" and document["row_count"] == 8645

    mlmd = raw_store(store)
    (baseline_run,) = mlmd.get_executions_by_type("driftline.BaselineRun")
    events = mlmd.get_events_by_execution_ids([baseline_run.id])
    inputs = {e.artifact_id for e in events if e.type == e.INPUT}
    outputs = {e.artifact_id for e in events if e.type == e.OUTPUT}
    assert inputs == {training.model_id, training.dataset_ids["dataset"]}
    assert outputs == {lineage.profile.id}
    (context,) = mlmd.get_contexts_by_type("driftline.MonitoredModel")
    assert context.name == f"driftline:model:{training.model_id}"
    assert lineage.profile.id in {a.id for a in mlmd.get_artifacts_by_context(context.id)}

    manifests = {p.name: p for p in local_runner.rglob("*.yaml")}
    isvc = yaml.safe_load(next(local_runner.rglob("deploy-model/manifest")).read_text())
    assert isvc["spec"]["predictor"]["model"]["storageUri"] == MODEL_URI
    assert {"podmonitor.yaml", "prometheusrule.yaml", "configmap.yaml"} <= set(manifests)
    logger = yaml.safe_load(manifests["inferenceservice.yaml"].read_text())
    assert logger["spec"]["predictor"]["logger"] == isvc["spec"]["predictor"]["logger"]


def test_a_model_without_lineage_fails_before_recording(
    local_runner: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    store_uri = f"sqlite://{tmp_path}/mlmd.sqlite"
    open_store(store_uri).close()  # an empty store: resolving reads it and never creates one
    with pytest.raises(RuntimeError):
        deploy_and_baseline(
            model_uri="s3://models/unknown", isvc_name="bike", namespace="ml",
            store=store_uri, dry_run=True,
        )  # fmt: skip
    logs = capfd.readouterr()
    log = logs.out + logs.err
    assert "error: no model artifact with URI s3://models/unknown" in log  # one line, as the CLI
    assert "Traceback" not in log
    mlmd = raw_store(open_store(store_uri))
    assert mlmd.get_executions_by_type("driftline.BaselineRun") == []
