"""Component: record one monitoring result (reports + model) in ML Metadata."""

from typing import NamedTuple, Optional

from kfp.dsl import HTML, Artifact, Dataset, Input

from driftline.components._declare import component


@component
def record_monitoring_result(
    validation_report: Input[Artifact] = None,  # type: ignore[assignment]
    drift_report: Input[Artifact] = None,  # type: ignore[assignment]
    performance_report: Input[Artifact] = None,  # type: ignore[assignment]
    baseline: Input[Dataset] = None,  # type: ignore[assignment]
    window: Input[Dataset] = None,  # type: ignore[assignment]
    model: Optional[str] = None,  # noqa: UP045  kfp 2.13 does not parse `X | None`
    store: Optional[str] = None,  # noqa: UP045
    run_id: Optional[str] = None,  # noqa: UP045
    task: Optional[str] = None,  # noqa: UP045
    window_uri: Optional[str] = None,  # noqa: UP045
    window_start: Optional[str] = None,  # noqa: UP045
    window_end: Optional[str] = None,  # noqa: UP045
    validation_page: Input[HTML] = None,  # type: ignore[assignment]
    drift_page: Input[HTML] = None,  # type: ignore[assignment]
    performance_page: Input[HTML] = None,  # type: ignore[assignment]
) -> NamedTuple("Outputs", [("monitoring_run_id", int)]):  # type: ignore[valid-type]
    """Record a monitoring run in ML Metadata, linked to the model, its baseline and the reports.

    Args:
        validation_report: Validation report JSON (kind "validation"); optional.
        drift_report: Drift report JSON (kind "drift"); optional.
        performance_report: Performance report JSON (kind "performance"); optional.
        baseline: The baseline from resolve_baseline (its metadata names the model and the
            baseline artifact ids); optional when model is given.
        window: The production window from load_window (recorded as an input; its metadata
            gives the window bounds); optional.
        model: The model (MLMD id or URI); unset = the model_id in the baseline's metadata.
            With MLflow the result goes to the version resolve_baseline resolved (the
            baseline's model_uri), so an alias moving meanwhile does not redirect it.
        store: Lineage store URI (mlflow+https://... = the model version's source run in
            MLflow); unset = the in-cluster MLMD service.
        run_id: Pipeline run id; pass dsl.PIPELINE_JOB_ID_PLACEHOLDER.
        task: Task name; pass dsl.PIPELINE_TASK_NAME_PLACEHOLDER. With run_id it makes the
            write idempotent: a retried task records nothing twice.
        window_uri: URI of the production window data; unset = the window artifact's URI.
        window_start: Start of the monitored window (ISO 8601); unset = from the window.
        window_end: End of the monitored window (ISO 8601); unset = from the window.
        validation_page: The validation report's HTML page; optional (MLflow stores the
            pages beside the reports; KFP records them in ML Metadata itself).
        drift_page: The drift report's HTML page; optional.
        performance_page: The performance report's HTML page; optional.

    Returns:
        monitoring_run_id: The MLMD id of the driftline.MonitoringRun execution.
    """
    from driftline.exits import exit_on_error
    from driftline.platforms.kfp.steps.lineage import record_monitoring_result_outputs

    with exit_on_error():
        return record_monitoring_result_outputs(
            [validation_report, drift_report, performance_report],
            baseline=baseline,
            window=window,
            model=model,
            store=store,
            run_id=run_id,
            task=task,
            window_uri=window_uri,
            window_start=window_start,
            window_end=window_end,
            pages={
                "validation": validation_page,
                "drift": drift_page,
                "performance": performance_page,
            },
        )
