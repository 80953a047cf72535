"""Upload, schedule and run compiled pipelines: what `driftline upload | schedule | run` do.

- `upload` is idempotent by content (see `uploads.upload_pipeline`).
- `schedule` uploads first, then keeps one recurring run per name: created, updated
  (replaced) when its settings changed, or left unchanged.
- `run` uploads first and starts one run.
- Everything that can be checked offline (the file, the parameters against the
  pipeline's inputs, the trigger, names, limits) is checked before the first request,
  so bad input is exit code 2 even when the host is down.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from driftline.errors import InputError
from driftline.platforms.kfp.api import KfpApiClient
from driftline.platforms.kfp.recurring import ensure_recurring_run, recurring_run_body
from driftline.platforms.kfp.runs import ensure_experiment, start_run
from driftline.platforms.kfp.uploads import (
    Uploaded,
    check_params,
    read_package,
    upload_pipeline,
)

OFFLINE_PIPELINE_ID = "offline-check"


@dataclass(frozen=True)
class Published:
    """What upload/schedule/run did, printed as JSON by the CLI."""

    action: str  # upload: created | new_version | unchanged; schedule: created | updated |
    # unchanged (the recurring run); run: started
    pipeline_id: str
    pipeline_version_id: str
    pipeline_name: str
    version_name: str
    url: str
    upload: str | None = None  # schedule and run: what uploading did
    experiment_id: str | None = None
    recurring_run_id: str | None = None
    recurring_run_name: str | None = None
    replaced: list[str] | None = None
    run_id: str | None = None
    trigger: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON object the CLI prints (unset fields left out)."""
        return {k: v for k, v in asdict(self).items() if v is not None}


def upload(
    api: KfpApiClient,
    path: Path,
    *,
    name: str | None = None,
    description: str | None = None,
    version_name: str | None = None,
) -> Published:
    """Upload the pipeline file at `path` idempotently."""
    api.check_token()
    uploaded = upload_pipeline(
        api, read_package(path), name=name, description=description, version_name=version_name
    )
    return _published(api, uploaded, uploaded.action)


def schedule(
    api: KfpApiClient,
    path: Path,
    *,
    experiment: str,
    cron: str | None = None,
    interval: str | None = None,
    max_concurrency: int = 1,
    catchup: bool = True,
    params: dict[str, Any] | None = None,
    name: str | None = None,
    start_time: str | None = None,
    end_time: str | None = None,
    enabled: bool = True,
    service_account: str | None = None,
) -> Published:
    """Keep one recurring run called `name` (default: the pipeline's name) of `path`.

    Uploads first; the recurring run points at the uploaded version. Same settings:
    "unchanged"; other settings (schedule, parameters, a new pipeline version): "updated".
    """
    package = read_package(path)
    params = check_params(params or {}, package)
    settings: dict[str, Any] = {
        "display_name": name or package.name,
        "parameters": params,
        "cron": cron,
        "interval": interval,
        "start_time": start_time,
        "end_time": end_time,
        "max_concurrency": max_concurrency,
        "catchup": catchup,
        "enabled": enabled,
        "service_account": service_account or "",
    }
    offline = recurring_run_body(pipeline_id=OFFLINE_PIPELINE_ID, **settings)
    _check_experiment_name(experiment)
    api.check_token()

    uploaded = upload_pipeline(api, package)
    experiment_id = ensure_experiment(api, experiment)
    body = recurring_run_body(
        pipeline_id=uploaded.pipeline_id,
        pipeline_version_id=uploaded.pipeline_version_id,
        experiment_id=experiment_id,
        **settings,
    )
    recurring = ensure_recurring_run(api, body)
    trigger = offline["trigger"]
    summary = trigger.get("cron_schedule") or trigger["periodic_schedule"]
    return _published(
        api,
        uploaded,
        recurring.action,
        url=f"{api.ui_prefix()}/#/recurringrun/details/{recurring.recurring_run_id}",
        upload=uploaded.action,
        experiment_id=experiment_id,
        recurring_run_id=recurring.recurring_run_id,
        recurring_run_name=recurring.display_name,
        replaced=list(recurring.replaced) or None,
        trigger={**summary, "catchup": catchup, "max_concurrency": max_concurrency},
    )


def run(
    api: KfpApiClient,
    path: Path,
    *,
    experiment: str,
    params: dict[str, Any] | None = None,
    run_name: str | None = None,
    service_account: str | None = None,
) -> Published:
    """Start one run of `path` (uploaded first) in `experiment` (created if missing)."""
    package = read_package(path)
    params = check_params(params or {}, package)
    _check_experiment_name(experiment)
    if run_name is not None and not run_name.strip():
        raise InputError("`run_name` is empty: name the run or leave it out", param="run_name")
    api.check_token()

    uploaded = upload_pipeline(api, package)
    experiment_id = ensure_experiment(api, experiment)
    run_id, _ = start_run(
        api,
        pipeline_id=uploaded.pipeline_id,
        pipeline_version_id=uploaded.pipeline_version_id,
        display_name=run_name or uploaded.pipeline_name,
        parameters=params,
        experiment_id=experiment_id,
        service_account=service_account or "",
    )
    return _published(
        api,
        uploaded,
        "started",
        url=f"{api.ui_prefix()}/#/runs/details/{run_id}",
        upload=uploaded.action,
        experiment_id=experiment_id,
        run_id=run_id,
    )


def _check_experiment_name(name: str) -> None:
    if not name.strip():
        raise InputError("`experiment` is empty: name an experiment", param="experiment")


def _published(api: KfpApiClient, uploaded: Uploaded, action: str, **extra: Any) -> Published:
    pid, vid = uploaded.pipeline_id, uploaded.pipeline_version_id
    fields: dict[str, Any] = {
        "action": action,
        "pipeline_id": pid,
        "pipeline_version_id": vid,
        "pipeline_name": uploaded.pipeline_name,
        "version_name": uploaded.version_name,
        "url": f"{api.ui_prefix()}/#/pipelines/details/{pid}/version/{vid}",
    }
    return Published(**{**fields, **extra})
