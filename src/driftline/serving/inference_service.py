"""A KServe v1beta1 InferenceService with the request/response logger on, and its status.

Objects come from the kserve SDK's models, so field names and nesting are the
SDK's; tests validate the result against the real CRD schema.
"""

from __future__ import annotations

from typing import Any

from driftline.errors import InputError, LineageError
from driftline.serving.logger import ISVC_API_VERSION, logger_patch

PROTOCOL_VERSIONS = ("v1", "v2")
MANAGED_BY = {"app.kubernetes.io/managed-by": "driftline"}


def build_inference_service(
    *,
    name: str,
    namespace: str,
    model_uri: str,
    model_format: str = "sklearn",
    runtime: str = "",
    protocol_version: str = "v2",
    logger_url: str = "",
    logger_mode: str = "all",
    service_account: str = "",
    min_replicas: int | None = None,
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The InferenceService manifest (a plain dict) serving `model_uri`, logging to the sink.

    The logger fields are exactly those `setup_monitoring` applies (same URL default and
    checks), so deploying and then setting up monitoring agree on them.
    """
    from kserve import (
        V1beta1InferenceService,
        V1beta1InferenceServiceSpec,
        V1beta1LoggerSpec,
        V1beta1ModelFormat,
        V1beta1ModelSpec,
        V1beta1PredictorSpec,
    )
    from kubernetes.client import ApiClient, V1ObjectMeta

    from driftline.serving.setup import check_name

    check_name("isvc_name", name)
    check_name("namespace", namespace)
    if not model_uri:
        raise InputError("`model_uri` (the model's storageUri) is required", param="model_uri")
    if not model_format:
        raise InputError(
            "`model_format` is required, e.g. sklearn or xgboost", param="model_format"
        )
    if protocol_version not in PROTOCOL_VERSIONS:
        raise InputError(
            f"`protocol_version` must be v1 or v2, got {protocol_version!r}",
            param="protocol_version",
        )
    if min_replicas is not None and min_replicas < 0:
        raise InputError(f"`min_replicas` must be >= 0, got {min_replicas}", param="min_replicas")
    logger = logger_patch(name, namespace, mode=logger_mode, sink_url=logger_url or None)
    logger_spec = logger["spec"]["predictor"]["logger"]

    predictor = V1beta1PredictorSpec(
        model=V1beta1ModelSpec(
            model_format=V1beta1ModelFormat(name=model_format),
            storage_uri=model_uri,
            protocol_version=protocol_version,
            runtime=runtime or None,
        ),
        logger=V1beta1LoggerSpec(mode=logger_spec["mode"], url=logger_spec["url"]),
        service_account_name=service_account or None,
        min_replicas=min_replicas,
    )
    isvc = V1beta1InferenceService(
        api_version=ISVC_API_VERSION,
        kind="InferenceService",
        metadata=V1ObjectMeta(
            name=name, namespace=namespace, labels={**MANAGED_BY, **(labels or {})}
        ),
        spec=V1beta1InferenceServiceSpec(predictor=predictor),
    )
    manifest: dict[str, Any] = ApiClient().sanitize_for_serialization(isvc)
    if not manifest["spec"]["predictor"]["model"].get("name"):
        # the SDK model defaults the container name to "": leave it to KServe ("kserve-container")
        manifest["spec"]["predictor"]["model"].pop("name", None)
    return manifest


def storage_uri_of(manifest: dict[str, Any]) -> str:
    """The model's storageUri in an InferenceService manifest (new or old predictor style)."""
    name = (manifest.get("metadata") or {}).get("name", "?")
    return predictor_storage_uri(manifest, f"InferenceService {name}")


def predictor_storage_uri(manifest: dict[str, Any], where: str) -> str:
    """The predictor's storageUri (`spec.predictor.model` or a framework key like `sklearn`)."""
    if manifest.get("kind") != "InferenceService":
        raise InputError(
            f"{where} is a {manifest.get('kind')!r}, not an InferenceService", param="model"
        )
    predictor = (manifest.get("spec") or {}).get("predictor") or {}
    found = [
        spec["storageUri"]
        for spec in predictor.values()
        if isinstance(spec, dict) and isinstance(spec.get("storageUri"), str)
    ]
    if isinstance(predictor.get("storageUri"), str):
        found.append(predictor["storageUri"])
    if len(found) != 1:
        raise LineageError(
            f"{where}: the predictor names {len(found)} storageUri values, expected exactly one"
        )
    return str(found[0])


def ready_condition(manifest: dict[str, Any]) -> dict[str, Any] | None:
    """The status condition of type Ready, if the controller has written one."""
    conditions = (manifest.get("status") or {}).get("conditions") or []
    return next((c for c in conditions if c.get("type") == "Ready"), None)


def is_ready(manifest: dict[str, Any]) -> bool:
    """True when the InferenceService status has condition Ready=True."""
    condition = ready_condition(manifest)
    return condition is not None and condition.get("status") == "True"


def not_ready_reason(manifest: dict[str, Any]) -> str:
    """Why the InferenceService is not Ready: each False/Unknown condition's reason and message."""
    conditions = (manifest.get("status") or {}).get("conditions") or []
    failing = [c for c in conditions if c.get("status") != "True"]
    if not conditions:
        return "no status conditions yet (is the KServe controller running?)"
    parts = []
    for c in sorted(failing, key=lambda c: c.get("type") != "Ready"):
        why = ": ".join(x for x in (c.get("reason"), c.get("message")) if x)
        parts.append(f"{c.get('type')}={c.get('status')}" + (f" ({why})" if why else ""))
    return "; ".join(parts) or "conditions are all True but Ready is missing"


def url_of(manifest: dict[str, Any]) -> str:
    """The service URL from status (status.url, else status.address.url)."""
    status = manifest.get("status") or {}
    return str(status.get("url") or (status.get("address") or {}).get("url") or "")
