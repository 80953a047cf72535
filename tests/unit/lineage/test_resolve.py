"""Resolving models against a real MLMD (SQLite) seeded exactly as the KFP v2 backend writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftline.errors import InputError, LineageError
from driftline.lineage import resolve_baseline
from driftline.lineage.mlmd.kfp_records import record_training_run
from tests.unit.lineage.support import MODEL_URI, profile_document, seed_training


def test_kfp_shaped_records(store, trained):
    mlmd = store.mlmd
    [model] = mlmd.get_artifacts_by_id([trained.model_id])
    assert model.type == "system.Model" and not model.name and not model.external_id
    assert model.custom_properties["display_name"].string_value == "model"
    assert '"Provider":"minio"' in model.custom_properties["store_session_info"].string_value
    [run] = mlmd.get_contexts_by_id([trained.run_context_id])
    assert run.type == "system.PipelineRun" and run.name == "run-1"
    assert run.custom_properties["resource_name"].string_value == "run-resource"
    assert run.custom_properties["pipeline_root"].string_value.endswith("/bike-train/run-1")
    [parent] = mlmd.get_parent_contexts_by_context(run.id)
    assert parent.type == "system.Pipeline" and parent.name == "bike-train"
    events = mlmd.get_events_by_execution_ids([trained.execution_id])
    keys = sorted((e.type, e.path.steps[0].key) for e in events)  # 3 INPUT, 4 OUTPUT
    assert keys == [(3, "dataset"), (4, "executor-logs"), (4, "metrics"), (4, "model")]
    [train] = mlmd.get_executions_by_id([trained.execution_id])
    assert train.type == "system.ContainerExecution"
    assert train.custom_properties["task_name"].string_value == "train-model"
    root = mlmd.get_execution_by_type_and_name("system.DAGExecution", "run/run-1")
    assert train.custom_properties["parent_dag_id"].int_value == root.id
    attributed = {a.id for a in mlmd.get_artifacts_by_context(run.id)}
    assert trained.model_id in attributed and trained.metrics_id in attributed


def test_resolve_by_id_finds_training_run_dataset_and_metrics(store, trained):
    lineage = store.resolve(trained.model_id)
    assert lineage.training is not None and lineage.training.id == trained.execution_id
    assert lineage.dataset is not None and lineage.dataset.id == trained.dataset_ids["dataset"]
    assert lineage.dataset.uri == "minio://mlpipeline/data/bike/hour-1.csv"
    assert lineage.metrics == {"rmse": 40.0, "r2": 0.81}
    assert (lineage.pipeline_name, lineage.run_id) == ("bike-train", "run-1")
    assert lineage.profile is None


@pytest.mark.parametrize(
    "ref",
    [
        MODEL_URI.format(n=1),
        MODEL_URI.format(n=1).replace("minio://", "s3://"),
        MODEL_URI.format(n=1).replace("minio://", "s3://") + "/model.joblib",
        MODEL_URI.format(n=1) + "/",
    ],
)
def test_resolve_by_uri_and_kserve_alias(store, trained, ref):
    assert store.resolve(ref).model.id == trained.model_id


def test_resolve_by_inferenceservice_manifest(store, trained, tmp_path: Path):
    s3_uri = MODEL_URI.format(n=1).replace("minio://", "s3://")
    manifest = tmp_path / "isvc.yaml"
    manifest.write_text(
        "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\n"
        "metadata: {name: bike}\nspec:\n  predictor:\n    model:\n"
        f"      modelFormat: {{name: sklearn}}\n      storageUri: {s3_uri}\n"
    )
    assert store.resolve(f"isvc:{manifest}").model.id == trained.model_id
    assert store.resolve(str(manifest)).model.id == trained.model_id


def test_inferenceservice_manifest_errors(store, trained, tmp_path: Path):
    manifest = tmp_path / "svc.yaml"
    manifest.write_text("kind: Service\nmetadata: {name: x}\n")
    with pytest.raises(InputError, match=r"0 InferenceService"):
        store.resolve(f"isvc:{manifest}")
    with pytest.raises(InputError, match=r"neither a manifest file"):
        store.resolve("isvc:not-a-file")


def test_two_training_datasets_need_a_selector(store):
    run = seed_training(store, dataset_uri={"train": "s3://b/train.csv", "holdout": "s3://b/h.csv"})
    with pytest.raises(LineageError, match=r"trained on 2 datasets.*dataset_name"):
        store.resolve(run.model_id)
    chosen = store.resolve(run.model_id, dataset_name="train")
    assert chosen.dataset is not None and chosen.dataset.uri == "s3://b/train.csv"
    with pytest.raises(LineageError, match=r"valid: holdout"):
        store.resolve(run.model_id, dataset_name="nope")


def test_model_uri_registered_twice_is_an_error(store):
    seed_training(store, n=1, model_uri="s3://models/bike")
    seed_training(store, n=2, model_uri="s3://models/bike")
    with pytest.raises(LineageError, match=r"registered 2 times"):
        store.resolve("s3://models/bike")


def test_unknown_model_and_non_model(store, trained):
    with pytest.raises(LineageError, match=r"no artifact with MLMD id 999"):
        store.resolve(999)
    with pytest.raises(LineageError, match=r"is a system.Dataset, not a model"):
        store.resolve(trained.dataset_ids["dataset"])
    with pytest.raises(LineageError, match=r"no model artifact with URI s3://nowhere"):
        store.resolve("s3://nowhere/model")
    with pytest.raises(InputError, match=r"not a whole number"):
        store.resolve("id:abc")


def test_model_without_lineage_errors_until_a_profile_exists(store, tmp_path: Path):
    from ml_metadata.proto import metadata_store_pb2 as pb

    from driftline.lineage import record_baseline_profile
    from driftline.lineage.mlmd.types import TypeCache

    types = TypeCache(store.mlmd)
    [model_id] = store.mlmd.put_artifacts(
        [pb.Artifact(type_id=types.artifact("system.Model"), uri="s3://hand/model")]
    )
    with pytest.raises(LineageError, match=r"has no producer.*record_baseline_profile"):
        store.resolve(model_id)
    record_baseline_profile(
        store,
        model_id,
        "s3://hand/profile.json",
        profile_document(),
        run_id="deploy-1",
        task="profile",
    )
    lineage = store.resolve(model_id)
    assert lineage.training is None and lineage.profile is not None
    assert lineage.profile.uri == "s3://hand/profile.json"


def test_newest_profile_wins_and_resolve_baseline_dict(store, trained):
    from driftline.lineage import record_baseline_profile

    first = record_baseline_profile(
        store,
        trained.model_id,
        "s3://p/1.json",
        profile_document(10),
        run_id="deploy-1",
        task="profile",
    )
    second = record_baseline_profile(
        store,
        trained.model_id,
        "s3://p/2.json",
        profile_document(20),
        run_id="deploy-2",
        task="profile",
    )
    assert first != second
    found = resolve_baseline(store, trained.model_id)
    assert found["profile_id"] == second and found["profile_uri"] == "s3://p/2.json"
    assert found["dataset_uri"] == "minio://mlpipeline/data/bike/hour-1.csv"
    assert found["metrics"] == {"rmse": 40.0, "r2": 0.81}
    [profile] = store.mlmd.get_artifacts_by_id([second])
    assert profile.properties["row_count"].int_value == 20


def test_resolve_baseline_require(store):
    run = record_training_run(store, None, "s3://m/no-data", {"acc": 0.9}, "p", "r-9")
    with pytest.raises(LineageError, match=r"no training dataset or baseline profile"):
        resolve_baseline(store, run.model_id)
    with pytest.raises(InputError, match=r"require 'x'"):
        resolve_baseline(store, run.model_id, require="x")
