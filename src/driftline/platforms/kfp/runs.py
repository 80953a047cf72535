"""Experiments and runs: find or create an experiment by name, start a run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from driftline.errors import InputError, PlatformError
from driftline.platforms.kfp.api import KfpApiClient
from driftline.platforms.kfp.recurring import run_target


def ensure_experiment(api: KfpApiClient, name: str) -> str:
    """The id of the experiment called `name` in the client's namespace, created if missing."""
    if not name.strip():
        raise InputError("`experiment` is empty: name an experiment", param="experiment")
    scope = {"namespace": api.namespace} if api.namespace else {}
    found = api.find_by_name("experiments", "experiments", name, "list experiments", scope)
    if found:
        return str(found[0]["experiment_id"])
    body = {"display_name": name, **scope}
    created = api.call("POST", "experiments", f"create experiment {name!r}", body=body)
    return str(created["experiment_id"])


def start_run(
    api: KfpApiClient,
    *,
    pipeline_id: str,
    display_name: str,
    parameters: Mapping[str, Any] | None = None,
    pipeline_version_id: str = "",
    experiment_id: str = "",
    service_account: str = "",
    once: bool = False,
) -> tuple[str, bool]:
    """Start a run of pipeline `pipeline_id` (its latest version unless given).

    Returns (run id, started). With `once`, a run already called `display_name` (in the
    experiment when given) is returned instead of starting another, so a retried caller
    starts one run: give such a run a name unique to what triggered it.
    """
    if not pipeline_id:
        raise InputError("`pipeline_id` is required to start a run", param="pipeline_id")
    if not display_name.strip():
        raise InputError("`run_name` is empty: name the run", param="run_name")
    if once:
        scope = {"experiment_id": experiment_id} if experiment_id else {}
        if not experiment_id and api.namespace:
            scope = {"namespace": api.namespace}
        found = api.find_by_name("runs", "runs", display_name, "list runs", scope)
        if found:
            return str(found[0]["run_id"]), False
    body: dict[str, Any] = {
        "display_name": display_name,
        "pipeline_version_reference": run_target(pipeline_id, pipeline_version_id),
        "runtime_config": {"parameters": dict(parameters or {})},
    }
    if experiment_id:
        body["experiment_id"] = experiment_id
    if service_account:
        body["service_account"] = service_account
    run_id = api.call("POST", "runs", "start the run", body=body).get("run_id")
    if not run_id:
        raise PlatformError(f"KFP API at {api.base} answered without a run_id")
    return str(run_id), True
