"""The scheduled-monitoring pipeline: one production window of one model, every run.

`monitor_window` is the monitoring path without control flow (so kfp.local runs every
step of it): resolve the baseline through the model's lineage in ML Metadata, load the
window, profile it once, validate that profile and check it for drift, score performance
against late labels, record the result in MLMD and publish Prometheus metrics.
`scheduled_monitoring` is what users schedule: it runs `monitor_window` for the window
ending at the run's *scheduled* time (so catch-up and backfill runs check the right
window), then alerts and, if asked, starts a retraining run when something is wrong.

Parameters a user may leave out default to the zero value of their type ("", 0, 0.0,
[], {}), which the components read as unset: KFP pipelines cannot pass None (see
docs/components.md).
"""

from typing import Any, NamedTuple

from kfp import dsl, kubernetes
from kfp.dsl import Artifact

from driftline import component_io as io
from driftline.components.check_drift import check_drift
from driftline.components.compute_performance import compute_performance
from driftline.components.load_window import load_window
from driftline.components.merge_performance import merge_performance
from driftline.components.merge_profiles import merge_profiles
from driftline.components.plan_partitions import plan_partitions
from driftline.components.profile_baseline import profile_baseline
from driftline.components.profile_partition import profile_partition
from driftline.components.profile_window import profile_window
from driftline.components.publish_metrics import publish_metrics
from driftline.components.record_monitoring_result import record_monitoring_result
from driftline.components.render_history import render_history
from driftline.components.resolve_baseline import resolve_baseline
from driftline.components.score_partition import score_partition
from driftline.components.send_notification import send_notification
from driftline.components.start_retraining import start_retraining
from driftline.components.validate_data import validate_data
from driftline.platforms.kfp.local import refuse_venv_runner

# KFP's own object-store secret exists in every KFP (profile) namespace: its keys become
# the AWS variables the readers use for s3:// and minio:// sources.
CREDENTIALS_SECRET = "mlpipeline-minio-artifact"
OBJECT_STORE_KEYS = {"accesskey": "AWS_ACCESS_KEY_ID", "secretkey": "AWS_SECRET_ACCESS_KEY"}
# Pods that profile partitions of one window at the same time (KFP fixes it at compile time).
MAX_PARALLEL_PARTITIONS = 16


class WindowOutputs(NamedTuple):
    """What `monitor_window` hands to the control flow around it."""

    drift_report: Artifact
    validation_report: Artifact
    performance_report: Artifact
    window_start: str
    window_end: str
    monitoring_run_id: int


class PartitionsOutputs(NamedTuple):
    """What `monitor_partitions` hands to the control flow around it (its window bounds are
    plan_partitions')."""

    drift_report: Artifact
    validation_report: Artifact
    performance_report: Artifact
    monitoring_run_id: int


