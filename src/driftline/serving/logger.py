"""The KServe InferenceService request/response logger, as a server-side-apply patch."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from driftline.errors import InputError, UnknownNameError

ISVC_API_VERSION = "serving.kserve.io/v1beta1"
LOGGER_MODES = ("all", "request", "response")
COMPONENTS = ("predictor", "transformer", "explainer")
#: Schemes the KServe agent understands: CloudEvents over HTTP(S), or blob storage.
SINK_SCHEMES = ("http", "https", "s3", "gs", "abfs")


def default_sink_url(namespace: str) -> str:
    """The driftline log sink Service in the model's namespace."""
    return f"http://driftline-sink.{namespace}.svc.cluster.local/"


def logger_patch(
    isvc: str,
    namespace: str,
    *,
    mode: str = "all",
    sink_url: str | None = None,
    component: str = "predictor",
) -> dict[str, Any]:
    """The apply configuration that sets `spec.<component>.logger` and nothing else.

    Applied with server-side apply under driftline's field manager, it owns only
    the logger fields: the rest of the InferenceService spec keeps its owner and
    its values. `mode` is always written because KServe rejects an empty one.
    """
    if mode not in LOGGER_MODES:
        raise UnknownNameError("logger mode", mode, LOGGER_MODES)
    if component not in COMPONENTS:
        raise UnknownNameError("InferenceService component", component, COMPONENTS)
    url = sink_url or default_sink_url(namespace)
    parsed = urlparse(url)
    if parsed.scheme not in SINK_SCHEMES or not parsed.netloc:
        raise InputError(
            f"`sink_url` must be an absolute URL with scheme {', '.join(SINK_SCHEMES)}; "
            f"got {url!r}",
            param="sink_url",
        )
    return {
        "apiVersion": ISVC_API_VERSION,
        "kind": "InferenceService",
        "metadata": {"name": isvc, "namespace": namespace},
        "spec": {component: {"logger": {"mode": mode, "url": url}}},
    }
