"""deploy_model, record_baseline and schedule_monitoring run by KFP's local runner.

deploy_model talks to the loopback Kubernetes API stand-in through a kubeconfig (the
component's subprocess reads KUBECONFIG); schedule_monitoring to the strict KFP API
stand-in; record_baseline to a real MLMD on SQLite.
"""

from pathlib import Path
from typing import Any

import pytest
import yaml
from kfp import dsl, local

from driftline.components.deploy_model import deploy_model
from driftline.components.profile_baseline import profile_baseline
from driftline.components.record_baseline import record_baseline
from driftline.components.resolve_baseline import resolve_baseline
from driftline.components.schedule_monitoring import schedule_monitoring
from driftline.lineage import open_store
from driftline.lineage.mlmd.kfp_records import record_training_run
from tests.pipelines.kfp_api_server import KfpApiServer
from tests.unit.observability.fake_apiserver import FakeApiServer
from tests.unit.observability.schemas import crd_errors

ISVC_PATH = "/apis/serving.kserve.io/v1beta1/namespaces/ml/inferenceservices/bike"


@pytest.fixture
def kfp_runner(tmp_path: Path) -> None:
    local.init(
        runner=local.SubprocessRunner(use_venv=False),
        pipeline_root=str(tmp_path / "root"),
        raise_on_error=True,
    )


def test_deploy_model_dry_run_writes_a_valid_manifest(kfp_runner: None) -> None:
    task = deploy_model(
        model_uri="s3://models/bike", isvc_name="bike", namespace="ml", dry_run=True
    )
    assert task.outputs["url"] == ""
    assert task.outputs["namespace"] == "ml"
    manifest = task.outputs["manifest"]
    document = yaml.safe_load(Path(manifest.path).read_text())
    assert crd_errors(document) == []
    assert document["spec"]["predictor"]["model"]["storageUri"] == "s3://models/bike"
    assert manifest.metadata["dry_run"] is True
    assert manifest.metadata["storage_uri"] == "s3://models/bike"


def test_deploy_model_applies_and_waits_for_ready(kfp_runner: None, kube: FakeApiServer) -> None:
    # Ready at the first poll: waiting itself is tested in tests/unit/serving (the component
    # polls every 5 s)
    kube.roll_out(ISVC_PATH, ready_after=0, url="http://bike.ml.example.com")
    task = deploy_model(
        model_uri="s3://models/bike",
        isvc_name="bike",
        namespace="ml",
        runtime="kserve-sklearnserver",
    )
    assert task.outputs["url"] == "http://bike.ml.example.com"
    assert task.outputs["manifest"].metadata["created"] is True
    live = kube.objects[ISVC_PATH]
    assert live["spec"]["predictor"]["model"]["runtime"] == "kserve-sklearnserver"
    assert live["status"]["conditions"][0] == {
        "type": "Ready",
        "status": "True",
        "lastTransitionTime": "2026-11-29T10:00:00Z",
    }


def test_deploy_model_fails_with_the_not_ready_reason(
    kfp_runner: None, kube: FakeApiServer, capfd: pytest.CaptureFixture[str]
) -> None:
    pending = {"type": "Ready", "status": "False", "reason": "RevisionMissing"}
    kube.roll_out(ISVC_PATH, ready_after=10_000, pending=pending)
    with pytest.raises(RuntimeError):
        deploy_model(
            model_uri="s3://models/bike", isvc_name="bike", namespace="ml", wait_timeout_seconds=1
        )
    logs = capfd.readouterr()
    assert "not Ready after 1 s: Ready=False (RevisionMissing)" in logs.out + logs.err


@dsl.pipeline
def baseline_pipeline(model: str, store: str, run_id: str) -> int:
    """Test helper: resolve -> profile -> record (kfp.local passes artifacts only in pipelines)."""
    resolved = resolve_baseline(model=model, store=store)
    profiled = profile_baseline(dataset=resolved.outputs["baseline"], columns=["hr", "temp"])
    return record_baseline(
        baseline=resolved.outputs["baseline"],
        profile=profiled.outputs["profile"],
        store=store,
        run_id=run_id,
        task="record-baseline",
    ).output


def test_record_baseline_records_the_profile(
    kfp_runner: None, tmp_path: Path, bike_years: tuple[Path, Path]
) -> None:
    store = f"sqlite://{tmp_path}/mlmd.sqlite"
    run = record_training_run(
        open_store(store), str(bike_years[0]), "s3://models/bike", {"rmse": 40.0}, "train", "r1"
    )
    recorded = baseline_pipeline(model="s3://models/bike", store=store, run_id="deploy-1")
    lineage = open_store(store).resolve(run.model_id)
    assert lineage.profile is not None
    assert lineage.profile.id == recorded.output
    assert lineage.profile.properties["row_count"] == 8645  # the 2011 hours
    again = baseline_pipeline(model="s3://models/bike", store=store, run_id="deploy-1")
    assert again.output == recorded.output  # a retried run records nothing twice


def test_record_baseline_without_run_id_fails(
    kfp_runner: None, tmp_path: Path, bike_years: tuple[Path, Path], capfd: Any
) -> None:
    store = f"sqlite://{tmp_path}/mlmd.sqlite"
    record_training_run(open_store(store), str(bike_years[0]), "s3://m/b", {}, "train", "r1")
    with pytest.raises(RuntimeError):
        baseline_pipeline(model="s3://m/b", store=store, run_id="")
    logs = capfd.readouterr()
    assert "run_id and task must be non-empty" in logs.out + logs.err


def test_schedule_monitoring_creates_one_recurring_run(
    kfp_runner: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KF_PIPELINES_SA_TOKEN_PATH", raising=False)
    assert schedule_monitoring().outputs["recurring_run_id"] == ""  # no pipeline id: nothing to do
    with KfpApiServer() as api:
        spec = "pipelineInfo:\n  name: monitor\nroot:\n  dag:\n    tasks: {}\n"
        _, pipeline = api.op_post_pipelines_upload(spec, {"display_name": "monitor"}, None)
        args = {
            "pipeline_id": pipeline["pipeline_id"],
            "model": "s3://models/bike",
            "model_name": "bike",
            "parameters": {"window_hours": 24},
            "cron": "0 * * * *",
            "kfp_host": api.url,
        }
        first = schedule_monitoring(**args).outputs["recurring_run_id"]
        again = schedule_monitoring(**args).outputs["recurring_run_id"]
    assert api.errors == []
    assert first == again and list(api.recurring_runs) == [first]
    recurring = api.recurring_runs[first]
    assert recurring["display_name"] == "driftline monitoring s3://models/bike"
    assert recurring["runtime_config"]["parameters"] == {
        "model_name": "bike",
        "window_hours": 24,
        "model": "s3://models/bike",
    }
    assert recurring["trigger"] == {"cron_schedule": {"cron": "0 0 * * * *"}}