def _record_and_publish(
    validation: Any,
    drift: Any,
    performance: Any,
    resolved: Any,
    *,
    model: str,
    store: str,
    run_id: str,
    model_name: str,
    namespace: str,
    pushgateway_url: str,
    sagemaker_endpoint: str,
    monitoring_schedule: str,
    **window: Any,
) -> Any:
    """The tail both monitoring paths share: record the window's result in the lineage store,
    then publish its metrics and render the model's history page; returns the record task.
    `window` is the window as the path knows it (its table, or its URI and bounds)."""
    recorded = record_monitoring_result(
        validation_report=validation.outputs[io.REPORT],
        drift_report=drift.outputs[io.REPORT],
        performance_report=performance.outputs[io.REPORT],
        baseline=resolved.outputs[io.BASELINE],
        model=model,
        store=store,
        run_id=run_id,
        task=dsl.PIPELINE_TASK_NAME_PLACEHOLDER,
        validation_page=validation.outputs[io.REPORT_HTML],
        drift_page=drift.outputs[io.REPORT_HTML],
        performance_page=performance.outputs[io.REPORT_HTML],
        **window,
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
    # the model's history page, this window included (shown in the KFP UI)
    render_history(model=model, store=store).after(recorded).set_caching_options(False)
    return recorded


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
    timezone: str = "UTC",
    drift_method: str = "auto",
    drift_threshold: float = 0.0,
    drift_share: float = 0.5,
    drift_thresholds: str = "auto",
    threshold_quantile: float = 0.95,
    calibration_window: str = "",
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
        calibration_window=calibration_window,
        timestamp_column=timestamp_column,
        calibration_method=drift_method,
    )
    window = load_window(
        source_uri=source_uri,
        data_format=source_format,
        timestamp_column=timestamp_column,
        window_end=window_end,
        window_length=window_length,
        timezone=timezone,
        min_rows=min_rows,
    ).set_caching_options(False)  # late-arriving rows change a window
    kubernetes.use_secret_as_env(window, credentials_secret, OBJECT_STORE_KEYS)
    # One pass over the window: validation and drift both take its profile.
    window_profile = profile_window(
        window=window.outputs[io.WINDOW], baseline_profile=baseline_profile.outputs[io.PROFILE]
    )
    validation = validate_data(
        window=window_profile.outputs[io.PROFILE],
        baseline_profile=baseline_profile.outputs[io.PROFILE],
        constraints_path=constraints_path,
        columns=columns,
        expected_rows=expected_rows,
    )
    drift = check_drift(
        current=window_profile.outputs[io.PROFILE],
        reference=baseline_profile.outputs[io.PROFILE],
        method=drift_method,
        threshold=drift_threshold,
        columns=columns,
        drift_share=drift_share,
        thresholds=drift_thresholds,
        threshold_quantile=threshold_quantile,
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
        timezone=timezone,
        baseline_metrics=resolved.outputs[io.BASELINE_METRICS],
    )
    performance.set_caching_options(False)  # labels arrive late: a rerun must join them again
    kubernetes.use_secret_as_env(performance, credentials_secret, OBJECT_STORE_KEYS)
    recorded = _record_and_publish(
        validation,
        drift,
        performance,
        resolved,
        model=model,
        store=store,
        run_id=run_id,
        model_name=model_name,
        namespace=namespace,
        pushgateway_url=pushgateway_url,
        sagemaker_endpoint=sagemaker_endpoint,
        monitoring_schedule=monitoring_schedule,
        window=window.outputs[io.WINDOW],
    )
    return WindowOutputs(
        drift_report=drift.outputs[io.REPORT],
        validation_report=validation.outputs[io.REPORT],
        performance_report=performance.outputs[io.REPORT],
        window_start=window.outputs[io.WINDOW_START],
        window_end=window.outputs[io.WINDOW_END],
        monitoring_run_id=recorded.outputs[io.MONITORING_RUN_ID],
    )


