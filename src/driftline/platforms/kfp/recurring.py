"""Recurring runs by name: ensure one exists with given settings, or disable it.

KFP has no update for recurring runs, so "update" is create-then-delete: a new
recurring run is created first and the stale ones of the same name are deleted
afterwards, and a failed create leaves the old schedule running. The settings'
hash is kept in the description, so equal settings are recognised and left alone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from driftline.errors import InputError, PlatformError
from driftline.platforms.kfp.api import KfpApiClient
from driftline.platforms.kfp.triggers import make_trigger

MAX_CONCURRENCY = range(1, 11)  # the API's documented range [1-10]
SETTINGS_MARK = "driftline-settings:"


@dataclass(frozen=True)
class RecurringRun:
    """The recurring run that now exists and what was done.

    `action`: created, updated (a new one replaced `replaced`), unchanged or disabled.
    """

    recurring_run_id: str
    action: str
    display_name: str
    replaced: tuple[str, ...] = ()


def recurring_run_body(
    *,
    display_name: str,
    pipeline_id: str,
    pipeline_version_id: str = "",
    parameters: Mapping[str, Any] | None = None,
    cron: str | None = None,
    interval: str | int | None = None,
    start_time: str | None = None,
    end_time: str | None = None,
    max_concurrency: int = 1,
    catchup: bool = True,
    enabled: bool = True,
    experiment_id: str = "",
    service_account: str = "",
    description: str = "",
) -> dict[str, Any]:
    """The v2beta1 RecurringRun create body, checked offline; its description ends with
    the settings' hash."""
    if not display_name.strip():
        raise InputError("the recurring run's name is empty", param="display_name")
    if not pipeline_id:
        raise InputError("`pipeline_id` is required to schedule runs", param="pipeline_id")
    check_max_concurrency(max_concurrency)
    body: dict[str, Any] = {
        "display_name": display_name,
        "pipeline_version_reference": run_target(pipeline_id, pipeline_version_id),
        "runtime_config": {"parameters": dict(parameters or {})},
        "trigger": make_trigger(
            cron=cron, interval=interval, start_time=start_time, end_time=end_time
        ),
        "max_concurrency": str(max_concurrency),
        "no_catchup": not catchup,
        "mode": "ENABLE" if enabled else "DISABLE",
    }
    if experiment_id:
        body["experiment_id"] = experiment_id
    if service_account:
        body["service_account"] = service_account
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]
    body["description"] = f"{description} ({SETTINGS_MARK}{digest})".lstrip()
    return body


def ensure_recurring_run(api: KfpApiClient, body: Mapping[str, Any]) -> RecurringRun:
    """Make sure exactly one recurring run called `body["display_name"]` has these settings.

    Recurring runs of that name are looked up (in the body's experiment, else the client's
    namespace). One with the same settings is kept ("unchanged"); else the new one is
    created ("created", or "updated" when others of that name existed, which are then
    deleted).
    """
    name = str(body["display_name"])
    existing = find_recurring_runs(api, name, str(body.get("experiment_id") or ""))
    same = [r for r in existing if r.get("description") == body["description"]]
    if same:
        keep, action = str(same[0]["recurring_run_id"]), "unchanged"
    else:
        created = api.call("POST", "recurringruns", "create the recurring run", body=dict(body))
        keep = str(created.get("recurring_run_id") or "")
        if not keep:
            raise PlatformError(f"KFP API at {api.base} answered without a recurring_run_id")
        action = "updated" if existing else "created"
    stale = tuple(str(r["recurring_run_id"]) for r in existing if r["recurring_run_id"] != keep)
    for run_id in stale:
        api.call("DELETE", f"recurringruns/{run_id}", f"delete stale recurring run {run_id}")
    return RecurringRun(keep, action, name, stale)


def disable_recurring_run(
    api: KfpApiClient, display_name: str, experiment_id: str = ""
) -> RecurringRun | None:
    """Pause the recurring run called `display_name` (None when there is none).

    Idempotent: disabling a disabled recurring run changes nothing.
    """
    found = find_recurring_runs(api, display_name, experiment_id)
    for run in found:
        if run.get("status") != "DISABLED":
            run_id = run["recurring_run_id"]
            api.call("POST", f"recurringruns/{run_id}:disable", f"disable {display_name!r}")
    if not found:
        return None
    return RecurringRun(str(found[0]["recurring_run_id"]), "disabled", display_name)


def find_recurring_runs(
    api: KfpApiClient, display_name: str, experiment_id: str = ""
) -> list[dict[str, Any]]:
    """Every recurring run called exactly `display_name` (in the experiment when given)."""
    scope = {"experiment_id": experiment_id} if experiment_id else {}
    if not experiment_id and api.namespace:
        scope = {"namespace": api.namespace}
    return api.find_by_name(
        "recurringruns", "recurring_runs", display_name, "list recurring runs", scope
    )


def schedule_monitoring(
    api: KfpApiClient,
    *,
    pipeline_id: str | None,
    model: str | None = None,
    store: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    display_name: str | None = None,
    cron: str | None = None,
    interval_seconds: int = 3600,
    model_name: str | None = None,
    **options: Any,
) -> RecurringRun | None:
    """The recurring scheduled-monitoring run for `model` (None when `pipeline_id` is empty).

    `model` and `store` become the run parameters of those names (added to `parameters`);
    `model_name` (the metrics' `model` label) is added unless `parameters` has one; the
    display name defaults to "driftline monitoring <model>"; `cron`, when given, wins over
    `interval_seconds`. Other options are those of `recurring_run_body`.
    """
    if not pipeline_id:
        return None
    extra = {k: v for k, v in (("model", model), ("store", store)) if v}
    defaults = {"model_name": model_name} if model_name else {}
    body = recurring_run_body(
        display_name=display_name or f"driftline monitoring {model or ''}".strip(),
        pipeline_id=pipeline_id,
        parameters={**defaults, **(parameters or {}), **extra},
        cron=cron or None,
        interval=None if cron else interval_seconds,
        **options,
    )
    return ensure_recurring_run(api, body)


def check_max_concurrency(value: int) -> int:
    """`value` if KFP accepts it as max_concurrency (1-10); else InputError."""
    if value not in MAX_CONCURRENCY:
        raise InputError(
            f"`max_concurrency` must be between 1 and 10, got {value}", param="max_concurrency"
        )
    return value


def run_target(pipeline_id: str, pipeline_version_id: str = "") -> dict[str, str]:
    """A v2beta1 pipeline_version_reference (no version = the pipeline's latest)."""
    reference = {"pipeline_id": pipeline_id}
    if pipeline_version_id:
        reference["pipeline_version_id"] = pipeline_version_id
    return reference
