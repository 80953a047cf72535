"""publish_metrics: a monitoring run's reports as Prometheus metrics (Pushgateway + text)."""

from kfp import dsl
from kfp.dsl import Artifact, Input, Output

from driftline.components.image import IMAGE


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def publish_metrics(
    metrics_text: Output[Artifact],
    drift_report: Input[Artifact] = None,
    validation_report: Input[Artifact] = None,
    performance_report: Input[Artifact] = None,
    model_name: str = "",
    model: str = "",
    namespace: str = "",
    pushgateway_url: str = "",
    pipeline_name: str = "scheduled-monitoring",
) -> float:
    """Publishes the run's drift/validation/performance results as Prometheus metrics.

    Pushes to the Pushgateway with grouping key {model, namespace, pipeline} (job
    "driftline"); credentials come from the environment (a Kubernetes secret mapped
    with kfp-kubernetes use_secret_as_env to DRIFTLINE_PUSHGATEWAY_TOKEN, or
    DRIFTLINE_PUSHGATEWAY_USERNAME and DRIFTLINE_PUSHGATEWAY_PASSWORD), never parameters.

    Args:
        drift_report: Drift report artifact (drift_report.json or a folder holding it).
        validation_report: Validation report artifact (validation_report.json or folder).
        performance_report: Performance report artifact (performance_report.json or folder).
        model_name: Model (InferenceService) name: the `model` label.
        model: The model reference (MLMD id or URI); the `model` label when model_name is empty.
        namespace: Namespace of the model: the `namespace` label; empty = the pod's namespace.
        pushgateway_url: Pushgateway URL, e.g. http://pushgateway.monitoring:9091;
            empty: only write the text artifact.
        pipeline_name: Pipeline name in the grouping key (one group per model and pipeline).

    Returns:
        metrics_text: The metrics in Prometheus text exposition format.
        Output: The run timestamp (Unix seconds) published as
            driftline_last_run_timestamp_seconds.
    """
    from driftline.exits import exit_on_error
    from driftline.observability.publish import publish_monitoring_metrics
    from driftline.serving.pod import default_namespace

    with exit_on_error():
        result = publish_monitoring_metrics(
            model_name or model,
            default_namespace(namespace),
            drift_report=drift_report.path if drift_report is not None else None,
            validation_report=validation_report.path if validation_report is not None else None,
            performance_report=performance_report.path if performance_report is not None else None,
            pushgateway_url=pushgateway_url or None,
            out_path=metrics_text.path,
            pipeline=pipeline_name,
        )
        metrics_text.metadata.update(
            {"grouping_key": result.grouping_key, "pushed_to": result.pushed_to or ""}
        )
        return result.run_timestamp