@dsl.pipeline(
    name="driftline-monitor-partitions",
    description=(
        "Monitor one production window partition by partition: one pod per partition profiles "
        "it and one scores its predictions (ParallelFor); the merged window profile is "
        "validated and drift-checked, the merged performance states make the report."
    ),
)
def monitor_partitions(
    model: str,
    source_uri: str,
    partitions: list,
    window_start: str,
    window_end: str,
    store: str = "",
    timestamp_column: str = "timestamp",
    columns: list = [],  # noqa: B006  KFP takes the default from the signature
    prediction_column: str = "",
    id_column: str = "",
    labels_uri: str = "",
    label_column: str = "",
    task: str = "classification",
    performance_window: str = "1d",
    timezone: str = "UTC",
    drift_method: str = "auto",
    drift_threshold: float = 0.0,
    drift_share: float = 0.5,
    drift_thresholds: str = "auto",
    threshold_quantile: float = 0.95,
    calibration_window: str = "",
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
) -> PartitionsOutputs:
    """The fan-out path of `scheduled_monitoring`: `partitions` from plan_partitions."""
    resolved = resolve_baseline(model=model, store=store).set_caching_options(False)
    baseline_profile = profile_baseline(
        dataset=resolved.outputs[io.BASELINE],
        columns=columns,
        recorded_profile=resolved.outputs[io.PROFILE_URI],
        calibration_window=calibration_window,
        timestamp_column=timestamp_column,
        calibration_method=drift_method,
    )
    with dsl.ParallelFor(
        partitions, parallelism=MAX_PARALLEL_PARTITIONS, name="partitions"
    ) as partition:
        part = profile_partition(
            partition=partition,
            baseline_profile=baseline_profile.outputs[io.PROFILE],
            timestamp_column=timestamp_column,
            window_start=window_start,
            window_end=window_end,
            columns=columns,
        ).set_caching_options(False)  # late-arriving rows change a partition
        kubernetes.use_secret_as_env(part, credentials_secret, OBJECT_STORE_KEYS)
        # the partition's predictions joined with the labels of their ids: counts and sums
        scored = score_partition(
            partition=partition,
            window_start=window_start,
            window_end=window_end,
            labels_uri=labels_uri,
            task=task,
            id_column=id_column,
            timestamp_column=timestamp_column,
            prediction_column=prediction_column,
            label_column=label_column,
            window=performance_window,
            timezone=timezone,
        ).set_caching_options(False)  # labels arrive late: a rerun must join them again
        kubernetes.use_secret_as_env(scored, credentials_secret, OBJECT_STORE_KEYS)
    window_profile = merge_profiles(
        profiles=dsl.Collected(part.outputs[io.PROFILE]),
        unpaired=dsl.Collected(part.outputs[io.UNPAIRED]),
        min_rows=min_rows,
    ).set_caching_options(False)
    validation = validate_data(
        window=window_profile.outputs[io.PROFILE],
        baseline_profile=baseline_profile.outputs[io.PROFILE],
        constraints_path=constraints_path,
        columns=columns,
        expected_rows=expected_rows,
    )
    drift = check_drift(
        current=window_profile.outputs[io.PROFILE],
        reference=baseline_profile.outputs[io.PROFILE],
        method=drift_method,
        threshold=drift_threshold,
        columns=columns,
        drift_share=drift_share,
        thresholds=drift_thresholds,
        threshold_quantile=threshold_quantile,
        prediction_column=prediction_column,
        timestamp_column=timestamp_column,
    )
    performance = merge_performance(
        states=dsl.Collected(scored.outputs[io.STATE]),
        unpaired=dsl.Collected(part.outputs[io.UNPAIRED]),
        labels_uri=labels_uri,
        task=task,
        id_column=id_column,
        timestamp_column=timestamp_column,
        prediction_column=prediction_column,
        label_column=label_column,
        window=performance_window,
        timezone=timezone,
        baseline_metrics=resolved.outputs[io.BASELINE_METRICS],
    ).set_caching_options(False)
    recorded = _record_and_publish(
        validation,
        drift,
        performance,
        resolved,
        model=model,
        store=store,
        run_id=run_id,
        model_name=model_name,
        namespace=namespace,
        pushgateway_url=pushgateway_url,
        sagemaker_endpoint=sagemaker_endpoint,
        monitoring_schedule=monitoring_schedule,
        window_uri=source_uri,
        window_start=window_start,
        window_end=window_end,
    )
    return PartitionsOutputs(
        drift_report=drift.outputs[io.REPORT],
        validation_report=validation.outputs[io.REPORT],
        performance_report=performance.outputs[io.REPORT],
        monitoring_run_id=recorded.outputs[io.MONITORING_RUN_ID],
    )


