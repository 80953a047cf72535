"""The KFP v2beta1 REST calls driftline makes from inside a pipeline: runs and recurring runs.

Runs inside a KFP pod: the host defaults to the in-cluster API service and the
token to the projected service-account token KFP reads from
KF_PIPELINES_SA_TOKEN_PATH (in Kubeflow, the `access-ml-pipeline` PodDefault
mounts it on pods labelled `access-ml-pipeline: "true"`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from driftline import storage
from driftline.errors import DriftlineError, InputError

DEFAULT_HOST = "http://ml-pipeline.kubeflow.svc.cluster.local:8888"
ENDPOINT_ENV = "KF_PIPELINES_ENDPOINT"
TOKEN_PATH_ENV = "KF_PIPELINES_SA_TOKEN_PATH"
DEFAULT_TOKEN_PATH = "/var/run/secrets/kubeflow/pipelines/token"
MAX_CONCURRENCY = range(1, 11)  # the API's documented range [1-10]
SETTINGS_MARK = "driftline-settings:"


@dataclass(frozen=True)
class KfpApi:
    """Where the KFP API is and how to authenticate; `call` does one JSON request."""

    host: str = ""
    token: str | None = None
    timeout: float = 30.0

    @property
    def base(self) -> str:
        """The API root: `host`, else $KF_PIPELINES_ENDPOINT, else the in-cluster service."""
        return (self.host or os.environ.get(ENDPOINT_ENV) or DEFAULT_HOST).rstrip("/")

    def bearer(self) -> str | None:
        """The token given, else the projected service-account token if mounted."""
        if self.token:
            return self.token
        path = os.environ.get(TOKEN_PATH_ENV, DEFAULT_TOKEN_PATH)
        return storage.read_text(path, what="token").strip() if storage.exists(path) else None

    def call(
        self,
        method: str,
        path: str,
        what: str,
        *,
        body: Any = None,
        params: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """One request to /apis/v2beta1/<path>; DriftlineError names `what` failed and why."""
        import requests

        headers = {}
        bearer = self.bearer()
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        url = f"{self.base}/apis/v2beta1/{path}"
        try:
            response = requests.request(
                method, url, json=body, params=params, headers=headers, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise DriftlineError(f"cannot reach the KFP API at {self.base}: {exc}") from exc
        if response.status_code >= 300:
            raise DriftlineError(
                f"KFP API at {self.base} refused to {what} ({response.status_code}): "
                f"{response.text[:300]}"
            )
        try:
            answer: dict[str, Any] = response.json() if response.content else {}
        except ValueError:
            raise DriftlineError(f"KFP API at {self.base} answered {what} with no JSON") from None
        return answer


def start_pipeline_run(
    *,
    pipeline_id: str,
    display_name: str,
    parameters: dict[str, Any] | None = None,
    pipeline_version_id: str = "",
    experiment_id: str = "",
    host: str = "",
    token: str | None = None,
    timeout: float = 30.0,
) -> str:
    """Create a run of pipeline `pipeline_id` (latest version unless given); returns the run id."""
    if not pipeline_id:
        raise InputError("`pipeline_id` is required to start a run", param="pipeline_id")
    body: dict[str, Any] = {
        "display_name": display_name,
        "pipeline_version_reference": _reference(pipeline_id, pipeline_version_id),
        "runtime_config": {"parameters": parameters or {}},
    }
    if experiment_id:
        body["experiment_id"] = experiment_id
    api = KfpApi(host, token, timeout)
    run_id = api.call("POST", "runs", "start the run", body=body).get("run_id")
    if not run_id:
        raise DriftlineError(f"KFP API at {api.base} answered without a run_id")
    return str(run_id)


@dataclass(frozen=True)
class RecurringRun:
    """The recurring run that now exists and what was done: created, unchanged or replaced."""

    recurring_run_id: str
    action: str
    display_name: str
    replaced: tuple[str, ...] = ()


def ensure_recurring_run(
    *,
    display_name: str,
    experiment_id: str = "",
    namespace: str = "",
    host: str = "",
    token: str | None = None,
    timeout: float = 30.0,
    **settings: Any,
) -> RecurringRun:
    """Make sure one recurring run called `display_name` exists with exactly these settings.

    `settings` are the keyword arguments of `recurring_run_body` (pipeline_id,
    pipeline_version_id, parameters, cron, interval_seconds, max_concurrency, catchup,
    enabled, service_account, description).
    Idempotent by display name: recurring runs of that name are listed first (in the
    experiment/namespace when given). One whose settings match is kept ("unchanged"); else
    a new one is created, then the stale ones are deleted ("replaced"), so a failed create
    leaves the old schedule running. The settings' hash is kept in the description.
    Give exactly one trigger: `cron` (5 fields, or KFP's 6 with seconds first) or
    `interval_seconds`.
    """
    body = recurring_run_body(display_name=display_name, experiment_id=experiment_id, **settings)
    api = KfpApi(host, token, timeout)
    existing = list_recurring_runs(api, display_name, experiment_id, namespace)
    same = [r for r in existing if r.get("description") == body["description"]]
    if same:
        keep = str(same[0]["recurring_run_id"])
        action = "unchanged"
    else:
        created = api.call("POST", "recurringruns", "create the recurring run", body=body)
        keep = str(created.get("recurring_run_id") or "")
        if not keep:
            raise DriftlineError(f"KFP API at {api.base} answered without a recurring_run_id")
        action = "replaced" if existing else "created"
    stale = tuple(str(r["recurring_run_id"]) for r in existing if r["recurring_run_id"] != keep)
    for run_id in stale:
        api.call("DELETE", f"recurringruns/{run_id}", f"delete stale recurring run {run_id}")
    return RecurringRun(keep, action, display_name, stale)


def schedule_monitoring(
    *,
    pipeline_id: str,
    model: str = "",
    store: str = "",
    parameters: Mapping[str, Any] | None = None,
    display_name: str = "",
    cron: str = "",
    interval_seconds: int = 3600,
    model_name: str = "",
    **options: Any,
) -> RecurringRun | None:
    """The recurring scheduled-monitoring run for `model` (None when `pipeline_id` is empty).

    `model` and `store` become the run parameters of those names (added to `parameters`);
    `model_name` (the metrics' `model` label) is added unless `parameters` has one;
    the display name defaults to "driftline monitoring <model>"; `cron`, when given, wins
    over `interval_seconds`. Other options are those of `ensure_recurring_run`.
    """
    if not pipeline_id:
        return None
    extra = {k: v for k, v in (("model", model), ("store", store)) if v}
    defaults = {"model_name": model_name} if model_name else {}
    return ensure_recurring_run(
        display_name=display_name or f"driftline monitoring {model}".strip(),
        pipeline_id=pipeline_id,
        parameters={**defaults, **(parameters or {}), **extra},
        cron=cron,
        interval_seconds=0 if cron else interval_seconds,
        **options,
    )


def recurring_run_body(
    *,
    display_name: str,
    pipeline_id: str,
    pipeline_version_id: str = "",
    parameters: Mapping[str, Any] | None = None,
    cron: str = "",
    interval_seconds: int = 0,
    max_concurrency: int = 1,
    catchup: bool = True,
    enabled: bool = True,
    experiment_id: str = "",
    service_account: str = "",
    description: str = "",
) -> dict[str, Any]:
    """The v2beta1 RecurringRun create body; its description ends with the settings' hash."""
    if not display_name:
        raise InputError("`display_name` of the recurring run is required", param="display_name")
    if not pipeline_id:
        raise InputError("`pipeline_id` is required to schedule runs", param="pipeline_id")
    if bool(cron) == bool(interval_seconds):
        raise InputError(
            "give exactly one trigger: `cron` (e.g. '0 * * * *') or `interval_seconds` (e.g. 3600)",
            param="cron" if cron else "interval_seconds",
        )
    if max_concurrency not in MAX_CONCURRENCY:
        raise InputError(
            f"`max_concurrency` must be between 1 and 10, got {max_concurrency}",
            param="max_concurrency",
        )
    if cron:
        trigger: dict[str, Any] = {"cron_schedule": {"cron": normalize_cron(cron)}}
    else:
        trigger = {"periodic_schedule": {"interval_second": str(parse_interval(interval_seconds))}}
    body: dict[str, Any] = {
        "display_name": display_name,
        "pipeline_version_reference": _reference(pipeline_id, pipeline_version_id),
        "runtime_config": {"parameters": dict(parameters or {})},
        "trigger": trigger,
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


def list_recurring_runs(
    api: KfpApi, display_name: str, experiment_id: str = "", namespace: str = ""
) -> list[dict[str, Any]]:
    """Every recurring run called exactly `display_name` (all pages)."""
    predicate = {"key": "display_name", "operation": "EQUALS", "string_value": display_name}
    params = {"filter": json.dumps({"predicates": [predicate]}), "page_size": "100"}
    if experiment_id:
        params["experiment_id"] = experiment_id
    if namespace:
        params["namespace"] = namespace
    found: list[dict[str, Any]] = []
    while True:
        page = api.call("GET", "recurringruns", "list recurring runs", params=params)
        found += [r for r in page.get("recurringRuns", page.get("recurring_runs", []))]
        if not page.get("next_page_token"):
            return [r for r in found if r.get("display_name") == display_name]
        params["page_token"] = page["next_page_token"]


def normalize_cron(expr: str) -> str:
    """KFP's 6-field cron (seconds first); a classic 5-field expression gets second 0."""
    fields = expr.split()
    if len(fields) == 5:
        fields = ["0", *fields]
    if len(fields) != 6 or not all(re.fullmatch(r"[\w*?/,#LW-]+", f) for f in fields):
        raise InputError(
            f"cron expression {expr!r} must have 5 fields (minute hour day month weekday) "
            "or 6 (second first), e.g. '0 * * * *' for hourly",
            param="cron",
        )
    return " ".join(fields)


def parse_interval(text: str | int) -> int:
    """Seconds from '3600' or a duration such as '90s', '15m', '1h', '1d', '1w' (positive)."""
    from driftline.io.windows import parse_duration

    given = str(text).strip()
    try:
        seconds = int(given) if given.isdigit() else int(parse_duration(given).total_seconds())
    except InputError:
        seconds = 0
    if seconds <= 0:
        raise InputError(
            f"interval {text!r} must be a positive number of seconds or use a unit "
            "s/m/h/d/w, e.g. 3600 or 1h",
            param="interval",
        )
    return seconds


def _reference(pipeline_id: str, pipeline_version_id: str) -> dict[str, str]:
    reference = {"pipeline_id": pipeline_id}
    if pipeline_version_id:
        reference["pipeline_version_id"] = pipeline_version_id
    return reference
