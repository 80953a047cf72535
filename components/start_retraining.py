"""Component: start a run of the user's retraining pipeline through the KFP API."""

from kfp import dsl

from driftline.components.image import IMAGE


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def start_retraining(
    pipeline_id: str = "",
    pipeline_version_id: str = "",
    experiment_id: str = "",
    parameters: dict = {},  # noqa: B006  KFP takes the default from the signature
    model: str = "",
    kfp_host: str = "",
) -> str:
    """Start a run of a retraining pipeline already uploaded to KFP.

    Authenticates with the pipeline-runner's projected service-account token
    (KF_PIPELINES_SA_TOKEN_PATH), as KFP pods do.

    Args:
        pipeline_id: Id of the uploaded retraining pipeline; empty starts nothing.
        pipeline_version_id: Version to run; empty runs the latest version.
        experiment_id: Experiment for the new run; empty uses the default experiment.
        parameters: Runtime parameters of the retraining run.
        model: Model reference, used in the run's display name.
        kfp_host: KFP API endpoint; empty uses KF_PIPELINES_ENDPOINT or the in-cluster service.

    Returns:
        Output: The id of the started run, or an empty string when none was started.
    """
    from driftline.alerting.kfp_rest import start_pipeline_run
    from driftline.exits import exit_on_error

    with exit_on_error():
        if not pipeline_id:
            print("no retraining pipeline given: nothing started")
            return ""
        return start_pipeline_run(
            pipeline_id=pipeline_id,
            pipeline_version_id=pipeline_version_id,
            experiment_id=experiment_id,
            parameters=parameters,
            display_name=f"retrain {model}".strip(),
            host=kfp_host,
        )
