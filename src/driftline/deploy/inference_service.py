"""Build a KServe v1beta1 InferenceService with the request/response logger on.

Objects come from the kserve SDK's models, so field names and nesting are the
SDK's; tests validate the result against the real CRD schema.
"""

from __future__ import annotations

import re
from typing import Any

from driftline.errors import InputError

API_VERSION = "serving.kserve.io/v1beta1"
LOGGER_MODES = ("all", "request", "response")
_DNS1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")


def default_sink_url(namespace: str) -> str:
    """The driftline log sink Service in `namespace` (deploy/sink/)."""
    return f"http://driftline-sink.{namespace}.svc.cluster.local/"


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
    """The InferenceService manifest (a plain dict) serving `model_uri`, logging to the sink."""
    from kserve import (
        V1beta1InferenceService,
        V1beta1InferenceServiceSpec,
        V1beta1LoggerSpec,
        V1beta1ModelFormat,
        V1beta1ModelSpec,
        V1beta1PredictorSpec,
    )
    from kubernetes.client import ApiClient, V1ObjectMeta

    if not _DNS1035.match(name) or len(name) > 63:
        raise InputError(
            f"InferenceService name {name!r} is not a DNS-1035 label "
            "(lower-case letters, digits and '-', starting with a letter, at most 63 characters)",
            param="name",
        )
    if not namespace:
        raise InputError("namespace is required", param="namespace")
    if not model_uri:
        raise InputError("model_uri (the model's storageUri) is required", param="model_uri")
    if logger_mode not in LOGGER_MODES:
        raise InputError(
            f"logger mode {logger_mode!r} is not one of {', '.join(LOGGER_MODES)}",
            param="logger_mode",
        )
    if protocol_version not in ("v1", "v2"):
        raise InputError(f"protocol_version must be v1 or v2, got {protocol_version!r}")

    model = V1beta1ModelSpec(
        model_format=V1beta1ModelFormat(name=model_format),
        storage_uri=model_uri,
        protocol_version=protocol_version,
        runtime=runtime or None,
    )
    predictor = V1beta1PredictorSpec(
        model=model,
        logger=V1beta1LoggerSpec(mode=logger_mode, url=logger_url or default_sink_url(namespace)),
        service_account_name=service_account or None,
        min_replicas=min_replicas,
    )
    isvc = V1beta1InferenceService(
        api_version=API_VERSION,
        kind="InferenceService",
        metadata=V1ObjectMeta(
            name=name,
            namespace=namespace,
            labels={"app.kubernetes.io/managed-by": "driftline", **(labels or {})},
        ),
        spec=V1beta1InferenceServiceSpec(predictor=predictor),
    )
    manifest: dict[str, Any] = ApiClient().sanitize_for_serialization(isvc)
    if not manifest["spec"]["predictor"]["model"].get("name"):
        manifest["spec"]["predictor"]["model"].pop("name", None)
    return manifest


def storage_uri_of(manifest: dict[str, Any]) -> str:
    """The model's storageUri in an InferenceService manifest (new or old predictor style)."""
    predictor = manifest.get("spec", {}).get("predictor", {})
    model = predictor.get("model") or {}
    if model.get("storageUri"):
        return str(model["storageUri"])
    for spec in predictor.values():  # old style: spec.predictor.<framework>.storageUri
        if isinstance(spec, dict) and spec.get("storageUri"):
            return str(spec["storageUri"])
    name = manifest.get("metadata", {}).get("name", "?")
    raise InputError(f"InferenceService {name} has no storageUri in spec.predictor")


def is_ready(manifest: dict[str, Any]) -> bool:
    """True when the InferenceService status has condition Ready=True."""
    conditions = manifest.get("status", {}).get("conditions", [])
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)
