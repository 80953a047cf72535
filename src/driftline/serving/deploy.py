"""Deploy a model with KServe: apply its InferenceService and wait until it is Ready."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from driftline import storage
from driftline.errors import DriftlineError, InputError
from driftline.serving.inference_service import (
    build_inference_service,
    is_ready,
    not_ready_reason,
    url_of,
)
from driftline.serving.kube import Applied, apply_objects, cluster_client, get_object
from driftline.serving.pod import default_namespace


@dataclass(frozen=True)
class Deployment:
    """What deploying did: the manifest, the served URL and the apply outcome."""

    manifest: dict[str, Any]
    url: str
    applied: Applied | None
    manifest_path: str | None = None

    @property
    def dry_run(self) -> bool:
        """True when nothing was sent to the cluster."""
        return self.applied is None

    def summary(self) -> dict[str, Any]:
        """JSON-ready facts for artifact metadata and the CLI."""
        meta = self.manifest["metadata"]
        return {
            "name": meta["name"],
            "namespace": meta["namespace"],
            "storage_uri": self.manifest["spec"]["predictor"]["model"]["storageUri"],
            "url": self.url,
            "dry_run": self.dry_run,
            "created": bool(self.applied and self.applied.created),
            "changed": bool(self.applied and self.applied.changed),
        }


def deploy_model(
    *,
    name: str,
    model_uri: str,
    namespace: str = "",
    model_format: str = "sklearn",
    runtime: str = "",
    protocol_version: str = "v2",
    logger_url: str = "",
    logger_mode: str = "all",
    service_account: str = "",
    min_replicas: int | None = None,
    labels: Mapping[str, str] | None = None,
    wait_timeout_seconds: float = 600,
    poll_seconds: float = 5,
    dry_run: bool = False,
    manifest_path: str | Path | None = None,
    api_client: Any = None,
) -> Deployment:
    """Create or update the InferenceService serving `model_uri` and wait until it is Ready.

    The manifest (written to `manifest_path` when given) has the request/response logger on.
    It is server-side applied (field manager `driftline`): fields other owners set, such as
    an autoscaler's replicas, are kept, and re-deploying the same model changes nothing.
    With `dry_run` only the manifest is built and written; the URL is then empty.
    """
    if wait_timeout_seconds <= 0:
        raise InputError(
            f"`wait_timeout_seconds` must be positive, got {wait_timeout_seconds}",
            param="wait_timeout_seconds",
        )
    manifest = build_inference_service(
        name=name,
        namespace=default_namespace(namespace),
        model_uri=model_uri,
        model_format=model_format,
        runtime=runtime,
        protocol_version=protocol_version,
        logger_url=logger_url,
        logger_mode=logger_mode,
        service_account=service_account,
        min_replicas=min_replicas,
        labels=dict(labels or {}),
    )
    path = None
    if manifest_path is not None:
        text = yaml.safe_dump(manifest, sort_keys=False)
        path = storage.write_text(manifest_path, text)
    if dry_run:
        return Deployment(manifest, "", None, path)
    api = api_client if api_client is not None else cluster_client()
    (applied,) = apply_objects([manifest], api_client=api, must_exist=())
    live = wait_until_ready(
        manifest, api_client=api, timeout=wait_timeout_seconds, poll_seconds=poll_seconds
    )
    return Deployment(manifest, url_of(live), applied, path)


def wait_until_ready(
    obj: Mapping[str, Any],
    *,
    api_client: Any = None,
    timeout: float = 600,
    poll_seconds: float = 5,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Poll the InferenceService until its Ready condition is True for its current spec.

    "Current" means status.observedGeneration has caught up with metadata.generation (when
    the server reports both), so an update is not mistaken for the previous Ready revision.
    Raises DriftlineError naming the failing conditions' reasons and messages on timeout.
    """
    meta = obj["metadata"]
    where = f"InferenceService {meta['namespace']}/{meta['name']}"
    deadline = clock() + timeout
    while True:
        live = get_object(obj, api_client=api_client)
        if live is None:
            raise DriftlineError(f"{where} disappeared while waiting for it to become Ready")
        if is_ready(live) and _observed_current(live):
            return live
        if clock() >= deadline:
            reason = not_ready_reason(live)
            if is_ready(live):
                reason = "Ready is from an older generation; the update was not reconciled yet"
            raise DriftlineError(f"{where} not Ready after {timeout:g} s: {reason}")
        sleep(min(poll_seconds, max(deadline - clock(), 0.0)))


def _observed_current(live: Mapping[str, Any]) -> bool:
    generation = (live.get("metadata") or {}).get("generation")
    observed = (live.get("status") or {}).get("observedGeneration")
    return generation is None or observed is None or int(observed) >= int(generation)
