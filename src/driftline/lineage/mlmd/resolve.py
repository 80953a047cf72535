"""Read a model's lineage from MLMD: model -> training execution -> datasets, metrics, profile."""

from __future__ import annotations

import os
from typing import Any

from driftline.errors import LineageError
from driftline.lineage import kserve
from driftline.lineage.mlmd import types as t
from driftline.lineage.mlmd.values import as_dict
from driftline.lineage.records import (
    ArtifactRecord,
    ExecutionRecord,
    ModelLineage,
    ModelRef,
    parse_model_ref,
)

SKIP_METRIC_KEYS = {"display_name", "store_session_info"}
URI_PARENT_LEVELS = 2  # a KServe storageUri may name a file inside the model folder


def artifact_record(artifact: Any, name: str = "") -> ArtifactRecord:
    """An `ArtifactRecord` of an MLMD artifact (properties and custom properties merged)."""
    props = {**as_dict(artifact.custom_properties), **as_dict(artifact.properties)}
    return ArtifactRecord(
        id=artifact.id,
        type=artifact.type,
        uri=artifact.uri,
        name=name or str(props.get("display_name", "")),
        properties=props,
        created_ms=artifact.create_time_since_epoch,
    )


def execution_record(execution: Any) -> ExecutionRecord:
    """An `ExecutionRecord` of an MLMD execution."""
    from ml_metadata.proto import metadata_store_pb2 as pb

    props = {**as_dict(execution.custom_properties), **as_dict(execution.properties)}
    return ExecutionRecord(
        id=execution.id,
        type=execution.type,
        name=execution.name,
        state=pb.Execution.State.Name(execution.last_known_state),
        properties=props,
    )


def find_model(mlmd: Any, ref: ModelRef | str | int) -> Any:
    """The one MLMD model artifact `ref` names, or a `LineageError` saying why not."""
    ref = parse_model_ref(ref)
    if ref.kind == "id":
        found = mlmd.get_artifacts_by_id([int(ref.value)])
        if not found:
            raise LineageError(f"no artifact with MLMD id {ref.value} in the lineage store")
        if not _is_model(found[0]):
            raise LineageError(f"artifact {ref.value} is a {found[0].type}, not a model")
        return found[0]
    uri = kserve.storage_uri(ref.value) if ref.kind == "isvc" else ref.value
    tried: list[str] = []
    for candidate in _uri_candidates(uri):
        tried.append(candidate)
        models = [a for a in mlmd.get_artifacts_by_uri(candidate) if _is_model(a)]
        if models:
            return _one_model(mlmd, candidate, models)
    raise LineageError(
        f"no model artifact with URI {uri} in the lineage store "
        f"(tried {', '.join(tried)}); pass the MLMD artifact id instead"
    )


def resolve(
    mlmd: Any, ref: ModelRef | str | int, *, dataset_name: str | None = None
) -> ModelLineage:
    """The lineage of a model; see `ModelLineage`. Ambiguity is an error, never a silent pick."""
    model = find_model(mlmd, ref)
    producer = _producer(mlmd, model)
    profile = latest_profile(mlmd, model.id)
    if producer is None or producer.type == t.IMPORTER_EXECUTION:
        if profile is None:
            how = "was imported (dsl.importer)" if producer is not None else "has no producer"
            raise LineageError(
                f"model {model.id} ({model.uri}) {how}: no training run, no training data and "
                "no recorded baseline profile; record one with record_baseline_profile"
            )
        return ModelLineage(model=artifact_record(model, "model"), profile=profile)
    events = mlmd.get_events_by_execution_ids([producer.id])
    keys = {(e.artifact_id, e.type): _key(e) for e in events}
    ids = sorted({e.artifact_id for e in events})
    artifacts = {a.id: a for a in mlmd.get_artifacts_by_id(ids)} if ids else {}
    inputs = [
        artifact_record(artifacts[aid], keys[(aid, kind)])
        for (aid, kind) in keys
        if kind == _event_type("INPUT") and aid in artifacts
    ]
    outputs = [
        artifact_record(artifacts[aid], keys[(aid, kind)])
        for (aid, kind) in keys
        if kind == _event_type("OUTPUT") and aid in artifacts
    ]
    datasets = tuple(sorted((a for a in inputs if a.type == t.DATASET), key=lambda a: a.name))
    metrics_artifacts = tuple(a for a in outputs if a.type in t.METRICS_TYPES)
    pipeline_name, run_id = _run_of(mlmd, producer.id)
    return ModelLineage(
        model=artifact_record(model, keys.get((model.id, _event_type("OUTPUT")), "")),
        training=execution_record(producer),
        pipeline_name=pipeline_name,
        run_id=run_id,
        datasets=datasets,
        dataset=choose_dataset(model.id, datasets, dataset_name),
        metrics=_metrics(metrics_artifacts),
        metrics_artifacts=metrics_artifacts,
        profile=profile,
    )


