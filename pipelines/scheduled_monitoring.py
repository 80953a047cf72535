"""The scheduled-monitoring pipeline: one production window of one model, every run.

`monitor_window` is the monitoring path without control flow (so kfp.local runs every
step of it): resolve the baseline through the model's lineage in ML Metadata, load the
window, validate it, check drift, score performance against late labels, record the
result in MLMD and publish Prometheus metrics. `scheduled_monitoring` is what users
schedule: it runs `monitor_window` for the window ending at the run's *scheduled* time
(so catch-up and backfill runs check the right window), then alerts and, if asked,
starts a retraining run when something is wrong.

Parameters a user may leave out default to the zero value of their type ("", 0, 0.0,
[], {}), which the components read as unset: KFP pipelines cannot pass None (see
docs/components.md).
"""

from typing import NamedTuple

from kfp import dsl, kubernetes
from kfp.dsl import Artifact

from driftline import component_io as io
from driftline.components.check_drift import check_drift
from driftline.components.compute_performance import compute_performance
from driftline.components.load_window import load_window
from driftline.components.profile_baseline import profile_baseline
from driftline.components.publish_metrics import publish_metrics
from driftline.components.record_monitoring_result import record_monitoring_result
from driftline.components.resolve_baseline import resolve_baseline
from driftline.components.send_notification import send_notification
from driftline.components.start_retraining import start_retraining
from driftline.components.validate_data import validate_data
from driftline.platforms.kfp.local import refuse_venv_runner

# KFP's own object-store secret exists in every KFP (profile) namespace: its keys become
# the AWS variables the readers use for s3:// and minio:// sources.
CREDENTIALS_SECRET = "mlpipeline-minio-artifact"
OBJECT_STORE_KEYS = {"accesskey": "AWS_ACCESS_KEY_ID", "secretkey": "AWS_SECRET_ACCESS_KEY"}


class WindowOutputs(NamedTuple):
    """What `monitor_window` hands to the control flow around it."""

    drift_report: Artifact
    validation_report: Artifact
    performance_report: Artifact
    window_start: str
    window_end: str
    monitoring_run_id: int


