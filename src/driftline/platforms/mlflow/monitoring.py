"""Monitoring that follows an MLflow alias: the alias set on a version creates or updates the
KFP recurring run of the scheduled-monitoring pipeline for it; the alias removed disables it.

The recurring run is named `driftline monitoring NAME@ALIAS` (one per model and alias, so a
moved alias updates the same run) and monitors `models:/NAME/VERSION`, pinned. Its parameters,
later ones winning: the receiver's `parameters`, the receiver's `models[NAME]`, then the
version's tags `driftline.source_uri`, `driftline.inference_service` (NAMESPACE/NAME) and
`driftline.param.<name>` (JSON values, else text). When an InferenceService is named, its
monitoring objects (logger, monitors, alert rules, dashboard) are set up too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from driftline.errors import InputError
from driftline.lineage.mlflow.client import call, connect
from driftline.lineage.store_uri import parse_store_uri
from driftline.platforms.kfp.api import KfpApiClient
from driftline.platforms.kfp.recurring import disable_recurring_run, schedule_monitoring
from driftline.platforms.mlflow.webhooks import RegistryEvent

SOURCE_TAG = "driftline.source_uri"
ISVC_TAG = "driftline.inference_service"
PARAM_TAG = "driftline.param."
RECURRING_RUN_TAG = "driftline.recurring_run"
SETTING_TAGS = (SOURCE_TAG, ISVC_TAG)


@dataclass(frozen=True)
class AliasMonitoring:
    """What the receiver does for MLflow events (its config file's `mlflow` section)."""

    store: str
    pipeline_id: str
    alias: str = "champion"
    pipeline_version_id: str = ""
    experiment_id: str = ""
    cron: str = ""
    interval_seconds: int = 3600
    parameters: Mapping[str, Any] = field(default_factory=dict)
    models: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    setup_inference_service: bool = True
    manifests_dir: str = ""  # set: write the InferenceService's monitoring objects, no cluster

    def __post_init__(self) -> None:
        if parse_store_uri(self.store).scheme != "mlflow":
            raise InputError(
                f"`store` {self.store!r} must be an MLflow store (mlflow+https://HOST)",
                param="store",
            )
        if not self.pipeline_id:
            raise InputError("`pipeline_id` of the scheduled-monitoring pipeline is required")

    @classmethod
    def from_mapping(cls, section: Mapping[str, Any]) -> AliasMonitoring:
        """From a config section; unknown keys are an error naming the valid ones."""
        valid = set(cls.__dataclass_fields__)
        unknown = sorted(set(section) - valid)
        if unknown:
            raise InputError(
                f"unknown mlflow setting(s) {', '.join(unknown)}; valid: {', '.join(sorted(valid))}"
            )
        return cls(**dict(section))

    def display_name(self, model: str) -> str:
        """The recurring run's name for a registered model."""
        return f"driftline monitoring {model}@{self.alias}"


def handle_event(
    event: RegistryEvent, settings: AliasMonitoring, api: KfpApiClient, client: Any = None
) -> dict[str, Any]:
    """Act on one registry event; returns what was done (JSON-able)."""
    client = client or connect(parse_store_uri(settings.store).path)
    if event.kind == "model_version_alias.created" and event.alias == settings.alias:
        return ensure_monitoring(settings, api, client, event.name, event.version)
    if event.kind == "model_version_alias.deleted" and event.alias == settings.alias:
        stopped = disable_recurring_run(
            api, settings.display_name(event.name), settings.experiment_id
        )
        return {"disabled": stopped.recurring_run_id if stopped else None, "model": event.name}
    if event.kind == "model_version_tag.set" and _is_setting(event.key):
        current = _alias_version(client, settings, event.name)
        if current == event.version:  # the monitored version's settings changed
            return ensure_monitoring(settings, api, client, event.name, event.version)
    return {"ignored": event.kind, "model": event.name}


def ensure_monitoring(
    settings: AliasMonitoring, api: KfpApiClient, client: Any, name: str, version: str
) -> dict[str, Any]:
    """Create or update the recurring run monitoring `models:/NAME/VERSION` (idempotent)."""
    where = settings.store
    found = call(where, f"version {version} of {name!r}", client.get_model_version, name, version)
    parameters = run_parameters(settings, name, dict(found.tags or {}))
    isvc = str(parameters.pop("inference_service", "") or "")
    if isvc:
        namespace, _, service = isvc.partition("/")
        if not namespace or not service:
            raise InputError(f"inference_service {isvc!r} of {name} is not NAMESPACE/NAME")
        parameters.setdefault("namespace", namespace)
        parameters.setdefault("model_name", service)
    run = schedule_monitoring(
        api,
        pipeline_id=settings.pipeline_id,
        pipeline_version_id=settings.pipeline_version_id,
        experiment_id=settings.experiment_id,
        model=f"models:/{name}/{version}",
        store=settings.store,
        parameters=parameters,
        display_name=settings.display_name(name),
        cron=settings.cron or None,
        interval_seconds=settings.interval_seconds,
    )
    assert run is not None  # pipeline_id is required
    done: dict[str, Any] = {
        "model": f"models:/{name}/{version}",
        "recurring_run_id": run.recurring_run_id,
        "action": run.action,
    }
    if isvc and settings.setup_inference_service:
        done["inference_service"] = _setup_inference_service(settings, isvc)
    call(
        where, f"version {version} of {name!r}", client.set_model_version_tag,
        name, version, RECURRING_RUN_TAG, run.recurring_run_id,
    )  # fmt: skip
    return done


def run_parameters(settings: AliasMonitoring, name: str, tags: Mapping[str, str]) -> dict[str, Any]:
    """The recurring run's parameters for a model (see the module for the order)."""
    parameters: dict[str, Any] = {**settings.parameters, **settings.models.get(name, {})}
    if tags.get(SOURCE_TAG):
        parameters["source_uri"] = tags[SOURCE_TAG]
    if tags.get(ISVC_TAG):
        parameters["inference_service"] = tags[ISVC_TAG]
    for key, value in tags.items():
        if key.startswith(PARAM_TAG):
            parameters[key[len(PARAM_TAG) :]] = _value(value)
    if not parameters.get("source_uri"):
        raise InputError(
            f"no data source for model {name!r}: tag its version {SOURCE_TAG}=<URI> or give "
            f"models.{name}.source_uri in the receiver's config",
            param="source_uri",
        )
    return parameters


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _is_setting(key: str) -> bool:
    return key in SETTING_TAGS or key.startswith(PARAM_TAG)


def _alias_version(client: Any, settings: AliasMonitoring, name: str) -> str:
    model = call(settings.store, f"model {name!r}", client.get_registered_model, name)
    return str((model.aliases or {}).get(settings.alias, ""))


def _setup_inference_service(settings: AliasMonitoring, isvc: str) -> dict[str, Any]:
    from driftline.serving.setup import setup_monitoring

    namespace, _, service = isvc.partition("/")
    out = settings.manifests_dir or None
    result = setup_monitoring(service, namespace, dry_run=bool(out), out_dir=out)
    return {"name": isvc, "objects": len(result.objects), "applied": not result.dry_run}


def list_targets(
    client: Any, where: str, alias: str, model: str | None = None
) -> list[dict[str, Any]]:
    """The versions carrying `alias` (of `model`, else of every registered model): URI, source
    run, training dataset and whether monitoring is set up (the version's recurring-run tag)."""
    from driftline.errors import LineageError
    from driftline.lineage.mlflow.resolve import resolve

    if model:
        models = [call(where, f"model {model!r}", client.get_registered_model, model)]
    else:
        models, token = [], None
        while True:
            page = call(where, "registered models", client.search_registered_models,
                        max_results=100, page_token=token)  # fmt: skip
            models.extend(page)
            token = page.token
            if not token:
                break
    found = []
    for registered in models:
        version = (registered.aliases or {}).get(alias)
        if not version:
            continue
        uri = f"models:/{registered.name}/{version}"
        row: dict[str, Any] = {"model": registered.name, "alias": alias, "uri": uri}
        try:
            lineage = resolve(client, where, uri)
            row["source_run"] = lineage.run_id
            row["dataset"] = lineage.dataset.uri if lineage.dataset else ""
            row["monitoring"] = lineage.model.properties["tags"].get(RECURRING_RUN_TAG, "")
        except LineageError as exc:
            row["error"] = str(exc)
        found.append(row)
    return found
