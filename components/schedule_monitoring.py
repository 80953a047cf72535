"""Component: create the recurring scheduled-monitoring run for a deployed model."""

from kfp import dsl

from driftline.components.image import IMAGE


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def schedule_monitoring(
    pipeline_id: str = "",
    pipeline_version_id: str = "",
    model: str = "",
    store: str = "",
    parameters: dict = {},  # noqa: B006  KFP takes the default from the signature
    display_name: str = "",
    cron: str = "",
    interval_seconds: int = 3600,
    max_concurrency: int = 1,
    catchup: bool = True,
    experiment_id: str = "",
    enabled: bool = True,
    service_account: str = "",
    kfp_host: str = "",
    model_name: str = "",
) -> str:
    """Create (or keep) the recurring run of the scheduled-monitoring pipeline for a model.

    Idempotent by display name: an existing recurring run with the same settings is kept,
    one with other settings is replaced. Authenticates with the projected service-account
    token at KF_PIPELINES_SA_TOKEN_PATH (Kubeflow's access-ml-pipeline PodDefault).

    Args:
        pipeline_id: Id of the uploaded scheduled-monitoring pipeline; empty schedules nothing.
        pipeline_version_id: Version to run; empty runs the latest version at each run.
        model: The model (MLMD id or URI), passed as the run parameter "model".
        store: Lineage store URI, passed as the run parameter "store" when not empty.
        parameters: Further run parameters of the monitoring pipeline (window source, ...).
        display_name: Name of the recurring run; empty: "driftline monitoring <model>".
        cron: Cron schedule, 5 fields ("0 * * * *") or KFP's 6; wins over interval_seconds.
        interval_seconds: Run every this many seconds when no cron is given.
        max_concurrency: How many runs may run at once (1-10).
        catchup: Backfill missed intervals (each run checks its own scheduled window).
        experiment_id: Experiment of the runs; empty = the default experiment.
        enabled: Create the schedule enabled (or disabled, to enable it later).
        service_account: Kubernetes service account of the runs; empty = KFP's default.
        kfp_host: KFP API endpoint; empty uses KF_PIPELINES_ENDPOINT or the in-cluster service.
        model_name: Run parameter "model_name" (the metrics' model label) unless parameters
            has one; e.g. the InferenceService name.

    Returns:
        Output: The recurring run id, or an empty string when nothing was scheduled.
    """
    from driftline.alerting.kfp_rest import schedule_monitoring as schedule
    from driftline.exits import exit_on_error

    with exit_on_error():
        scheduled = schedule(
            pipeline_id=pipeline_id,
            pipeline_version_id=pipeline_version_id,
            model=model,
            store=store,
            parameters=parameters,
            display_name=display_name,
            cron=cron,
            interval_seconds=interval_seconds,
            max_concurrency=max_concurrency,
            catchup=catchup,
            experiment_id=experiment_id,
            enabled=enabled,
            service_account=service_account,
            host=kfp_host,
            model_name=model_name,
        )
        return scheduled.recurring_run_id if scheduled else ""
