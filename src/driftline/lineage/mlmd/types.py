"""Type names: the `system.*` ones KFP writes and the project's own `driftline.*` types."""

from __future__ import annotations

from typing import Any

# Written by the KFP v2 backend (schemaless: a name and no declared properties).
PIPELINE = "system.Pipeline"
PIPELINE_RUN = "system.PipelineRun"
DAG_EXECUTION = "system.DAGExecution"
CONTAINER_EXECUTION = "system.ContainerExecution"
IMPORTER_EXECUTION = "system.ImporterExecution"
MODEL = "system.Model"
DATASET = "system.Dataset"
METRICS = "system.Metrics"
CLASSIFICATION_METRICS = "system.ClassificationMetrics"
ARTIFACT = "system.Artifact"
METRICS_TYPES = (METRICS, CLASSIFICATION_METRICS)

# The project's own types, with the headline numbers as declared (queryable) properties.
BASELINE_PROFILE = "driftline.BaselineProfile"
VALIDATION_REPORT = "driftline.ValidationReport"
DRIFT_REPORT = "driftline.DriftReport"
PERFORMANCE_REPORT = "driftline.PerformanceReport"
MONITORING_RUN = "driftline.MonitoringRun"
BASELINE_RUN = "driftline.BaselineRun"
MONITORED_MODEL = "driftline.MonitoredModel"

REPORT_TYPES = {
    "validation": VALIDATION_REPORT,
    "drift": DRIFT_REPORT,
    "performance": PERFORMANCE_REPORT,
    "profile": BASELINE_PROFILE,
}

_RUN = {"run_id": "STRING", "task": "STRING", "model_id": "INT"}
_WINDOW = {"window_start": "STRING", "window_end": "STRING"}

ARTIFACT_PROPERTIES: dict[str, dict[str, str]] = {
    BASELINE_PROFILE: {
        **_RUN,
        "row_count": "INT",
        "column_count": "INT",
        "calibration_window": "STRING",
    },
    VALIDATION_REPORT: {
        **_RUN,
        **_WINDOW,
        "status": "STRING",
        "rows": "INT",
        "errors": "INT",
        "warnings": "INT",
    },
    DRIFT_REPORT: {
        **_RUN,
        **_WINDOW,
        "drift_detected": "BOOLEAN",
        "drift_share": "DOUBLE",
        "drifted_columns": "INT",
        "number_of_columns": "INT",
        "mode": "STRING",
        "thresholds": "STRING",
    },
    PERFORMANCE_REPORT: {
        **_RUN,
        **_WINDOW,
        "task_type": "STRING",
        "degraded": "BOOLEAN",
        "estimated_degraded": "BOOLEAN",
        "windows": "INT",
        "metrics": "STRING",
        "current_window_start": "STRING",
        "current_window_end": "STRING",
    },
    # KFP's own types are schemaless; we only ever write custom properties on them.
    DATASET: {},
}
EXECUTION_PROPERTIES: dict[str, dict[str, str]] = {
    MONITORING_RUN: {
        **_RUN,
        **_WINDOW,
        "validation_status": "STRING",
        "drift_detected": "BOOLEAN",
        "drift_share": "DOUBLE",
        "drifted_columns": "INT",
        "performance_degraded": "BOOLEAN",
        "performance": "STRING",
        "performance_window_start": "STRING",
        "performance_window_end": "STRING",
    },
    BASELINE_RUN: {**_RUN},
}
CONTEXT_PROPERTIES: dict[str, dict[str, str]] = {
    MONITORED_MODEL: {"model_id": "INT", "model_uri": "STRING"},
}


class TypeCache:
    """Type ids by name for one store, created on first use (idempotent, race-safe)."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self._ids: dict[tuple[str, str], int] = {}

    def artifact(self, name: str) -> int:
        return self._get("artifact", name, ARTIFACT_PROPERTIES.get(name, {}))

    def execution(self, name: str) -> int:
        return self._get("execution", name, EXECUTION_PROPERTIES.get(name, {}))

    def context(self, name: str) -> int:
        return self._get("context", name, CONTEXT_PROPERTIES.get(name, {}))

    def _get(self, kind: str, name: str, properties: dict[str, str]) -> int:
        key = (kind, name)
        if key not in self._ids:
            self._ids[key] = _put_type(self._store, kind, name, properties)
        return self._ids[key]


def _put_type(store: Any, kind: str, name: str, properties: dict[str, str]) -> int:
    from ml_metadata import errors as mlmd_errors
    from ml_metadata.proto import metadata_store_pb2 as mlmd_pb

    message_class = {
        "artifact": mlmd_pb.ArtifactType,
        "execution": mlmd_pb.ExecutionType,
        "context": mlmd_pb.ContextType,
    }[kind]
    message = message_class(name=name)
    for prop, value_type in properties.items():
        message.properties[prop] = mlmd_pb.PropertyType.Value(value_type)
    put = getattr(store, f"put_{kind}_type")
    get = getattr(store, f"get_{kind}_type")
    for _attempt in range(5):
        try:
            return int(put(message, can_add_fields=True))
        except mlmd_errors.AlreadyExistsError:  # another writer created it first
            try:
                return int(get(name).id)
            except mlmd_errors.NotFoundError:
                continue
    return int(get(name).id)