@dsl.pipeline(
    name="driftline-monitor-window",
    description="Validate, drift-check, score and record one production window of a model.",
)
def monitor_window(
    model: str,
    source_uri: str,
    window_end: str,
    store: str = "",
    source_format: str = "",
    timestamp_column: str = "timestamp",
    window_length: str = "1d",
    columns: list = [],  # noqa: B006  KFP takes the default from the signature
    prediction_column: str = "",
    id_column: str = "",
    labels_uri: str = "",
    label_column: str = "",
    task: str = "classification",
    performance_window: str = "1d",
    drift_method: str = "auto",
    drift_threshold: float = 0.0,
    drift_share: float = 0.5,
    constraints_path: str = "",
    min_rows: int = 1,
    expected_rows: int = 0,
    model_name: str = "",
    namespace: str = "",
    pushgateway_url: str = "",
    run_id: str = "",
    credentials_secret: str = CREDENTIALS_SECRET,
    sagemaker_endpoint: str = "",
    monitoring_schedule: str = "",
) -> WindowOutputs:
    """Monitor the window [window_end - window_length, window_end) of `model`."""
    resolved = resolve_baseline(model=model, store=store).set_caching_options(False)
    baseline_profile = profile_baseline(
        dataset=resolved.outputs[io.BASELINE],
        columns=columns,
        recorded_profile=resolved.outputs[io.PROFILE_URI],
    )
    window = load_window(
        source_uri=source_uri,
        data_format=source_format,
        timestamp_column=timestamp_column,
        window_end=window_end,
        window_length=window_length,
        min_rows=min_rows,
    ).set_caching_options(False)  # late-arriving rows change a window
    kubernetes.use_secret_as_env(window, credentials_secret, OBJECT_STORE_KEYS)
    validation = validate_data(
        window=window.outputs[io.WINDOW],
        baseline_profile=baseline_profile.outputs[io.PROFILE],
        constraints_path=constraints_path,
        columns=columns,
        expected_rows=expected_rows,
    )
    drift = check_drift(
        current=window.outputs[io.WINDOW],
        reference=baseline_profile.outputs[io.PROFILE],
        method=drift_method,
        threshold=drift_threshold,
        columns=columns,
        drift_share=drift_share,
        prediction_column=prediction_column,
        timestamp_column=timestamp_column,
    )
    performance = compute_performance(
        predictions=window.outputs[io.WINDOW],
        labels_uri=labels_uri,
        task=task,
        id_column=id_column,
        timestamp_column=timestamp_column,
        prediction_column=prediction_column,
        label_column=label_column,
        window=performance_window,
        baseline_metrics=resolved.outputs[io.BASELINE_METRICS],
    )
    performance.set_caching_options(False)  # labels arrive late: a rerun must join them again
    kubernetes.use_secret_as_env(performance, credentials_secret, OBJECT_STORE_KEYS)
    recorded = record_monitoring_result(
        validation_report=validation.outputs[io.REPORT],
        drift_report=drift.outputs[io.REPORT],
        performance_report=performance.outputs[io.REPORT],
        baseline=resolved.outputs[io.BASELINE],
        window=window.outputs[io.WINDOW],
        model=model,
        store=store,
        run_id=run_id,
        task=dsl.PIPELINE_TASK_NAME_PLACEHOLDER,
    ).set_caching_options(False)
    published = publish_metrics(
        drift_report=drift.outputs[io.REPORT],
        validation_report=validation.outputs[io.REPORT],
        performance_report=performance.outputs[io.REPORT],
        model_name=model_name,
        model=model,
        namespace=namespace,
        pushgateway_url=pushgateway_url,
        sagemaker_endpoint=sagemaker_endpoint,
        monitoring_schedule=monitoring_schedule,
    ).after(recorded)
    published.set_caching_options(False)
    return WindowOutputs(
        drift_report=drift.outputs[io.REPORT],
        validation_report=validation.outputs[io.REPORT],
        performance_report=performance.outputs[io.REPORT],
        window_start=window.outputs[io.WINDOW_START],
        window_end=window.outputs[io.WINDOW_END],
        monitoring_run_id=recorded.outputs[io.MONITORING_RUN_ID],
    )


