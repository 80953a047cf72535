"""publish_metrics: a monitoring run's reports as Prometheus metrics (Pushgateway + text)."""

from typing import NamedTuple, Optional

from kfp.dsl import Artifact, Input, Output

from driftline.components._declare import component


@component
def publish_metrics(
    metrics_text: Output[Artifact],
    drift_report: Input[Artifact] = None,  # type: ignore[assignment]
    validation_report: Input[Artifact] = None,  # type: ignore[assignment]
    performance_report: Input[Artifact] = None,  # type: ignore[assignment]
    model_name: Optional[str] = None,  # noqa: UP045  kfp 2.13 does not parse `X | None`
    model: Optional[str] = None,  # noqa: UP045
    namespace: Optional[str] = None,  # noqa: UP045
    pushgateway_url: Optional[str] = None,  # noqa: UP045
    pipeline_name: str = "scheduled-monitoring",
    sagemaker_endpoint: Optional[str] = None,  # noqa: UP045
    monitoring_schedule: Optional[str] = None,  # noqa: UP045
) -> NamedTuple("Outputs", [("run_timestamp", float)]):  # type: ignore[valid-type]
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
        model: The model reference (MLMD id or URI); the `model` label when model_name is unset.
        namespace: Namespace of the model: the `namespace` label; unset = the pod's namespace.
        pushgateway_url: Pushgateway URL, e.g. http://pushgateway.monitoring:9091;
            unset: only write the text artifact.
        pipeline_name: Pipeline name in the grouping key (one group per model and pipeline).
        sagemaker_endpoint: A SageMaker endpoint name: the headline metrics also go to
            CloudWatch (PutMetricData, Model Monitor's namespace, dimensions Endpoint and
            MonitoringSchedule), with AWS credentials from the standard chain (pod role or
            AWS_* variables); unset: no CloudWatch.
        monitoring_schedule: The MonitoringSchedule dimension of the CloudWatch metrics.

    Returns:
        metrics_text: The metrics in Prometheus text exposition format.
        run_timestamp: The run timestamp (Unix seconds) published as
            driftline_last_run_timestamp_seconds.
    """
    from driftline.exits import exit_on_error
    from driftline.platforms.kfp.steps.monitoring import publish_metrics_outputs

    with exit_on_error():
        return publish_metrics_outputs(
            metrics_text,
            drift_report=drift_report,
            validation_report=validation_report,
            performance_report=performance_report,
            model_name=model_name,
            model=model,
            namespace=namespace,
            pushgateway_url=pushgateway_url,
            pipeline_name=pipeline_name,
            sagemaker_endpoint=sagemaker_endpoint,
            monitoring_schedule=monitoring_schedule,
        )
