"""Route Model Registry events to driftline's receiver: an EventBridge rule, connection, API
destination and target, created or updated idempotently (boto3, standard credential chain).

The rule matches "SageMaker Model Package State Change" events; the API destination POSTs
each event as JSON to the receiver's URL; the connection adds the receiver's token as an API
key header (`Authorization: Bearer <token>`), which the receiver checks.
"""

from __future__ import annotations

import json
from typing import Any

from driftline.errors import InputError, PlatformError
from driftline.platforms.sagemaker import setup
from driftline.platforms.sagemaker.registry import DETAIL_TYPE, TOKEN_HEADER

EVENT_PATTERN = {"source": ["aws.sagemaker"], "detail-type": [DETAIL_TYPE]}
DEFAULT_NAME = "driftline-model-packages"


def _exists(call: Any, **kwargs: Any) -> dict[str, Any] | None:
    """What a Describe call returns, or None when the resource does not exist."""
    import botocore.exceptions

    try:
        return dict(call(**kwargs))
    except botocore.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return None
        raise PlatformError(f"EventBridge {call.__name__} failed: {exc}") from exc


def register_receiver(
    url: str, token: str, role_arn: str, *, name: str = DEFAULT_NAME, events: Any = None
) -> dict[str, Any]:
    """Create or update the rule, connection, API destination and target sending package
    state changes to `url`; returns their names and what was done."""
    if not url.startswith("https://") and not url.startswith("http://"):
        raise InputError(f"`url` {url!r} must be the receiver's http(s) URL", param="url")
    if not token:
        raise InputError("the receiver's token is empty", param="token")
    events = events or setup.client("events")
    auth = {"ApiKeyAuthParameters": {"ApiKeyName": TOKEN_HEADER, "ApiKeyValue": f"Bearer {token}"}}
    done: dict[str, Any] = {}
    connection = _exists(events.describe_connection, Name=name)
    if connection is None:
        created = setup._call(
            "CreateConnection",
            events.create_connection,
            Name=name,
            AuthorizationType="API_KEY",
            AuthParameters=auth,
        )
        done["connection"] = "created"
    else:
        created = setup._call(
            "UpdateConnection",
            events.update_connection,
            Name=name,
            AuthorizationType="API_KEY",
            AuthParameters=auth,
        )
        done["connection"] = "updated"  # the token is write-only: always set again
    connection_arn = created["ConnectionArn"]
    destination = _exists(events.describe_api_destination, Name=name)
    wanted = {"ConnectionArn": connection_arn, "InvocationEndpoint": url, "HttpMethod": "POST"}
    if destination is None:
        arn = setup._call(
            "CreateApiDestination", events.create_api_destination, Name=name, **wanted
        )["ApiDestinationArn"]
        done["api_destination"] = "created"
    elif any(destination.get(k) != v for k, v in wanted.items()):
        arn = setup._call(
            "UpdateApiDestination", events.update_api_destination, Name=name, **wanted
        )["ApiDestinationArn"]
        done["api_destination"] = "updated"
    else:
        arn = destination["ApiDestinationArn"]
        done["api_destination"] = "unchanged"
    setup._call(
        "PutRule", events.put_rule, Name=name, EventPattern=json.dumps(EVENT_PATTERN),
        State="ENABLED", Description="SageMaker model package state changes to driftline",
    )  # fmt: skip
    setup._call(
        "PutTargets",
        events.put_targets,
        Rule=name,
        Targets=[{"Id": "driftline-receiver", "Arn": arn, "RoleArn": role_arn}],
    )
    return {"name": name, "api_destination_arn": arn, **done}