def _either(fanned: Any, single: Any, output: str) -> Any:
    """The output of whichever path ran."""
    return dsl.OneOf(fanned.outputs[output], single.outputs[output])


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
    timezone: str = "UTC",
    drift_method: str = "auto",
    drift_threshold: float = 0.0,
    drift_share: float = 0.5,
    drift_thresholds: str = "auto",
    threshold_quantile: float = 0.95,
    calibration_window: str = "",
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
    fan_out: str = "auto",
    rows_per_task: int = 10_000_000,
) -> None:
    """Monitor the window ending at this run's scheduled time; alert and retrain on problems.

    Args:
        model: The model: MLMD artifact id, artifact URI, or isvc:NAMESPACE/NAME; with an
            MLflow store models:/NAME@ALIAS or models:/NAME/VERSION.
        source_uri: Production data (e.g. the driftline log sink's Parquet output).
        store: Lineage store URI; empty = the in-cluster MLMD service; mlflow+https://HOST
            reads the lineage from MLflow (model = models:/NAME@ALIAS) and writes back there.
        source_format: parquet, csv, jsonl or kserve; empty detects it.
        timestamp_column: Row time column of the production data.
        window_length: Window length: fixed (1h: [end - 1h, end)) or calendar (1d, 1w,
            1mo, 1q, 1y: the last complete periods before the run's time); match the schedule.
        columns: Columns to validate and drift-check; empty = every baseline column.
        prediction_column: The model's output column (prediction drift, performance).
        id_column: Column joining predictions to late labels.
        labels_uri: Labels table (id, label); empty when the data holds label_column.
        label_column: Ground-truth column; empty with empty labels_uri = no performance.
        task: classification or regression.
        performance_window: Windows of the performance report (1d, 1w, 1mo, 1q, 1h, ...).
        timezone: IANA timezone of calendar windows, e.g. Europe/Berlin; default UTC.
        drift_method: auto (driftline's policy), evidently (Evidently 0.7's choice) or a
            method name (ks, psi, wasserstein, jensenshannon, ...).
        drift_threshold: Threshold for every column; 0 = each method's default.
        drift_share: Share of drifted columns that makes the window drifted.
        drift_thresholds: auto (calibrated when the baseline profile holds a calibration),
            fixed (each method's default, or drift_threshold) or calibrated.
        threshold_quantile: Calibrated thresholds: this quantile of each column's scores on
            chunks of the baseline (distances; 1 minus it for p-values).
        calibration_window: When the baseline is profiled here (not reused from its recorded
            profile): store calibrated thresholds, chunks of this length (match
            window_length, e.g. 1d) on timestamp_column, or rows (500); empty = none.
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
        fan_out: auto (profile the window partition by partition, one pod each, when it
            makes two or more partitions of rows_per_task rows), always, or never.
        rows_per_task: Target rows per partition pod on the fan-out path.
    """
    plan = plan_partitions(
        source_uri=source_uri,
        data_format=source_format,
        timestamp_column=timestamp_column,
        window_end=dsl.PIPELINE_JOB_SCHEDULE_TIME_UTC_PLACEHOLDER,
        window_length=window_length,
        timezone=timezone,
        rows_per_task=rows_per_task,
        fan_out=fan_out,
    ).set_caching_options(False)  # files arrive: a rerun must list them again
    kubernetes.use_secret_as_env(plan, credentials_secret, OBJECT_STORE_KEYS)
    with dsl.If(plan.outputs[io.FAN_OUT] == True, name="fan-out"):  # noqa: E712
        fanned = monitor_partitions(
            model=model,
            source_uri=source_uri,
            partitions=plan.outputs[io.PARTITIONS],
            window_start=plan.outputs[io.WINDOW_START],
            window_end=plan.outputs[io.WINDOW_END],
            store=store,
            timestamp_column=timestamp_column,
            columns=columns,
            prediction_column=prediction_column,
            id_column=id_column,
            labels_uri=labels_uri,
            label_column=label_column,
            task=task,
            performance_window=performance_window,
            timezone=timezone,
            drift_method=drift_method,
            drift_threshold=drift_threshold,
            drift_share=drift_share,
            drift_thresholds=drift_thresholds,
            threshold_quantile=threshold_quantile,
            calibration_window=calibration_window,
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
    with dsl.Else(name="single-task"):
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
            timezone=timezone,
            drift_method=drift_method,
            drift_threshold=drift_threshold,
            drift_share=drift_share,
            drift_thresholds=drift_thresholds,
            threshold_quantile=threshold_quantile,
            calibration_window=calibration_window,
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
        drift_report=_either(fanned, monitored, "drift_report"),
        validation_report=_either(fanned, monitored, "validation_report"),
        performance_report=_either(fanned, monitored, "performance_report"),
        url=notification_url,
        model=model,
        window_start=plan.outputs[io.WINDOW_START],
        window_end=plan.outputs[io.WINDOW_END],
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
monitor_partitions = refuse_venv_runner(monitor_partitions)
scheduled_monitoring = refuse_venv_runner(scheduled_monitoring)

PIPELINES = {
    "scheduled_monitoring": scheduled_monitoring,
    "monitor_window": monitor_window,
}