@dsl.pipeline(
    name="driftline-scheduled-monitoring",
    description=(
        "Every scheduled run: validate, drift-check and score the production window that ends "
        "at the run's scheduled time, record it in ML Metadata, publish metrics, alert and "
        "optionally start retraining."
    ),
)
def scheduled_monitoring(
    model: str,
    source_uri: str,
    store: str = "",
    source_format: str = "",
    timestamp_column: str = "timestamp",
    window_length: str = "1d",
    columns: list = [],  # noqa: B006  KFP takes the default from the signature
    prediction_column: str = "",
    id_column: str = "",
    labels_uri: str = "",
    label_column: str = "",
    task: str = "classification",
    performance_window: str = "1d",
    drift_method: str = "auto",
    drift_threshold: float = 0.0,
    drift_share: float = 0.5,
    constraints_path: str = "",
    min_rows: int = 1,
    expected_rows: int = 0,
    model_name: str = "",
    namespace: str = "",
    pushgateway_url: str = "",
    notification_url: str = "",
    retrain_pipeline_id: str = "",
    retrain_pipeline_version_id: str = "",
    retrain_experiment_id: str = "",
    retrain_parameters: dict = {},  # noqa: B006
    credentials_secret: str = CREDENTIALS_SECRET,
    sagemaker_endpoint: str = "",
    monitoring_schedule: str = "",
) -> None:
    """Monitor the window ending at this run's scheduled time; alert and retrain on problems.

    Args:
        model: The model: MLMD artifact id, artifact URI, or isvc:NAMESPACE/NAME.
        source_uri: Production data (e.g. the driftline log sink's Parquet output).
        store: Lineage store URI; empty = the in-cluster MLMD service.
        source_format: parquet, csv, jsonl or kserve; empty detects it.
        timestamp_column: Row time column of the production data.
        window_length: Window length: 1h, 1d, 7d, ... (match the schedule interval).
        columns: Columns to validate and drift-check; empty = every baseline column.
        prediction_column: The model's output column (prediction drift, performance).
        id_column: Column joining predictions to late labels.
        labels_uri: Labels table (id, label); empty when the data holds label_column.
        label_column: Ground-truth column; empty with empty labels_uri = no performance.
        task: classification or regression.
        performance_window: Window size of the performance report.
        drift_method: auto (driftline's policy), evidently (Evidently 0.7's choice) or a
            method name (ks, psi, wasserstein, jensenshannon, ...).
        drift_threshold: Threshold for every column; 0 = each method's default.
        drift_share: Share of drifted columns that makes the window drifted.
        constraints_path: Validation constraints file overriding the inferred ones.
        min_rows: Fewest rows a window must hold.
        expected_rows: Rows a window should hold (validation warns outside +-50%); 0 = no
            volume check.
        model_name: `model` label of the published metrics; empty = the model reference.
        namespace: `namespace` label of the published metrics.
        pushgateway_url: Prometheus Pushgateway; empty = metrics only as an artifact.
        notification_url: Webhook / CloudEvent sink for alerts; empty = no message.
        retrain_pipeline_id: Retraining pipeline to run on an alert; empty = none.
        retrain_pipeline_version_id: Its version; empty = latest.
        retrain_experiment_id: Experiment of the retraining run.
        retrain_parameters: Parameters of the retraining run.
        credentials_secret: Secret with accesskey/secretkey for s3:// and minio:// sources.
        sagemaker_endpoint: SageMaker endpoint whose captures are monitored: the headline
            metrics also go to CloudWatch (dimension Endpoint); empty = no CloudWatch.
        monitoring_schedule: The MonitoringSchedule dimension of those CloudWatch metrics.
    """
    monitored = monitor_window(
        model=model,
        source_uri=source_uri,
        window_end=dsl.PIPELINE_JOB_SCHEDULE_TIME_UTC_PLACEHOLDER,
        store=store,
        source_format=source_format,
        timestamp_column=timestamp_column,
        window_length=window_length,
        columns=columns,
        prediction_column=prediction_column,
        id_column=id_column,
        labels_uri=labels_uri,
        label_column=label_column,
        task=task,
        performance_window=performance_window,
        drift_method=drift_method,
        drift_threshold=drift_threshold,
        drift_share=drift_share,
        constraints_path=constraints_path,
        min_rows=min_rows,
        expected_rows=expected_rows,
        model_name=model_name,
        namespace=namespace,
        pushgateway_url=pushgateway_url,
        run_id=dsl.PIPELINE_JOB_ID_PLACEHOLDER,
        credentials_secret=credentials_secret,
        sagemaker_endpoint=sagemaker_endpoint,
        monitoring_schedule=monitoring_schedule,
    )
    alert = send_notification(
        drift_report=monitored.outputs["drift_report"],
        validation_report=monitored.outputs["validation_report"],
        performance_report=monitored.outputs["performance_report"],
        url=notification_url,
        model=model,
        window_start=monitored.outputs[io.WINDOW_START],
        window_end=monitored.outputs[io.WINDOW_END],
        run_id=dsl.PIPELINE_JOB_ID_PLACEHOLDER,
    ).set_caching_options(False)
    with (
        dsl.If(alert.outputs[io.ALERT_RAISED] == True, name="alert-raised"),  # noqa: E712
        dsl.If(retrain_pipeline_id != "", name="retraining-configured"),
    ):
        start_retraining(
            pipeline_id=retrain_pipeline_id,
            pipeline_version_id=retrain_pipeline_version_id,
            experiment_id=retrain_experiment_id,
            parameters=retrain_parameters,
            model=model,
            triggered_by=dsl.PIPELINE_JOB_ID_PLACEHOLDER,
        ).set_caching_options(False)


monitor_window = refuse_venv_runner(monitor_window)
scheduled_monitoring = refuse_venv_runner(scheduled_monitoring)

PIPELINES = {
    "scheduled_monitoring": scheduled_monitoring,
    "monitor_window": monitor_window,
}
