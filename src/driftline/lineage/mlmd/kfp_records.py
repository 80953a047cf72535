"""Write a training run into MLMD exactly as the KFP v2 backend would.

Follows shared/reference/kfp-mlmd-records.md (KFP 2.5-2.17): schemaless `system.*` types,
`system.Pipeline` > `system.PipelineRun` contexts, a root `system.DAGExecution` named
`run/<run id>`, an importer execution per external dataset, a `system.ContainerExecution`
for the training task with INPUT events keyed by input name and OUTPUT events keyed by
output name (`model`, `metrics`, `executor-logs`), KFP's custom properties, and attributions
of every output artifact to both contexts. Used by the demo and as the test fixture.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from driftline.lineage.mlmd import types as t
from driftline.lineage.mlmd.values import set_value, struct_of

DEFAULT_PIPELINE_ROOT = "minio://mlpipeline/v2/artifacts"
MINIO_SESSION = {
    "Provider": "minio",
    "Params": {
        "accessKeyKey": "accesskey",
        "disableSSL": "true",
        "endpoint": "minio-service.kubeflow:9000",
        "fromEnv": "false",
        "region": "minio",
        "secretKeyKey": "secretkey",
        "secretName": "mlpipeline-minio-artifact",
    },
}


@dataclass(frozen=True)
class TrainingRun:
    """Ids of what `record_training_run` wrote."""

    model_id: int
    dataset_ids: dict[str, int]
    metrics_id: int | None
    execution_id: int
    run_context_id: int
    pipeline_context_id: int


def session_info(uri: str) -> str:
    """KFP's `store_session_info` JSON for an artifact at `uri`."""
    scheme = uri.split("://", 1)[0] if "://" in uri else "minio"
    if scheme == "minio":
        return json.dumps(MINIO_SESSION, separators=(",", ":"))
    return json.dumps({"Provider": scheme, "Params": {"fromEnv": "true"}}, separators=(",", ":"))


