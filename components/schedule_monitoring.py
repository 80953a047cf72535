"""Component: create the recurring scheduled-monitoring run for a deployed model."""

from typing import NamedTuple, Optional

from driftline.components._declare import component


@component
def schedule_monitoring(
    pipeline_id: Optional[str] = None,  # noqa: UP045  kfp 2.13 does not parse `X | None`
    pipeline_version_id: Optional[str] = None,  # noqa: UP045
    model: Optional[str] = None,  # noqa: UP045
    store: Optional[str] = None,  # noqa: UP045
    parameters: Optional[dict] = None,  # noqa: UP045
    display_name: Optional[str] = None,  # noqa: UP045
    cron: Optional[str] = None,  # noqa: UP045
    interval_seconds: int = 3600,
    max_concurrency: int = 1,
    catchup: bool = True,
    experiment_id: Optional[str] = None,  # noqa: UP045
    enabled: bool = True,
    service_account: Optional[str] = None,  # noqa: UP045
    kfp_host: Optional[str] = None,  # noqa: UP045
    model_name: Optional[str] = None,  # noqa: UP045
) -> NamedTuple("Outputs", [("recurring_run_id", str)]):  # type: ignore[valid-type]
    """Create (or keep) the recurring run of the scheduled-monitoring pipeline for a model.

    Idempotent by display name: an existing recurring run with the same settings is kept,
    one with other settings is replaced. Authenticates with the projected service-account
    token at KF_PIPELINES_SA_TOKEN_PATH (Kubeflow's access-ml-pipeline PodDefault).

    Args:
        pipeline_id: Id of the uploaded scheduled-monitoring pipeline; unset schedules nothing.
        pipeline_version_id: Version to run; unset runs the latest version at each run.
        model: The model (MLMD id or URI), passed as the run parameter "model".
        store: Lineage store URI, passed as the run parameter "store" when set.
        parameters: Further run parameters of the monitoring pipeline (window source, ...).
        display_name: Name of the recurring run; unset: "driftline monitoring <model>".
        cron: Cron schedule, 5 fields ("0 * * * *") or KFP's 6; wins over interval_seconds.
        interval_seconds: Run every this many seconds when no cron is given.
        max_concurrency: How many runs may run at once (1-10).
        catchup: Backfill missed intervals (each run checks its own scheduled window).
        experiment_id: Experiment of the runs; unset = the default experiment.
        enabled: Create the schedule enabled (or disabled, to enable it later).
        service_account: Kubernetes service account of the runs; unset = KFP's default.
        kfp_host: KFP API endpoint; unset uses KF_PIPELINES_ENDPOINT or the in-cluster service.
        model_name: Run parameter "model_name" (the metrics' model label) unless parameters
            has one; e.g. the InferenceService name.

    Returns:
        recurring_run_id: The recurring run id, or an empty string when nothing was scheduled.
    """
    from driftline.exits import exit_on_error
    from driftline.platforms.kfp.steps.scheduling import schedule_monitoring_outputs

    with exit_on_error():
        return schedule_monitoring_outputs(
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
            kfp_host=kfp_host,
            model_name=model_name,
        )
