"""The MLflow lineage store against a real `mlflow server` (SQLite backend, local artifacts):
model references, baseline rules, results back to the source run, idempotent retries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from driftline.errors import InputError, LineageError
from driftline.lineage import open_store, record_monitoring_result, resolve_baseline
from driftline.lineage.api import record_baseline_profile
from driftline.lineage.mlflow import results
from driftline.lineage.summaries import summarize_report
from tests.mlflow_models import log_training_run, register, unique
from tests.mlflow_server import MlflowServer, mlflow_server
from tests.unit.lineage.support import (
    drift_report,
    performance_report,
    profile_document,
    validation_report,
    write_json,
)

__all__ = ["mlflow_server"]
pytestmark = pytest.mark.integration
WINDOW_END = "2012-07-01T00:00:00+00:00"


@pytest.fixture
def data(tmp_path: Path) -> dict[str, Path]:
    found = {}
    for name in ("train", "extra", "holdout"):
        path = tmp_path / f"{name}.csv"
        path.write_text("x,y\n1,2\n3,4\n")
        found[name] = path
    return found


@pytest.fixture
def model(mlflow_server: MlflowServer, data: dict[str, Path]) -> dict[str, Any]:
    """A registered model whose version 1 (alias champion) was trained on train.csv."""
    client = mlflow_server.client()
    name = unique("fraud")
    run_id = log_training_run(
        client,
        unique("fraud-training"),
        datasets={"train": (data["train"], "training"), "holdout": (data["holdout"], "eval")},
        metrics={"rmse": 41.0, "r2": 0.9},
        params={"max_depth": "6"},
    )
    version = register(client, name, run_id, alias="champion")
    return {"name": name, "run_id": run_id, "version": version, "client": client}


def test_alias_resolves_to_the_source_runs_training_data_and_metrics(
    mlflow_server: MlflowServer, model: dict[str, Any], data: dict[str, Path]
) -> None:
    found = resolve_baseline(mlflow_server.store, f"models:/{model['name']}@champion")
    assert found["dataset_uri"] == str(data["train"])  # not the eval input
    assert found["dataset_name"] == "train"
    assert found["metrics"] == {"rmse": 41.0, "r2": 0.9}
    assert found["model_uri"] == f"models:/{model['name']}/1"  # the alias, pinned
    assert found["training_run_id"] == model["run_id"]
    by_version = open_store(mlflow_server.store).resolve(f"models:/{model['name']}/1")
    by_run = open_store(mlflow_server.store).resolve(f"runs:/{model['run_id']}/model")
    assert by_version.dataset == by_run.dataset
    assert by_version.training is not None
    assert by_version.training.properties["params"] == {"max_depth": "6"}
    assert by_version.model.properties["aliases"] == ["champion"]


def test_several_or_no_training_datasets_follow_the_rules(
    mlflow_server: MlflowServer, data: dict[str, Path]
) -> None:
    client = mlflow_server.client()
    two = log_training_run(
        client,
        unique("two"),
        datasets={"train": (data["train"], "training"), "extra": (data["extra"], "training")},
    )
    name = unique("two-datasets")
    register(client, name, two)
    with pytest.raises(LineageError, match=r"2 training dataset inputs .*train.*extra"):
        resolve_baseline(mlflow_server.store, f"models:/{name}/1")
    chosen = resolve_baseline(mlflow_server.store, f"models:/{name}/1", dataset_name="extra")
    assert chosen["dataset_uri"] == str(data["extra"])
    with pytest.raises(LineageError, match="dataset_name 'nope' matches 0"):
        resolve_baseline(mlflow_server.store, f"models:/{name}/1", dataset_name="nope")

    untagged = log_training_run(client, unique("untagged"), datasets={"u": (data["train"], "")})
    assert resolve_baseline(mlflow_server.store, f"runs:/{untagged}/m")["dataset_name"] == "u"

    none = log_training_run(client, unique("none"), datasets={"h": (data["holdout"], "eval")})
    with pytest.raises(LineageError, match="no training dataset or baseline profile"):
        resolve_baseline(mlflow_server.store, f"runs:/{none}/m")


def test_missing_models_and_bad_references_are_one_clear_error(
    mlflow_server: MlflowServer, model: dict[str, Any]
) -> None:
    store = open_store(mlflow_server.store)
    with pytest.raises(LineageError, match="alias 'nope' of model"):
        store.resolve(f"models:/{model['name']}@nope")
    with pytest.raises(LineageError, match="version 9 of model"):
        store.resolve(f"models:/{model['name']}/9")
    with pytest.raises(InputError, match="models:/NAME@ALIAS, models:/NAME/VERSION"):
        store.resolve("fraud-latest")


def _reports(tmp_path: Path, share: float = 0.5) -> list[str]:
    return [
        write_json(tmp_path / "drift.json", drift_report(share)),
        write_json(tmp_path / "validation.json", validation_report("warning", warnings=1)),
        write_json(tmp_path / "performance.json", performance_report(True, rmse=55.0)),
    ]


def test_results_go_back_to_the_source_run_once(
    mlflow_server: MlflowServer, model: dict[str, Any], tmp_path: Path
) -> None:
    client, run_id, ref = model["client"], model["run_id"], f"models:/{model['name']}@champion"
    reports = _reports(tmp_path)
    kwargs = {"window_start": "2012-06-03T00:00:00+00:00", "window_end": WINDOW_END}
    step = record_monitoring_result(
        mlflow_server.store, ref, reports, run_id="kfp-1", task="t", **kwargs
    )
    assert step == 1341100800  # 2012-07-01T00:00:00Z
    again = record_monitoring_result(
        mlflow_server.store, ref, reports, run_id="kfp-2", task="t", **kwargs
    )
    assert again == step

    history = client.get_metric_history(run_id, "production.drift_share")
    assert [(p.step, p.value) for p in history] == [(step, 0.5)]
    assert [(p.step, p.value) for p in client.get_metric_history(run_id, "production.rmse")] == [
        (step, 55.0)
    ]
    assert client.get_metric_history(run_id, "production.performance_degraded")[0].value == 1.0
    assert client.get_run(run_id).data.metrics["rmse"] == 41.0  # training metric untouched
    folder = "driftline/windows/20120701T000000Z"
    files = {Path(f.path).name for f in client.list_artifacts(run_id, folder)}
    assert files == {"drift.json", "validation.json", "performance.json", "result.json"}
    tags = client.get_model_version(model["name"], "1").tags
    assert tags["driftline.last_window_end"] == WINDOW_END
    assert tags["driftline.last_verdict"] == "drift,degraded"
    # training metrics stay the performance baseline: production.* never leak into it
    assert resolve_baseline(mlflow_server.store, ref)["metrics"] == {"rmse": 41.0, "r2": 0.9}

    [record] = open_store(mlflow_server.store).history(ref)
    assert record.run_id == "kfp-1" and record.window_end == WINDOW_END
    assert record.drift_share == 0.5 and record.validation_status == "warning"
    assert record.performance == {"rmse": 55.0}


def test_a_retry_after_a_crash_completes_without_duplicates(
    mlflow_server: MlflowServer, model: dict[str, Any], tmp_path: Path
) -> None:
    client, run_id, ref = model["client"], model["run_id"], f"models:/{model['name']}/1"
    summaries = [summarize_report(p) for p in _reports(tmp_path, share=0.25)]
    step = results.window_step(WINDOW_END)
    # The first attempt died after logging two of the metric points (no result.json yet).
    partial = results.production_metrics(summaries)
    partial = {k: partial[k] for k in ("production.drift_share", "production.rows")}
    results._log_new_points(client, mlflow_server.store, run_id, partial, step)
    assert open_store(mlflow_server.store).history(ref) == []  # not a result yet
    record_monitoring_result(
        mlflow_server.store, ref, _reports(tmp_path, 0.25), run_id="r", task="t",
        window_end=WINDOW_END,
    )  # fmt: skip
    for key in results.production_metrics(summaries):
        assert [p.step for p in client.get_metric_history(run_id, key)] == [step], key
    assert len(open_store(mlflow_server.store).history(ref)) == 1


def test_an_older_window_does_not_overwrite_the_latest_verdict(
    mlflow_server: MlflowServer, model: dict[str, Any], tmp_path: Path
) -> None:
    ref = f"models:/{model['name']}/1"
    record_monitoring_result(
        mlflow_server.store, ref, _reports(tmp_path, 0.25), run_id="a", task="t",
        window_end=WINDOW_END,
    )  # fmt: skip
    record_monitoring_result(
        mlflow_server.store, ref, _reports(tmp_path, 0.75), run_id="b", task="t",
        window_end="2012-06-01T00:00:00+00:00",
    )  # fmt: skip
    tags = model["client"].get_model_version(model["name"], "1").tags
    assert tags["driftline.last_window_end"] == WINDOW_END
    assert tags["driftline.last_drift_share"] == "0.2500"
    windows = [r.window_end for r in open_store(mlflow_server.store).history(ref)]
    assert windows == ["2012-06-01T00:00:00+00:00", WINDOW_END]
    assert open_store(mlflow_server.store).history(ref, limit=1)[0].window_end == WINDOW_END


def test_a_recorded_baseline_profile_is_reused(
    mlflow_server: MlflowServer, model: dict[str, Any], tmp_path: Path
) -> None:
    ref = f"models:/{model['name']}@champion"
    path = write_json(tmp_path / "profile.json", profile_document(rows=1234))
    record_baseline_profile(mlflow_server.store, ref, path, path, run_id="d", task="t")
    found = resolve_baseline(mlflow_server.store, ref, require="profile")
    assert found["profile_uri"] == str(Path(path).resolve())
    files = model["client"].list_artifacts(model["run_id"], "driftline/baseline")
    assert [Path(f.path).name for f in files] == ["profile.json"]