def record_training_run(
    store: Any,
    dataset_uri: str | Mapping[str, str] | None,
    model_uri: str,
    metrics: Mapping[str, float] | None,
    pipeline_name: str,
    run_id: str,
    *,
    task_name: str = "train-model",
    namespace: str = "kubeflow",
    pipeline_root: str = DEFAULT_PIPELINE_ROOT,
    model_metadata: Mapping[str, Any] | None = None,
) -> TrainingRun:
    """Record a KFP-v2-shaped training run: datasets (imported) -> training task -> model + metrics.

    `dataset_uri` is one URI (input name `dataset`) or {input name: URI}; `store` is a
    `MlmdLineageStore`, a raw MLMD `MetadataStore` or a store URI.
    """
    from ml_metadata.proto import metadata_store_pb2 as pb

    from driftline.lineage.mlmd.backend import raw_store

    mlmd = raw_store(store)
    types = t.TypeCache(mlmd)
    run_root = f"{pipeline_root}/{pipeline_name}/{run_id}"
    datasets = {"dataset": dataset_uri} if isinstance(dataset_uri, str) else dict(dataset_uri or {})

    pipeline_ctx = pb.Context(type_id=types.context(t.PIPELINE), name=pipeline_name)
    run_ctx = pb.Context(type_id=types.context(t.PIPELINE_RUN), name=run_id)
    _custom(
        run_ctx,
        namespace=namespace,
        resource_name="run-resource",
        pipeline_root=run_root,
        store_session_info=session_info(run_root),
    )
    pipeline_id = _existing(mlmd, t.PIPELINE, pipeline_name)
    if pipeline_id is None:
        [pipeline_id] = mlmd.put_contexts([pipeline_ctx])
    [run_ctx_id] = mlmd.put_contexts([run_ctx])
    mlmd.put_parent_contexts([pb.ParentContext(child_id=run_ctx_id, parent_id=pipeline_id)])
    contexts = [mlmd.get_contexts_by_id([pipeline_id])[0], mlmd.get_contexts_by_id([run_ctx_id])[0]]

    params = {"pipeline_root": pipeline_root, "model_uri": model_uri}
    root = pb.Execution(
        type_id=types.execution(t.DAG_EXECUTION),
        name=f"run/{run_id}",
        last_known_state=pb.Execution.RUNNING,
    )
    _custom(root, display_name="", task_name="", total_dag_tasks=1 + len(datasets))
    root.custom_properties["inputs"].struct_value.CopyFrom(struct_of(params))
    root_id, _, _ = mlmd.put_execution(root, [], contexts)

    dataset_ids: dict[str, int] = {}
    for input_name, uri in datasets.items():
        importer = pb.Execution(
            type_id=types.execution(t.IMPORTER_EXECUTION), last_known_state=pb.Execution.COMPLETE
        )
        _custom(importer, display_name=f"importer-{input_name}", task_name=f"importer-{input_name}")
        importer.custom_properties["parent_dag_id"].int_value = root_id
        artifact = pb.Artifact(type_id=types.artifact(t.DATASET), uri=uri, state=pb.Artifact.LIVE)
        _custom(
            artifact,
            store_session_info=json.dumps(
                {
                    "Provider": uri.split("://", 1)[0] if "://" in uri else "file",
                    "Params": {"fromEnv": "true"},
                },
                separators=(",", ":"),
            ),
        )
        _, [dataset_id], _ = mlmd.put_execution(
            importer, [(artifact, _event(pb.Event.OUTPUT, "artifact"))], contexts
        )
        dataset_ids[input_name] = dataset_id

    # Driver: the training task starts RUNNING with its INPUT events and empty pod fields.
    train = pb.Execution(
        type_id=types.execution(t.CONTAINER_EXECUTION), last_known_state=pb.Execution.RUNNING
    )
    _custom(
        train,
        display_name=task_name,
        task_name=task_name,
        pod_name="",
        pod_uid="",
        namespace="",
        image="",
        cache_fingerprint=uuid.uuid4().hex,
    )
    train.custom_properties["parent_dag_id"].int_value = root_id
    train.custom_properties["inputs"].struct_value.CopyFrom(struct_of({}))
    inputs = [
        (mlmd.get_artifacts_by_id([aid])[0], _event(pb.Event.INPUT, name))
        for name, aid in dataset_ids.items()
    ]
    train_id, _, _ = mlmd.put_execution(train, inputs, contexts)

    # Launcher: pre-publish fills the pod fields, publish writes the outputs and COMPLETE.
    [train] = mlmd.get_executions_by_id([train_id])
    pod = f"{pipeline_name}-{run_id[:8]}-{abs(hash(task_name)) % 10**10}"
    _custom(train, pod_name=pod, pod_uid=str(uuid.uuid4()), namespace=namespace)
    train.custom_properties["outputs"].struct_value.CopyFrom(struct_of({}))
    train.last_known_state = pb.Execution.COMPLETE
    task_root = f"{run_root}/{task_name}/{uuid.uuid4()}"
    model = pb.Artifact(type_id=types.artifact(t.MODEL), uri=model_uri, state=pb.Artifact.LIVE)
    _custom(
        model,
        display_name="model",
        store_session_info=session_info(model_uri),
        **dict(model_metadata or {}),
    )
    outputs = [(model, _event(pb.Event.OUTPUT, "model"))]
    if metrics:
        metric_artifact = pb.Artifact(
            type_id=types.artifact(t.METRICS), uri=f"{task_root}/metrics", state=pb.Artifact.LIVE
        )
        _custom(
            metric_artifact,
            **dict(metrics),
            display_name="metrics",
            store_session_info=session_info(task_root),
        )
        outputs.append((metric_artifact, _event(pb.Event.OUTPUT, "metrics")))
    logs = pb.Artifact(
        type_id=types.artifact(t.ARTIFACT), uri=f"{task_root}/executor-logs", state=pb.Artifact.LIVE
    )
    _custom(logs, display_name="executor-logs", store_session_info=session_info(task_root))
    outputs.append((logs, _event(pb.Event.OUTPUT, "executor-logs")))
    _, output_ids, _ = mlmd.put_execution(train, outputs, contexts)

    [root] = mlmd.get_executions_by_id([root_id])
    root.last_known_state = pb.Execution.COMPLETE
    mlmd.put_executions([root])
    return TrainingRun(
        model_id=output_ids[0],
        dataset_ids=dataset_ids,
        metrics_id=output_ids[1] if metrics else None,
        execution_id=train_id,
        run_context_id=run_ctx_id,
        pipeline_context_id=pipeline_id,
    )


def _existing(mlmd: Any, type_name: str, name: str) -> int | None:
    found = mlmd.get_context_by_type_and_name(type_name, name)
    return int(found.id) if found is not None else None


def _custom(node: Any, **values: Any) -> None:
    for key, value in values.items():
        set_value(node.custom_properties[key], value)


def _event(kind: int, key: str) -> Any:
    from ml_metadata.proto import metadata_store_pb2 as pb

    event = pb.Event(type=kind)
    event.path.steps.add().key = key
    return event
