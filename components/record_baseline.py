"""Component: record a baseline profile for a model in ML Metadata."""

from kfp import dsl
from kfp.dsl import Artifact, Dataset, Input

from driftline.components.image import IMAGE


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def record_baseline(
    baseline: Input[Dataset],
    profile: Input[Artifact],
    model: str = "",
    store: str = "",
    run_id: str = "",
    task: str = "",
) -> int:
    """Record a baseline profile as the model's baseline in ML Metadata.

    Writes a driftline.BaselineRun execution (inputs: the model and its training data,
    output: a driftline.BaselineProfile artifact) in the model's driftline.MonitoredModel
    context, so resolve_baseline returns this profile from now on.

    Args:
        baseline: The baseline from resolve_baseline (its metadata names the model and the
            training dataset's MLMD id).
        profile: The profile from profile_baseline (JSON, kind "profile").
        model: The model (MLMD id or URI); empty = the model_id in the baseline's metadata.
        store: Lineage store URI; empty = the in-cluster MLMD service.
        run_id: Pipeline run id; pass dsl.PIPELINE_JOB_ID_PLACEHOLDER.
        task: Task name; pass dsl.PIPELINE_TASK_NAME_PLACEHOLDER. With run_id it makes the
            write idempotent: a retried task records nothing twice.

    Returns:
        Output: The MLMD id of the driftline.BaselineProfile artifact.
    """
    from driftline.exits import exit_on_error
    from driftline.lineage.artifacts import record_baseline_from_artifacts

    with exit_on_error():
        return record_baseline_from_artifacts(
            store, model, baseline, profile, run_id=run_id, task=task
        )
