"""Component: start a run of the user's retraining pipeline through the KFP API."""

from typing import NamedTuple, Optional

from driftline.components._declare import component


@component
def start_retraining(
    pipeline_id: Optional[str] = None,  # noqa: UP045  kfp 2.13 does not parse `X | None`
    pipeline_version_id: Optional[str] = None,  # noqa: UP045
    experiment_id: Optional[str] = None,  # noqa: UP045
    parameters: Optional[dict] = None,  # noqa: UP045
    model: Optional[str] = None,  # noqa: UP045
    triggered_by: Optional[str] = None,  # noqa: UP045
    kfp_host: Optional[str] = None,  # noqa: UP045
) -> NamedTuple("Outputs", [("run_id", str)]):  # type: ignore[valid-type]
    """Start a run of a retraining pipeline already uploaded to KFP.

    Authenticates with the pipeline-runner's projected service-account token
    (KF_PIPELINES_SA_TOKEN_PATH), as KFP pods do.

    Args:
        pipeline_id: Id of the uploaded retraining pipeline; unset starts nothing.
        pipeline_version_id: Version to run; unset runs the latest version.
        experiment_id: Experiment for the new run; unset uses the default experiment.
        parameters: Runtime parameters of the retraining run.
        model: Model reference, used in the run's display name.
        triggered_by: Id of the monitoring run that asks for retraining (pass
            dsl.PIPELINE_JOB_ID_PLACEHOLDER): the run is named after it and started once,
            so a retried task starts no second run.
        kfp_host: KFP API endpoint; unset uses KF_PIPELINES_ENDPOINT or the in-cluster service.

    Returns:
        run_id: The id of the started run, or an empty string when none was started.
    """
    from driftline.exits import exit_on_error
    from driftline.platforms.kfp.steps.scheduling import start_retraining_outputs

    with exit_on_error():
        return start_retraining_outputs(
            pipeline_id=pipeline_id,
            pipeline_version_id=pipeline_version_id,
            experiment_id=experiment_id,
            parameters=parameters,
            model=model,
            triggered_by=triggered_by,
            kfp_host=kfp_host,
        )
