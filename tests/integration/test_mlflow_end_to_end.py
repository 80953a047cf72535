"""MLflow end to end: a real `mlflow server` delivers a real registry webhook to the receiver,
which schedules monitoring on the KFP API stand-in; a local monitor_window run resolves the
baseline through MLflow and writes its results back; a rerun duplicates nothing.

1. Train and register a model with its training dataset logged as an input.
2. Register the webhook, set the alias: the server signs and delivers the event.
3. The receiver creates the recurring run (idempotent by name) on the KFP API stand-in.
4. monitor_window (kfp.local) runs with the recurring run's own parameters.
5. MlflowClient reads the results: metrics at the window's step, artifacts, version tags.
6. The same window again: nothing is duplicated. Removing the alias disables the run.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from kfp import local

from driftline.demo.dataset import FEATURES, ID, PREDICTION, TARGET, TIMESTAMP, prepare
from driftline.events.config import ReceiverConfig
from driftline.events.journal import Journal
from driftline.events.server import Receiver
from driftline.lineage import open_store
from driftline.lineage.render import history_table, lineage_tree
from driftline.pipelines.scheduled_monitoring import monitor_window
from driftline.platforms.kfp.api import KfpApiClient
from driftline.platforms.kfp.uploads import read_package, resolve_package, upload_pipeline
from driftline.platforms.mlflow.monitoring import AliasMonitoring
from driftline.platforms.mlflow.webhooks import register_webhook
from tests.mlflow_models import log_training_run, register, unique
from tests.mlflow_server import MlflowServer, mlflow_server
from tests.pipelines.kfp_api_server import KfpApiServer

__all__ = ["mlflow_server"]
pytestmark = [pytest.mark.integration, pytest.mark.slow]
SECRET = "webhook-secret-for-tests"
WINDOW_END = "2012-07-01T00:00:00Z"
KFP_ENV = ("KF_PIPELINES_ENDPOINT", "KF_PIPELINES_SA_TOKEN_PATH", "KF_PIPELINES_UI_ENDPOINT")


def wait_for(what: str, check: Callable[[], Any], timeout: float = 120.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)


@pytest.fixture
def kfp(monkeypatch: pytest.MonkeyPatch) -> Iterator[KfpApiServer]:
    for name in KFP_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KF_PIPELINES_SA_TOKEN_PATH", "/nonexistent/token")
    with KfpApiServer() as server:
        yield server
    assert server.errors == [], server.errors


def test_alias_to_recurring_run_to_results_in_mlflow(
    mlflow_server: MlflowServer, kfp: KfpApiServer, tmp_path: Path
) -> None:
    client = mlflow_server.client()
    files = prepare(tmp_path / "data")
    # 1. train and register, the training data logged as the run's training input
    name = unique("bike-demand")
    run_id = log_training_run(
        client,
        unique("bike-training"),
        datasets={"bikes-2011": (files.training, "training")},
        metrics=files.training_metrics,
        params={"model": "gradient-boosting"},
    )
    version = register(client, name, run_id)
    client.set_model_version_tag(name, version, "driftline.source_uri", str(files.production))
    client.set_model_version_tag(name, version, "driftline.param.window_length", "28d")
    client.set_model_version_tag(name, version, "driftline.inference_service", "ml/bike-demand")

    api = KfpApiClient(host=kfp.url)
    uploaded = upload_pipeline(api, read_package(resolve_package("scheduled_monitoring")))
    settings = AliasMonitoring(
        store=mlflow_server.store,
        pipeline_id=uploaded.pipeline_id,
        alias="champion",
        cron="0 0 0 * * *",
        manifests_dir=str(tmp_path / "manifests"),  # no cluster: write the objects
        parameters={
            "timestamp_column": TIMESTAMP,
            "columns": [*FEATURES, PREDICTION],
            "prediction_column": PREDICTION,
            "id_column": ID,
            "labels_uri": str(files.labels),
            "label_column": TARGET,
            "task": "regression",
            "performance_window": "7d",
        },
    )
    config = ReceiverConfig(kfp=api, mlflow=settings, mlflow_secret=SECRET)
    journal = Journal(str(tmp_path / "journal"))
    with Receiver(config, journal, "127.0.0.1", 0) as receiver:
        # 2. the webhook, registered as the CLI command does; then the alias
        hook = register_webhook(client, f"{receiver.url}/mlflow", SECRET, name=unique("hook"))
        try:
            client.set_registered_model_alias(name, "champion", version)
            # 3. the real delivery reaches the receiver, which schedules monitoring
            display = f"driftline monitoring {name}@champion"
            recurring = wait_for(
                "the recurring run",
                lambda: [r for r in kfp.recurring_runs.values() if r["display_name"] == display],
            )
            tagged = wait_for(
                "the version's recurring-run tag",
                lambda: client.get_model_version(name, version).tags.get("driftline.recurring_run"),
            )
        finally:
            client.delete_webhook(hook["webhook_id"])
    [entry] = [e for e in journal.entries() if e.event["entity"] == "model_version_alias"]
    assert entry.state == "done" and entry.outcome["action"] == "created"
    [run] = recurring
    assert tagged == run["recurring_run_id"]
    assert run["status"] == "ENABLED"
    assert run["trigger"] == {"cron_schedule": {"cron": "0 0 0 * * *"}}
    parameters = run["runtime_config"]["parameters"]
    assert parameters["model"] == f"models:/{name}/{version}"  # the version, pinned
    assert parameters["store"] == mlflow_server.store
    assert parameters["source_uri"] == str(files.production)
    assert parameters["window_length"] == "28d"
    assert (parameters["namespace"], parameters["model_name"]) == ("ml", "bike-demand")
    assert entry.outcome["inference_service"]["name"] == "ml/bike-demand"
    assert any((tmp_path / "manifests").iterdir())  # the InferenceService's monitoring objects

    # 4. the scheduled pipeline's core, run locally with the recurring run's parameters
    local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=str(tmp_path / "root"))
    inputs = {**parameters, "model": f"models:/{name}@champion", "window_end": WINDOW_END}
    first = monitor_window(**inputs, run_id="scheduled-1")
    drift = json.loads(Path(first.outputs["drift_report"].path).read_text())
    performance = json.loads(Path(first.outputs["performance_report"].path).read_text())

    # 5. the results, read back with MlflowClient
    step = 1341100800  # 2012-07-01T00:00:00Z in Unix seconds
    assert first.outputs["monitoring_run_id"] == step
    share = client.get_metric_history(run_id, "production.drift_share")
    assert [(p.step, p.value) for p in share] == [(step, pytest.approx(drift["drift_share"]))]
    mae = client.get_metric_history(run_id, "production.mae")
    assert [p.value for p in mae] == [pytest.approx(performance["current"]["metrics"]["mae"])]
    assert client.get_run(run_id).data.metrics["mae"] == files.training_metrics["mae"]
    folder = "driftline/windows/20120701T000000Z"
    names = {Path(f.path).name for f in client.list_artifacts(run_id, folder)}
    reports = {f"{k}.{e}" for k in ("drift", "validation", "performance") for e in ("json", "html")}
    assert names == {*reports, "result.json"}
    tags = client.get_model_version(name, version).tags
    assert tags["driftline.last_window_end"] == "2012-07-01T00:00:00+00:00"
    assert "degraded" in tags["driftline.last_verdict"]  # 2012 demand outgrew the 2011 model

    # 6. the same window again: no second point, no second record
    monitor_window(**inputs, run_id="scheduled-2")
    for key in ("production.drift_share", "production.mae", "production.rows"):
        assert len(client.get_metric_history(run_id, key)) == 1, key
    store = open_store(mlflow_server.store)
    [record] = store.history(f"models:/{name}@champion")
    assert record.run_id == "scheduled-1"
    table = history_table([record])
    assert "2012-06-03" in table and f"{drift['drift_share']:.3f}" in table
    tree = lineage_tree(store.resolve(f"models:/{name}@champion"), [record])
    assert f"registered model {name} version {version}" in tree
    assert f"dataset bikes-2011 {files.training} (training" in tree and "(baseline)" in tree


def test_alias_removed_disables_the_recurring_run(
    mlflow_server: MlflowServer, kfp: KfpApiServer, tmp_path: Path
) -> None:
    client = mlflow_server.client()
    name = unique("churn")
    run_id = log_training_run(client, unique("churn-training"))
    version = register(client, name, run_id)
    client.set_model_version_tag(name, version, "driftline.source_uri", "s3://logs/churn/")
    api = KfpApiClient(host=kfp.url)
    uploaded = upload_pipeline(api, read_package(resolve_package("scheduled_monitoring")))
    settings = AliasMonitoring(store=mlflow_server.store, pipeline_id=uploaded.pipeline_id)
    config = ReceiverConfig(kfp=api, mlflow=settings, mlflow_secret=SECRET)
    with Receiver(config, Journal(str(tmp_path / "journal")), "127.0.0.1", 0) as receiver:
        hook = register_webhook(client, f"{receiver.url}/mlflow", SECRET, name=unique("hook"))
        try:
            client.set_registered_model_alias(name, "champion", version)
            [run] = wait_for("the recurring run", lambda: list(kfp.recurring_runs.values()))
            client.delete_registered_model_alias(name, "champion")
            wait_for("the run disabled", lambda: run["status"] == "DISABLED")
        finally:
            client.delete_webhook(hook["webhook_id"])
