"""Read a model's recorded monitoring runs back, oldest first."""

from __future__ import annotations

import json
from typing import Any

from driftline.lineage.mlmd import types as t
from driftline.lineage.mlmd.resolve import find_model, monitored_model_context
from driftline.lineage.mlmd.values import as_dict
from driftline.lineage.records import ModelRef, MonitoringRecord


def history(
    mlmd: Any, model: ModelRef | str | int, *, limit: int | None = None
) -> list[MonitoringRecord]:
    """The model's monitoring runs (newest `limit` of them when given), oldest first."""
    from ml_metadata.metadata_store import metadata_store as ms

    model_artifact = find_model(mlmd, model)
    context = monitored_model_context(mlmd, model_artifact.id)
    if context is None:
        return []
    options = ms.ListOptions(
        limit=limit or None,
        order_by=ms.OrderByField.CREATE_TIME,
        is_asc=False,
        filter_query=f"type = '{t.MONITORING_RUN}'",
    )
    executions = mlmd.get_executions_by_context(context.id, list_options=options)
    if limit:
        executions = executions[:limit]
    reports = _report_uris(mlmd, [e.id for e in executions])
    records = [_record(e, reports.get(e.id, {})) for e in executions]
    return sorted(records, key=lambda r: (r.created_ms, r.execution_id))


def _report_uris(mlmd: Any, execution_ids: list[int]) -> dict[int, dict[str, str]]:
    from ml_metadata.proto import metadata_store_pb2 as pb

    if not execution_ids:
        return {}
    events = [
        e for e in mlmd.get_events_by_execution_ids(execution_ids) if e.type == pb.Event.OUTPUT
    ]
    artifacts = {a.id: a for a in mlmd.get_artifacts_by_id(sorted({e.artifact_id for e in events}))}
    out: dict[int, dict[str, str]] = {}
    for event in events:
        key = event.path.steps[0].key if event.path.steps else str(event.artifact_id)
        if event.artifact_id in artifacts:
            out.setdefault(event.execution_id, {})[key.removesuffix("_report")] = artifacts[
                event.artifact_id
            ].uri
    return out


def _record(execution: Any, reports: dict[str, str]) -> MonitoringRecord:
    props = as_dict(execution.properties)
    performance = props.get("performance")
    return MonitoringRecord(
        execution_id=execution.id,
        run_id=props.get("run_id", ""),
        task=props.get("task", ""),
        created_ms=execution.create_time_since_epoch,
        window_start=props.get("window_start") or None,
        window_end=props.get("window_end") or None,
        validation_status=props.get("validation_status"),
        drift_detected=props.get("drift_detected"),
        drift_share=props.get("drift_share"),
        drifted_columns=props.get("drifted_columns"),
        performance_degraded=props.get("performance_degraded"),
        performance=json.loads(performance) if performance else {},
        performance_window_start=props.get("performance_window_start") or None,
        performance_window_end=props.get("performance_window_end") or None,
        reports=reports,
    )
