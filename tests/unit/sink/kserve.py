"""KServe logger events as the agent (pkg/logger/worker.go) emits them, via the CloudEvents SDK.

Binary content mode, spec 1.0, the same ce-id for the request and the response, the
extensions inferenceservicename/namespace/component/endpoint/metadata, ce-time, and the
request's Content-Type on both events (see shared/reference/kserve-logger.md section 3).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from cloudevents.conversion import to_binary, to_structured
from cloudevents.http import CloudEvent

from tests.reference import REFERENCE

PAYLOADS = REFERENCE / "kserve" / "payloads"
REQUEST = "org.kubeflow.serving.inference.request"
RESPONSE = "org.kubeflow.serving.inference.response"


def payload(name: str) -> Any:
    """A reference payload file (upstream KServe samples)."""
    return json.loads((PAYLOADS / name).read_text())


def logger_event(
    kind: str,
    event_id: str,
    body: Any,
    *,
    model: str = "sklearn-iris",
    namespace: str = "default",
    component: str = "predictor",
    time: datetime | None = None,
    structured: bool = False,
) -> tuple[dict[str, str], bytes]:
    """HTTP headers and body of one logger event (`kind` "request" or "response")."""
    attrs = {
        "type": REQUEST if kind == "request" else RESPONSE,
        "source": "http://localhost:9081/",
        "id": event_id,
        "datacontenttype": "application/json",
        "inferenceservicename": model,
        "namespace": namespace,
        "component": component,
        "endpoint": "",
        "metadata": "{}",
    }
    if time is not None:
        attrs["time"] = time.isoformat()
    data = body if isinstance(body, bytes) or structured else json.dumps(body).encode()
    event = CloudEvent(attrs, data)
    headers, content = (to_structured if structured else to_binary)(event)
    return {k.lower(): v for k, v in headers.items()}, content
