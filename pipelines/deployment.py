"""The deployment pipeline: deploy with KServe, baseline the model, set up monitoring, schedule.

`deploy_and_baseline` is the part kfp's local runner can run (no control flow);
`deployment`, the published pipeline, wraps it and schedules the recurring
monitoring run only when a monitoring pipeline id is given (`dsl.If`).

Tasks with side effects (deploy, baseline record, monitoring setup, scheduling) and
the lineage lookup are not cached: re-running the pipeline re-applies and re-checks.
Parameters a user may leave out default to the zero value of their type (see
docs/components.md).
"""

from kfp import dsl, kubernetes

from driftline import component_io as io
from driftline.components.deploy_model import deploy_model
from driftline.components.profile_baseline import profile_baseline
from driftline.components.record_baseline import record_baseline
from driftline.components.resolve_baseline import resolve_baseline
from driftline.components.schedule_monitoring import schedule_monitoring
from driftline.components.setup_monitoring import setup_monitoring
from driftline.platforms.kfp.local import refuse_venv_runner

#: Kubeflow's PodDefault `access-ml-pipeline` mounts a KFP API token on pods with this label.
KFP_API_ACCESS_LABEL = ("access-ml-pipeline", "true")


@dsl.pipeline(name="driftline-deploy-and-baseline")
def deploy_and_baseline(
    model_uri: str,
    isvc_name: str,
    namespace: str = "",
    model_format: str = "sklearn",
    runtime: str = "",
    protocol_version: str = "v2",
    logger_url: str = "",
    logger_mode: str = "all",
    service_account: str = "",
    wait_timeout_seconds: int = 600,
    store: str = "",
    dataset_name: str = "",
    monitor_kind: str = "PodMonitor",
    drift_share_threshold: float = 0.5,
    calibration_window: str = "",
    baseline_timestamp_column: str = "",
    schedule_interval_seconds: int = 3600,
    dry_run: bool = False,
) -> str:
    """Deploy the model, record a baseline profile of its training data, set up monitoring.

    Returns the InferenceService URL ("" on a dry run).
    """
    deployed = deploy_model(
        model_uri=model_uri,
        isvc_name=isvc_name,
        namespace=namespace,
        model_format=model_format,
        runtime=runtime,
        protocol_version=protocol_version,
        logger_url=logger_url,
        logger_mode=logger_mode,
        service_account=service_account,
        wait_timeout_seconds=wait_timeout_seconds,
        dry_run=dry_run,
    ).set_display_name("deploy model")
    # an empty namespace means the pod's own (the user's profile namespace in multi-user KFP)
    kubernetes.use_field_path_as_env(deployed, "POD_NAMESPACE", "metadata.namespace")

    resolved = resolve_baseline(
        model=model_uri, store=store, dataset_name=dataset_name, require="dataset"
    ).after(deployed)
    profiled = profile_baseline(
        dataset=resolved.outputs[io.BASELINE],
        calibration_window=calibration_window,
        timestamp_column=baseline_timestamp_column,
    )
    recorded = record_baseline(
        baseline=resolved.outputs[io.BASELINE],
        profile=profiled.outputs[io.PROFILE],
        store=store,
        run_id=dsl.PIPELINE_JOB_ID_PLACEHOLDER,
        task=dsl.PIPELINE_TASK_NAME_PLACEHOLDER,
    )
    monitoring = setup_monitoring(
        isvc_name=isvc_name,
        namespace=deployed.outputs[io.NAMESPACE],
        logger_mode=logger_mode,
        sink_url=logger_url,
        monitor_kind=monitor_kind,
        drift_share_threshold=drift_share_threshold,
        schedule_interval_seconds=schedule_interval_seconds,
        dry_run=dry_run,
    )
    for task in (deployed, resolved, recorded, monitoring):
        task.set_caching_options(False)
    return deployed.outputs[io.URL]


@dsl.pipeline(
    name="driftline-deployment",
    description="Deploy a model with KServe, record its baseline profile in ML Metadata, "
    "set up its monitoring and schedule the recurring monitoring run.",
)
def deployment(
    model_uri: str,
    isvc_name: str,
    namespace: str = "",
    model_format: str = "sklearn",
    runtime: str = "",
    protocol_version: str = "v2",
    logger_url: str = "",
    logger_mode: str = "all",
    service_account: str = "",
    wait_timeout_seconds: int = 600,
    store: str = "",
    dataset_name: str = "",
    monitor_kind: str = "PodMonitor",
    drift_share_threshold: float = 0.5,
    calibration_window: str = "",
    baseline_timestamp_column: str = "",
    monitoring_pipeline_id: str = "",
    monitoring_pipeline_version_id: str = "",
    monitoring_parameters: dict = {},  # noqa: B006  KFP takes the default from the signature
    cron: str = "",
    interval_seconds: int = 3600,
    max_concurrency: int = 1,
    catchup: bool = True,
    experiment_id: str = "",
    dry_run: bool = False,
) -> str:
    """Deploy, baseline and monitor a model; schedule monitoring if a pipeline id is given.

    Returns the InferenceService URL ("" on a dry run).
    """
    core = deploy_and_baseline(
        model_uri=model_uri,
        isvc_name=isvc_name,
        namespace=namespace,
        model_format=model_format,
        runtime=runtime,
        protocol_version=protocol_version,
        logger_url=logger_url,
        logger_mode=logger_mode,
        service_account=service_account,
        wait_timeout_seconds=wait_timeout_seconds,
        store=store,
        dataset_name=dataset_name,
        monitor_kind=monitor_kind,
        drift_share_threshold=drift_share_threshold,
        calibration_window=calibration_window,
        baseline_timestamp_column=baseline_timestamp_column,
        schedule_interval_seconds=interval_seconds,
        dry_run=dry_run,
    ).set_display_name("deploy and baseline")
    with dsl.If(monitoring_pipeline_id != "", name="schedule-requested"):
        scheduled = schedule_monitoring(
            pipeline_id=monitoring_pipeline_id,
            pipeline_version_id=monitoring_pipeline_version_id,
            model=model_uri,
            model_name=isvc_name,
            store=store,
            parameters=monitoring_parameters,
            cron=cron,
            interval_seconds=interval_seconds,
            max_concurrency=max_concurrency,
            catchup=catchup,
            experiment_id=experiment_id,
        ).after(core)
        scheduled.set_caching_options(False)
        kubernetes.add_pod_label(scheduled, *KFP_API_ACCESS_LABEL)
    return core.output


deploy_and_baseline = refuse_venv_runner(deploy_and_baseline)
deployment = refuse_venv_runner(deployment)