def choose_dataset(
    model_id: int, datasets: tuple[ArtifactRecord, ...], selector: str | None
) -> ArtifactRecord | None:
    """The baseline dataset: the only one, or the one `selector` names (input name/display name)."""
    names = ", ".join(f"{d.name or '?'} (id {d.id})" for d in datasets)
    if selector:
        chosen = [
            d for d in datasets if selector in (d.name, d.properties.get("display_name"), str(d.id))
        ]
        if len(chosen) != 1:
            raise LineageError(
                f"`dataset_name` {selector!r} matches {len(chosen)} of the training "
                f"inputs of model {model_id}; valid: {names or 'none'}"
            )
        return chosen[0]
    if len(datasets) > 1:
        raise LineageError(
            f"model {model_id} was trained on {len(datasets)} datasets ({names}); "
            "choose the baseline with `dataset_name`"
        )
    return datasets[0] if datasets else None


def monitored_model_context(mlmd: Any, model_id: int) -> Any:
    """The `driftline.MonitoredModel` context of a model, or None."""
    return mlmd.get_context_by_type_and_name(t.MONITORED_MODEL, context_name(model_id))


def context_name(model_id: int) -> str:
    """The name (and external id) of a model's `driftline.MonitoredModel` context."""
    return f"driftline:model:{model_id}"


def latest_profile(mlmd: Any, model_id: int) -> ArtifactRecord | None:
    """The newest baseline profile recorded for the model (rule: latest create time, then id)."""
    from ml_metadata.metadata_store import metadata_store as ms

    context = monitored_model_context(mlmd, model_id)
    if context is None:
        return None
    options = ms.ListOptions(
        limit=1,
        order_by=ms.OrderByField.CREATE_TIME,
        is_asc=False,
        filter_query=f"type = '{t.BASELINE_PROFILE}'",
    )
    found = mlmd.get_artifacts_by_context(context.id, list_options=options)
    return artifact_record(found[0], "profile") if found else None


def _producer(mlmd: Any, model: Any) -> Any:
    """The execution that produced the model; KFP's cached re-uses (state CACHED) are skipped."""
    outputs = [
        e.execution_id
        for e in mlmd.get_events_by_artifact_ids([model.id])
        if e.type == _event_type("OUTPUT")
    ]
    if not outputs:
        return None
    executions = mlmd.get_executions_by_id(sorted(set(outputs)))
    original = [e for e in executions if e.last_known_state != _state("CACHED")]
    if len(original) > 1:
        ids = ", ".join(str(e.id) for e in original)
        raise LineageError(f"model {model.id} has {len(original)} producing executions ({ids})")
    return (original or executions)[0]


def _one_model(mlmd: Any, uri: str, models: list[Any]) -> Any:
    """Rule for a URI registered more than once: copies made by `dsl.importer` are aliases of
    the one artifact a training task produced; anything else is ambiguous."""
    if len(models) == 1:
        return models[0]
    trained = [
        m
        for m in models
        if (p := _producer(mlmd, m)) is not None and p.type != t.IMPORTER_EXECUTION
    ]
    if len(trained) == 1:
        return trained[0]
    ids = ", ".join(str(m.id) for m in models)
    raise LineageError(
        f"model URI {uri} is registered {len(models)} times (artifact ids {ids}); "
        "pass the MLMD artifact id of the one to monitor"
    )


def _uri_candidates(uri: str) -> list[str]:
    variants = kserve.uri_variants(uri.rstrip("/"))
    out = list(variants)
    for variant in variants:
        head = variant
        for _ in range(URI_PARENT_LEVELS):
            parent = os.path.dirname(head)
            if parent.endswith(":/") or (parent.count("/") < 3 and "://" in parent) or not parent:
                break
            out.append(parent)
            head = parent
    return list(dict.fromkeys(out))


def _run_of(mlmd: Any, execution_id: int) -> tuple[str | None, str | None]:
    pipeline = run = None
    for context in mlmd.get_contexts_by_execution(execution_id):
        if context.type == t.PIPELINE:
            pipeline = context.name
        elif context.type == t.PIPELINE_RUN:
            run = context.name
    return pipeline, run


def _metrics(artifacts: tuple[ArtifactRecord, ...]) -> dict[str, float]:
    """Scalar metrics of the training run's metrics outputs; a name two outputs share with
    different values is kept as `<output>.<name>` for both."""
    seen: dict[str, list[tuple[str, float]]] = {}
    for artifact in artifacts:
        for key, value in artifact.properties.items():
            if key in SKIP_METRIC_KEYS or isinstance(value, bool | str | dict | list):
                continue
            if isinstance(value, int | float):
                seen.setdefault(key, []).append((artifact.name, float(value)))
    metrics: dict[str, float] = {}
    for key, values in seen.items():
        if len({v for _, v in values}) == 1:
            metrics[key] = values[0][1]
        else:
            metrics.update({f"{name}.{key}": value for name, value in values})
    return metrics


def _key(event: Any) -> str:
    return event.path.steps[0].key if event.path.steps else ""


def _is_model(artifact: Any) -> bool:
    return bool(artifact.type.endswith("Model"))


def _event_type(name: str) -> int:
    from ml_metadata.proto import metadata_store_pb2 as pb

    return int(pb.Event.Type.Value(name))


def _state(name: str) -> int:
    from ml_metadata.proto import metadata_store_pb2 as pb

    return int(pb.Execution.State.Value(name))
