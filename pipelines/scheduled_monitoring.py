"""The scheduled-monitoring pipeline: one production window of one model, every run.

`monitor_window` is the monitoring path without control flow (so kfp.local runs every
step of it): resolve the baseline through the model's lineage in ML Metadata, load the
window, validate it, check drift, score performance against late labels, record the
result in MLMD and publish Prometheus metrics. `scheduled_monitoring` is what users
schedule: it runs `monitor_window` for the window ending at the run's *scheduled* time
(so catch-up and backfill runs check the right window), then alerts and, if asked,
starts a retraining run when something is wrong.
"""

from kfp import dsl, kubernetes

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

CREDENTIALS_SECRET = "driftline-credentials"
OBJECT_STORE_KEYS = {"AWS_ACCESS_KEY_ID": "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY": "AWS_SECRET_ACCESS_KEY"}
WEBHOOK_KEYS = {"DRIFTLINE_WEBHOOK_TOKEN": "DRIFTLINE_WEBHOOK_TOKEN"}


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
    drift_threshold: float = -1.0,
    drift_share: float = 0.5,
    constraints_path: str = "",
    min_rows: int = 1,
    model_name: str = "",
    namespace: str = "",
    pushgateway_url: str = "",
    run_id: str = "",
    credentials_secret: str = CREDENTIALS_SECRET,
) -> dsl.Outputs:  # type: ignore[name-defined]
    """Monitor the window [window_end - window_length, window_end) of `model`."""
    resolved = resolve_baseline(model=model, store=store)
    baseline_profile = profile_baseline(
        dataset=resolved.outputs["baseline"],
        columns=columns,
        recorded_profile=resolved.outputs["profile_uri"],
    )
    window = load_window(
        source_uri=source_uri,
        data_format=source_format,
        timestamp_column=timestamp_column,
        window_end=window_end,
        window_length=window_length,
        min_rows=min_rows,
    )
    kubernetes.use_secret_as_env(window, credentials_secret, OBJECT_STORE_KEYS)
    validation = validate_data(
        window=window.outputs["window"],
        baseline_profile=baseline_profile.outputs["profile"],
        constraints_path=constraints_path,
        columns=columns,
    )
    drift = check_drift(
        current=window.outputs["window"],
        reference=baseline_profile.outputs["profile"],
        method=drift_method,
        threshold=drift_threshold,
        columns=columns,
        drift_share=drift_share,
        prediction_column=prediction_column,
        timestamp_column=timestamp_column,
    )
    performance = compute_performance(
        predictions=window.outputs["window"],
        labels_uri=labels_uri,
        task=task,
        id_column=id_column,
        timestamp_column=timestamp_column,
        prediction_column=prediction_column,
        label_column=label_column,
        window=performance_window,
        baseline_metrics=resolved.outputs["metrics"],
    )
    kubernetes.use_secret_as_env(performance, credentials_secret, OBJECT_STORE_KEYS)
    recorded = record_monitoring_result(
        validation_report=validation.outputs["report"],
        drift_report=drift.outputs["report"],
        performance_report=performance.outputs["report"],
        baseline=resolved.outputs["baseline"],
        window=window.outputs["window"],
        model=model,
        store=store,
        run_id=run_id,
        task=dsl.PIPELINE_TASK_NAME_PLACEHOLDER,
    )
    publish_metrics(
        drift_report=drift.outputs["report"],
        validation_report=validation.outputs["report"],
        performance_report=performance.outputs["report"],
        model_name=model_name,
        namespace=namespace,
        pushgateway_url=pushgateway_url,
    ).after(recorded)
    return dsl.Outputs(  # type: ignore[attr-defined]
        drift_report=drift.outputs["report"],
        validation_report=validation.outputs["report"],
        performance_report=performance.outputs["report"],
        window_start=window.outputs["window_start"],
        window_end=window.outputs["window_end"],
        monitoring_run_id=recorded.output,
    )
