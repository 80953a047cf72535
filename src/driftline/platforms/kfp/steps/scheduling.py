"""Glue of schedule_monitoring and start_retraining: KFP API calls from inside a pipeline.

The client finds the in-cluster API and the pod's projected service-account token
(see `platforms.kfp.api`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from driftline.component_io import given


class ScheduleOutputs(NamedTuple):
    """schedule_monitoring's returned outputs."""

    recurring_run_id: str


class RetrainOutputs(NamedTuple):
    """start_retraining's returned outputs."""

    run_id: str


def schedule_monitoring_outputs(
    *,
    pipeline_id: str | None,
    pipeline_version_id: str | None = None,
    model: str | None = None,
    store: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    display_name: str | None = None,
    cron: str | None = None,
    experiment_id: str | None = None,
    service_account: str | None = None,
    kfp_host: str | None = None,
    model_name: str | None = None,
    **options: Any,
) -> ScheduleOutputs:
    """Ensure the model's recurring monitoring run by name; "" when no pipeline is given.

    Other options: interval_seconds, max_concurrency, catchup, enabled.
    """
    from driftline.platforms.kfp.api import KfpApiClient
    from driftline.platforms.kfp.recurring import schedule_monitoring

    scheduled = schedule_monitoring(
        KfpApiClient(given(kfp_host) or ""),
        pipeline_id=given(pipeline_id),
        pipeline_version_id=given(pipeline_version_id) or "",
        model=given(model),
        store=given(store),
        parameters=given(parameters),
        display_name=given(display_name),
        cron=given(cron),
        experiment_id=given(experiment_id) or "",
        service_account=given(service_account) or "",
        model_name=given(model_name),
        **options,
    )
    if scheduled is None:
        print("no monitoring pipeline given: nothing scheduled")
        return ScheduleOutputs("")
    print(f"recurring run {scheduled.display_name!r}: {scheduled.action}")
    return ScheduleOutputs(scheduled.recurring_run_id)


def start_retraining_outputs(
    *,
    pipeline_id: str | None,
    pipeline_version_id: str | None = None,
    experiment_id: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    model: str | None = None,
    triggered_by: str | None = None,
    kfp_host: str | None = None,
) -> RetrainOutputs:
    """Start one retraining run; "" when no pipeline is given.

    With `triggered_by` (the monitoring run's id) the run is named after it and started
    once: a retried task finds the run it started before.
    """
    from driftline.platforms.kfp.api import KfpApiClient
    from driftline.platforms.kfp.runs import start_run

    if not given(pipeline_id):
        print("no retraining pipeline given: nothing started")
        return RetrainOutputs("")
    name = f"retrain {given(model) or ''}".strip()
    trigger = given(triggered_by)
    if trigger:
        name = f"{name} after {trigger}"
    run_id, started = start_run(
        KfpApiClient(given(kfp_host) or ""),
        pipeline_id=str(pipeline_id),
        pipeline_version_id=given(pipeline_version_id) or "",
        experiment_id=given(experiment_id) or "",
        parameters=given(parameters),
        display_name=name,
        once=bool(trigger),
    )
    print(f"retraining run {name!r} {'started' if started else 'already started'}: {run_id}")
    return RetrainOutputs(run_id)
