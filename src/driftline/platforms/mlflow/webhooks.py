"""MLflow registry webhooks: verify a delivery, read its event, register the receiver.

MLflow 3.x signs each delivery: `X-MLflow-Signature: v1,<base64 HMAC-SHA256>` over
`<X-MLflow-Delivery-Id>.<X-MLflow-Timestamp>.<raw body>` with the webhook's secret. A
delivery is refused when the signature is wrong or missing, or when its timestamp is further
than `tolerance` seconds from now (a replay of an old capture); the receiver's journal refuses
a delivery id it has already accepted (a replay within the tolerance).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from driftline.errors import DeliveryAuthError, InputError

SECRET_ENV = "DRIFTLINE_MLFLOW_WEBHOOK_SECRET"
SIGNATURE_HEADER = "x-mlflow-signature"
TIMESTAMP_HEADER = "x-mlflow-timestamp"
DELIVERY_HEADER = "x-mlflow-delivery-id"
TOLERANCE_S = 300
EVENTS = (
    "model_version_alias.created",
    "model_version_alias.deleted",
    "model_version.created",
    "model_version_tag.set",
)


def signature(secret: str, delivery_id: str, timestamp: str, body: bytes) -> str:
    """The `v1,<base64>` signature MLflow sends for this delivery."""
    signed = f"{delivery_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify_delivery(
    headers: Mapping[str, str],
    body: bytes,
    secret: str,
    *,
    now: float | None = None,
    tolerance: float = TOLERANCE_S,
) -> str:
    """Check a delivery's signature and timestamp; returns its delivery id.

    Raises `DeliveryAuthError` naming what is wrong (never the expected signature).
    """
    if not secret:
        raise DeliveryAuthError(f"no MLflow webhook secret configured: set {SECRET_ENV}")
    lowered = {k.lower(): v for k, v in headers.items()}
    delivery, stamp = lowered.get(DELIVERY_HEADER, ""), lowered.get(TIMESTAMP_HEADER, "")
    given = lowered.get(SIGNATURE_HEADER, "")
    if not (delivery and stamp and given):
        raise DeliveryAuthError(
            "delivery lacks X-MLflow-Delivery-Id, X-MLflow-Timestamp or X-MLflow-Signature"
        )
    try:
        sent = int(stamp)
    except ValueError:
        raise DeliveryAuthError(f"X-MLflow-Timestamp {stamp!r} is not Unix seconds") from None
    skew = abs((time.time() if now is None else now) - sent)
    if skew > tolerance:
        raise DeliveryAuthError(
            f"delivery {delivery} is {skew:.0f} s away from now (at most {tolerance:.0f} s): "
            "refused as a replay"
        )
    expected = signature(secret, delivery, stamp, body)
    if not any(hmac.compare_digest(expected, s.strip()) for s in given.split(" ")):
        raise DeliveryAuthError(f"delivery {delivery} has a wrong signature")
    return delivery


@dataclass(frozen=True)
class RegistryEvent:
    """A registry event: `kind` is "<entity>.<action>", e.g. "model_version_alias.created"."""

    kind: str
    name: str
    version: str = ""
    alias: str = ""
    key: str = ""
    value: str = ""


def parse_event(document: Any) -> RegistryEvent:
    """The event in a webhook payload ({"entity", "action", "timestamp", "data"})."""
    if not isinstance(document, Mapping) or not isinstance(document.get("data"), Mapping):
        raise InputError("webhook payload is not an MLflow event (entity, action, data)")
    data = document["data"]
    kind = f"{document.get('entity')}.{document.get('action')}"
    if not data.get("name"):
        raise InputError(f"{kind} event names no registered model", param="name")
    return RegistryEvent(
        kind=kind,
        name=str(data["name"]),
        version=str(data.get("version") or ""),
        alias=str(data.get("alias") or ""),
        key=str(data.get("key") or ""),
        value=str(data.get("value") or ""),
    )


def register_webhook(
    client: Any, url: str, secret: str, *, name: str = "driftline", events: tuple[str, ...] = EVENTS
) -> dict[str, Any]:
    """Create the webhook named `name` sending `events` to `url`, or update the one there
    (idempotent by name; the secret is always set again, as MLflow never returns it)."""
    if not url.startswith(("http://", "https://")):
        raise InputError(f"`url` {url!r} must be the receiver's http(s) URL", param="url")
    if not secret:
        raise InputError(f"set {SECRET_ENV} to the webhook's secret", param="secret")
    wanted: list[Any] = list(events)
    existing = [w for w in _all_webhooks(client) if w.name == name]
    if existing:
        hook = client.update_webhook(
            existing[0].webhook_id, url=url, events=wanted, secret=secret, status="ACTIVE"
        )
        action = "updated"
    else:
        hook = client.create_webhook(name, url, wanted, secret=secret)
        action = "created"
    return {"webhook_id": hook.webhook_id, "name": name, "url": url, "action": action}


def _all_webhooks(client: Any) -> list[Any]:
    found, token = [], None
    while True:
        page = client.list_webhooks(max_results=100, page_token=token)
        found.extend(page)
        token = page.token
        if not token:
            return found


def load_payload(body: bytes) -> Any:
    """The JSON document of a delivery body; InputError when it is not JSON."""
    try:
        return json.loads(body)
    except ValueError as exc:
        raise InputError(f"webhook body is not JSON: {exc}") from None
