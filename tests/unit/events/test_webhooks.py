"""MLflow webhook deliveries: signatures checked against MLflow's own signer, replays refused."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
from mlflow.webhooks.delivery import _generate_hmac_signature  # the server's own signer

from driftline.errors import DeliveryAuthError, InputError
from driftline.platforms.mlflow.webhooks import parse_event, signature, verify_delivery

SECRET = "s3cret"
BODY = json.dumps(
    {
        "entity": "model_version_alias",
        "action": "created",
        "timestamp": "2026-12-01T10:00:00+00:00",
        "data": {"name": "fraud", "alias": "champion", "version": "3"},
    }
)


def headers(delivery: str = "d-1", stamp: int | None = None, secret: str = SECRET) -> dict:
    stamp = int(time.time()) if stamp is None else stamp
    return {
        "X-MLflow-Delivery-Id": delivery,
        "X-MLflow-Timestamp": str(stamp),
        "X-MLflow-Signature": _generate_hmac_signature(secret, delivery, str(stamp), BODY),
    }


def test_signature_matches_mlflows() -> None:
    assert signature(SECRET, "d", "1700000000", BODY.encode()) == _generate_hmac_signature(
        SECRET, "d", "1700000000", BODY
    )
    assert verify_delivery(headers(), BODY.encode(), SECRET) == "d-1"


@pytest.mark.parametrize(
    ("given", "body", "message"),
    # headers are built when the test runs: built at collection they age past the 300 s window
    [
        (lambda: headers(secret="other"), BODY, "wrong signature"),
        (headers, BODY.replace("champion", "challenger"), "wrong signature"),
        (lambda: headers(stamp=int(time.time()) - 3600), BODY, "refused as a replay"),
        (lambda: headers(stamp=int(time.time()) + 3600), BODY, "refused as a replay"),
        (lambda: {"X-MLflow-Delivery-Id": "d-1"}, BODY, "lacks X-MLflow-Delivery-Id"),
        (lambda: {**headers(), "X-MLflow-Timestamp": "yesterday"}, BODY, "not Unix seconds"),
    ],
    ids=["other secret", "changed body", "old stamp", "future stamp", "unsigned", "bad stamp"],
)
def test_bad_deliveries_are_refused(given: Callable[[], dict], body: str, message: str) -> None:
    with pytest.raises(DeliveryAuthError, match=message):
        verify_delivery(given(), body.encode(), SECRET)


def test_no_secret_configured_refuses_everything() -> None:
    with pytest.raises(DeliveryAuthError, match="DRIFTLINE_MLFLOW_WEBHOOK_SECRET"):
        verify_delivery(headers(), BODY.encode(), "")


def test_events_are_parsed() -> None:
    event = parse_event(json.loads(BODY))
    assert (event.kind, event.name, event.alias, event.version) == (
        "model_version_alias.created",
        "fraud",
        "champion",
        "3",
    )
    with pytest.raises(InputError, match="not an MLflow event"):
        parse_event({"entity": "model_version"})
