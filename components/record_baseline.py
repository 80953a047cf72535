"""Component: record a baseline profile for a model in ML Metadata."""

from typing import NamedTuple, Optional

from kfp.dsl import Artifact, Dataset, Input

from driftline.components._declare import component


@component
def record_baseline(
    baseline: Input[Dataset],
    profile: Input[Artifact],
    model: Optional[str] = None,  # noqa: UP045  kfp 2.13 does not parse `X | None`
    store: Optional[str] = None,  # noqa: UP045
    run_id: Optional[str] = None,  # noqa: UP045
    task: Optional[str] = None,  # noqa: UP045
) -> NamedTuple("Outputs", [("profile_id", int)]):  # type: ignore[valid-type]
    """Record a baseline profile as the model's baseline in ML Metadata.

    Writes a driftline.BaselineRun execution (inputs: the model and its training data,
    output: a driftline.BaselineProfile artifact) in the model's driftline.MonitoredModel
    context, so resolve_baseline returns this profile from now on.

    Args:
        baseline: The baseline from resolve_baseline (its metadata names the model and the
            training dataset's MLMD id).
        profile: The profile from profile_baseline (JSON, kind "profile").
        model: The model (MLMD id or URI); unset = the model_id in the baseline's metadata.
        store: Lineage store URI; unset = the in-cluster MLMD service.
        run_id: Pipeline run id; pass dsl.PIPELINE_JOB_ID_PLACEHOLDER.
        task: Task name; pass dsl.PIPELINE_TASK_NAME_PLACEHOLDER. With run_id it makes the
            write idempotent: a retried task records nothing twice.

    Returns:
        profile_id: The MLMD id of the driftline.BaselineProfile artifact.
    """
    from driftline.exits import exit_on_error
    from driftline.platforms.kfp.steps.lineage import record_baseline_outputs

    with exit_on_error():
        return record_baseline_outputs(
            baseline, profile, model=model, store=store, run_id=run_id, task=task
        )
