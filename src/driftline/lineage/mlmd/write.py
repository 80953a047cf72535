"""Write monitoring results and baseline profiles to MLMD, each as one atomic lineage subgraph.

Every written node has an external_id derived from (pipeline run id, task name), so a retried
task finds its earlier write and writes nothing; concurrent writers of *different* runs share
the model's `driftline.MonitoredModel` context through `reuse_context_if_already_exist`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from driftline.errors import InputError, LineageError
from driftline.lineage.mlmd import types as t
from driftline.lineage.mlmd.resolve import context_name, find_model
from driftline.lineage.mlmd.values import set_property, set_value
from driftline.lineage.records import ModelRef
from driftline.lineage.summaries import ReportSummary

HEADLINE_OF_RUN = {
    "validation": {"status": "validation_status"},
    "drift": {
        "drift_detected": "drift_detected",
        "drift_share": "drift_share",
        "drifted_columns": "drifted_columns",
    },
    "performance": {
        "degraded": "performance_degraded",
        "current_window_start": "performance_window_start",
        "current_window_end": "performance_window_end",
    },
}


@dataclass(frozen=True)
class Subgraph:
    """One write: nodes plus (execution index, artifact index or id, event) edges."""

    execution: Any
    artifacts: list[Any]
    linked: list[tuple[int, Any]]  # (existing artifact id, event)
    contexts: list[Any]


def record_monitoring_result(
    mlmd: Any,
    model: ModelRef | str | int,
    reports: Sequence[ReportSummary],
    *,
    run_id: str,
    task: str,
    baseline_ids: Sequence[int] = (),
    window_uri: str | None = None,
    window_start: str | None = None,
    window_end: str | None = None,
    pages: Mapping[str, str] | None = None,
) -> int:
    """Record one monitoring run; returns its `driftline.MonitoringRun` execution id.

    `pages` (the reports' HTML) are not recorded: KFP's launcher records those artifacts."""
    del pages

    external_id = _external_id(run_id, task)
    done = _existing_execution(mlmd, external_id)
    if done is not None:
        return done
    if not reports:
        raise InputError(
            "no report to record; give at least one of validation, drift, performance",
            param="reports",
        )
    kinds = [r.kind for r in reports]
    if len(set(kinds)) != len(kinds) or "profile" in kinds:
        raise InputError(
            f"reports must be at most one each of validation, drift, performance; "
            f"got {', '.join(kinds)}",
            param="reports",
        )
    model_artifact = find_model(mlmd, model)
    _check_ids(mlmd, baseline_ids)
    perf = next((r.headline for r in reports if r.kind == "performance"), {})
    window_start = window_start or perf.get("window_start") or ""
    window_end = window_end or perf.get("window_end") or ""
    types = t.TypeCache(mlmd)
    common = {
        "run_id": run_id,
        "task": task,
        "model_id": model_artifact.id,
        "window_start": window_start,
        "window_end": window_end,
    }

    graph, run_context = _run_graph(
        mlmd, types, t.MONITORING_RUN, external_id, common, model_artifact
    )
    execution = graph.execution
    for report in reports:
        for key, prop in HEADLINE_OF_RUN.get(report.kind, {}).items():
            set_property(execution.properties[prop], report.headline[key])
        for name, value in report.custom.items():  # e.g. multivariate drift verdicts
            set_value(execution.custom_properties[name], value)
    if perf:  # the current performance (the newest judged window's metrics)
        execution.properties["performance"].string_value = json.dumps(perf["metrics"])
    graph.linked.extend((i, _event("INPUT", "baseline")) for i in baseline_ids)
    if window_uri:
        _add(
            mlmd,
            graph,
            types,
            t.DATASET,
            window_uri,
            "window",
            "INPUT",
            run_context,
            f"{external_id}:window",
            {"window_start": window_start, "window_end": window_end},
            custom=True,
        )
    for report in reports:
        headline = {k: v for k, v in report.headline.items() if k != "metrics"}
        if report.kind == "performance":
            headline = {
                **headline,
                "task_type": headline.pop("task_type"),
                "metrics": json.dumps(perf["metrics"]),
            }
        _add(
            mlmd,
            graph,
            types,
            t.REPORT_TYPES[report.kind],
            report.uri,
            f"{report.kind}_report",
            "OUTPUT",
            run_context,
            f"{external_id}:{report.kind}",
            {**common, **headline},
            extra=report.custom,
        )
    return _put(mlmd, graph, external_id)


def record_baseline_profile(
    mlmd: Any,
    model: ModelRef | str | int,
    profile: ReportSummary,
    *,
    run_id: str,
    task: str,
    dataset_ids: Sequence[int] = (),
) -> int:
    """Record a baseline profile of the model (INPUT model + data, OUTPUT profile); returns the
    profile's artifact id. `resolve` then finds it as the model's newest profile."""
    from ml_metadata.proto import metadata_store_pb2 as pb

    if profile.kind != "profile":
        raise InputError(
            f"{profile.path} is a {profile.kind} report, not a profile", param="profile"
        )
    external_id = _external_id(run_id, task)
    model_artifact = find_model(mlmd, model)
    done = _existing_execution(mlmd, external_id)
    if done is None:
        _check_ids(mlmd, dataset_ids)
        types = t.TypeCache(mlmd)
        common = {"run_id": run_id, "task": task, "model_id": model_artifact.id}
        graph, _ = _run_graph(mlmd, types, t.BASELINE_RUN, external_id, common, model_artifact)
        graph.linked.extend((i, _event("INPUT", "dataset")) for i in dataset_ids)
        artifact = pb.Artifact(
            type_id=types.artifact(t.BASELINE_PROFILE),
            uri=profile.uri,
            external_id=f"{external_id}:profile",
            state=pb.Artifact.LIVE,
        )
        _props(artifact, {**common, **profile.headline})
        graph.artifacts.append((artifact, _event("OUTPUT", "profile")))
        _put(mlmd, graph, external_id)
    from ml_metadata import errors as mlmd_errors

    try:
        found = mlmd.get_artifacts_by_external_ids([f"{external_id}:profile"])
    except mlmd_errors.NotFoundError:
        found = []
    if not found:
        raise LineageError(f"run {run_id}/{task} is recorded, but wrote no baseline profile")
    return int(found[0].id)


def _run_graph(
    mlmd: Any,
    types: t.TypeCache,
    execution_type: str,
    external_id: str,
    common: dict[str, Any],
    model: Any,
) -> tuple[Subgraph, Any]:
    """A completed execution reading `model`, in the model's context and, when KFP recorded
    the pipeline run (`common["run_id"]`), in that run's context, which is also returned."""
    from ml_metadata.proto import metadata_store_pb2 as pb

    execution = pb.Execution(
        type_id=types.execution(execution_type),
        external_id=external_id,
        last_known_state=pb.Execution.COMPLETE,
    )
    _props(execution, common)
    graph = Subgraph(
        execution,
        [],
        [(model.id, _event("INPUT", "model"))],
        [_model_context(types, model)],
    )
    run_context = mlmd.get_context_by_type_and_name(t.PIPELINE_RUN, common["run_id"])
    if run_context is not None:
        graph.contexts.append(pb.Context(type_id=run_context.type_id, name=run_context.name))
    return graph, run_context


def _add(
    mlmd: Any,
    graph: Subgraph,
    types: t.TypeCache,
    type_name: str,
    uri: str,
    key: str,
    direction: str,
    run_context: Any,
    external_id: str,
    values: dict[str, Any],
    custom: bool = False,
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Add an artifact: link the one KFP already recorded for this run (same URI), else create
    it with `values` (as declared properties, or custom ones if `custom`) and `extra` (custom)."""
    from ml_metadata.proto import metadata_store_pb2 as pb

    if run_context is not None:
        for existing in mlmd.get_artifacts_by_uri(uri):
            same_run = {c.id for c in mlmd.get_contexts_by_artifact(existing.id)}
            if run_context.id in same_run and not existing.external_id.startswith("driftline:"):
                graph.linked.append((existing.id, _event(direction, key)))
                return
    artifact = pb.Artifact(
        type_id=types.artifact(type_name), uri=uri, external_id=external_id, state=pb.Artifact.LIVE
    )
    if custom:
        for name, value in values.items():
            set_value(artifact.custom_properties[name], value)
    else:
        _props(artifact, values)
    for name, value in (extra or {}).items():
        set_value(artifact.custom_properties[name], value)
    graph.artifacts.append((artifact, _event(direction, key)))


def _put(mlmd: Any, graph: Subgraph, external_id: str) -> int:
    from ml_metadata import errors as mlmd_errors

    edges: list[tuple[int | None, int | None, Any]] = []
    for index, (_artifact, event) in enumerate(graph.artifacts):
        edges.append((0, index, event))
    for artifact_id, event in graph.linked:
        event.artifact_id = artifact_id
        edges.append((0, None, event))
    try:
        [execution_id], _, _ = mlmd.put_lineage_subgraph(
            [graph.execution],
            [a for a, _ in graph.artifacts],
            graph.contexts,
            edges,
            reuse_context_if_already_exist=True,
        )
    except mlmd_errors.AlreadyExistsError:
        # A concurrent retry of the same task won the race: its write is ours.
        done = _existing_execution(mlmd, external_id)
        if done is None:
            raise
        return done
    return int(execution_id)


def _model_context(types: t.TypeCache, model: Any) -> Any:
    from ml_metadata.proto import metadata_store_pb2 as pb

    name = context_name(model.id)
    context = pb.Context(type_id=types.context(t.MONITORED_MODEL), name=name, external_id=name)
    _props(context, {"model_id": model.id, "model_uri": model.uri})
    return context


def _external_id(run_id: str, task: str) -> str:
    if not str(run_id).strip() or not str(task).strip():
        raise InputError(
            "`run_id` and `task` must be non-empty (inside KFP pass "
            "dsl.PIPELINE_JOB_ID_PLACEHOLDER and dsl.PIPELINE_TASK_NAME_PLACEHOLDER)",
            param="run_id",
        )
    return f"driftline:{run_id}:{task}"


def _existing_execution(mlmd: Any, external_id: str) -> int | None:
    from ml_metadata import errors as mlmd_errors

    try:
        found = mlmd.get_executions_by_external_ids([external_id])
    except mlmd_errors.NotFoundError:
        return None
    return int(found[0].id) if found else None


def _check_ids(mlmd: Any, ids: Sequence[int]) -> None:
    found = {a.id for a in mlmd.get_artifacts_by_id(list(ids))} if ids else set()
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise LineageError(f"baseline artifact id(s) {', '.join(missing)} not in the store")


def _props(node: Any, values: dict[str, Any]) -> None:
    for key, value in values.items():
        if value is not None:
            set_property(node.properties[key], value)


def _event(kind: str, key: str) -> Any:
    from ml_metadata.proto import metadata_store_pb2 as pb

    event = pb.Event(type=pb.Event.Type.Value(kind))
    event.path.steps.add().key = key
    return event
