"""What the KFP components hand over: output names, artifact metadata keys, unset values.

One place for the names that components, their glue functions, the pipelines and the
documentation share. It imports nothing, so every layer may use it. A test compares
`COMPONENT_OUTPUTS` with the compiled components, and the README's and
docs/components.md's output names with both.
"""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")

# ---- output names (artifacts and returned parameters) ---------------------------------
REPORT = "report"  # the JSON report artifact
REPORT_HTML = "report_html"  # the same report as a self-contained HTML page
METRICS = "metrics"  # Metrics artifact (scalars shown by the KFP UI)
CLASSIFICATION_METRICS = "classification_metrics"
PROFILE = "profile"
WINDOW = "window"
BASELINE = "baseline"
TRAINING_METRICS = "training_metrics"
MANIFEST = "manifest"
MANIFESTS = "manifests"
METRICS_TEXT = "metrics_text"
HISTORY_HTML = "history_html"
MONITORING_RUNS = "monitoring_runs"

PASSED = "passed"  # validate_data: no error-severity violation
DRIFT_DETECTED = "drift_detected"
DRIFT_SHARE = "drift_share"
DEGRADED = "degraded"  # compute_performance: a judged window degraded
ROWS = "rows"
WINDOW_START = "window_start"
WINDOW_END = "window_end"
MODEL_ID = "model_id"
DATASET_URI = "dataset_uri"
PROFILE_URI = "profile_uri"
BASELINE_METRICS = "metrics"  # resolve_baseline: training-time metrics as a dict
PROFILE_ID = "profile_id"
MONITORING_RUN_ID = "monitoring_run_id"
RUN_TIMESTAMP = "run_timestamp"
CURRENT_ROWS_USED = "current_rows_used"
RECURRING_RUN_ID = "recurring_run_id"
ALERT_RAISED = "alert_raised"
DASHBOARD_UID = "dashboard_uid"
RUN_ID = "run_id"
URL = "url"
NAMESPACE = "namespace"
FAN_OUT = "fan_out"  # plan_partitions: the window is profiled partition by partition
PARTITIONS = "partitions"  # plan_partitions: the ParallelFor items; metadata: how many
TASKS = "tasks"
STATE = "state"  # score_partition: the partition's mergeable performance state
UNPAIRED = "unpaired"  # profile_partition: halves of calls whose other side is in another partition

#: Every component's outputs, in the order its signature declares them.
COMPONENT_OUTPUTS: dict[str, tuple[str, ...]] = {
    "check_drift": (REPORT, REPORT_HTML, METRICS, DRIFT_DETECTED, DRIFT_SHARE),
    "compute_performance": (REPORT, REPORT_HTML, METRICS, CLASSIFICATION_METRICS, DEGRADED),
    "deploy_model": (MANIFEST, URL, NAMESPACE),
    "load_window": (WINDOW, ROWS, WINDOW_START, WINDOW_END),
    "merge_performance": (REPORT, REPORT_HTML, METRICS, CLASSIFICATION_METRICS, DEGRADED),
    "merge_profiles": (PROFILE, ROWS),
    "plan_partitions": (FAN_OUT, PARTITIONS, TASKS, ROWS, WINDOW_START, WINDOW_END),
    "profile_baseline": (PROFILE, ROWS),
    "profile_partition": (PROFILE, UNPAIRED, ROWS),
    "profile_window": (PROFILE, ROWS),
    "publish_metrics": (METRICS_TEXT, RUN_TIMESTAMP),
    "record_baseline": (PROFILE_ID,),
    "record_monitoring_result": (MONITORING_RUN_ID,),
    "render_evidently_report": (REPORT_HTML, CURRENT_ROWS_USED),
    "render_history": (HISTORY_HTML, MONITORING_RUNS),
    "resolve_baseline": (
        BASELINE,
        TRAINING_METRICS,
        MODEL_ID,
        DATASET_URI,
        PROFILE_URI,
        BASELINE_METRICS,
    ),
    "schedule_monitoring": (RECURRING_RUN_ID,),
    "score_partition": (STATE, ROWS),
    "send_notification": (ALERT_RAISED,),
    "setup_monitoring": (MANIFESTS, DASHBOARD_UID),
    "start_retraining": (RUN_ID,),
    "validate_data": (REPORT, REPORT_HTML, METRICS, PASSED),
}

# ---- artifact metadata keys ------------------------------------------------------------
KIND = "kind"  # what a report/profile artifact holds: validation, drift, performance, profile
STATUS = "status"
MODE = "mode"
THRESHOLDS = "thresholds"  # drift report: "fixed" or "calibrated"
CALIBRATION_WINDOW = "calibration_window"  # baseline profile: its calibration's window, or ""
DRIFTED_COLUMNS = "drifted_columns"
DEGRADED_WINDOWS = "degraded_windows"
LABELLED_ROWS = "labelled_rows"
SCHEMA_VERSION = "schema_version"
SOURCE = "source"
COLUMNS = "columns"
DATASET_ID = "dataset_id"
MODEL_URI = "model_uri"
GROUPING_KEY = "grouping_key"
PUSHED_TO = "pushed_to"
REFERENCE_ROWS_USED = "reference_rows_used"
ERROR_COUNT = "error"
WARNING_COUNT = "warning"
EXECUTION = "execution"  # how a window was profiled: "single-task" or "fan-out"
PARTITION = "partition"  # a partition profile's index in the plan

# ---- metric names logged on Metrics artifacts -------------------------------------------
VALIDATION_ERRORS = "validation_errors"
VALIDATION_WARNINGS = "validation_warnings"
DRIFTED_COLUMN_COUNT = "drifted_columns"
SCORE_PREFIX = "score_"
MULTIVARIATE_SCORE_PREFIX = "multivariate_score_"  # + method: classifier AUC, PCA mean error
MULTIVARIATE_DRIFTED = "multivariate_drifted"  # drift report metadata: methods that found drift


def given(value: T | None) -> T | None:
    """`value`, or None when it is unset: None, or the empty value a pipeline parameter
    carries instead ("", [], {}), since KFP pipelines cannot pass None (see
    docs/components.md)."""
    if value is None or (isinstance(value, str | list | dict | tuple) and not value):
        return None
    return value


def given_number(value: Any) -> Any:
    """A number parameter, or None when unset (None, or 0 where 0 is no meaningful value)."""
    return None if value is None or value == 0 else value
