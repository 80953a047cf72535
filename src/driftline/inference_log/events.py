"""Parse KServe logger CloudEvents (binary and structured HTTP mode) into `LoggedEvent`s."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from driftline.errors import MalformedEventError

REQUEST_TYPE = "org.kubeflow.serving.inference.request"
RESPONSE_TYPE = "org.kubeflow.serving.inference.response"
_KINDS = {REQUEST_TYPE: "request", RESPONSE_TYPE: "response"}
STRUCTURED_TYPE = "application/cloudevents+json"
# A name that can be a path segment: no separators, no dot-only names, bounded length.
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,252}")


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """One logged inference request or response, with its CloudEvent attributes."""

    id: str
    kind: str  # "request" | "response"
    model: str
    namespace: str
    component: str
    endpoint: str
    time_us: int  # event time, microseconds since the epoch (UTC)
    body: str  # the raw JSON payload

    def to_record(self) -> dict[str, Any]:
        """A JSON-serializable record (the write-ahead-log form)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "model": self.model,
            "namespace": self.namespace,
            "component": self.component,
            "endpoint": self.endpoint,
            "time_us": self.time_us,
            "body": self.body,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> LoggedEvent:
        """The inverse of `to_record`."""
        return cls(**{name: record[name] for name in cls.__slots__})


def check_name(what: str, value: str, *, required: bool) -> str:
    """`value` if it is safe as a path segment (or empty and optional), else an error."""
    if not value and not required:
        return value
    if not _SAFE_NAME.fullmatch(value) or ".." in value:
        raise MalformedEventError(
            f"{what} {value[:80]!r} is not a valid name (letters, digits, '.', '_', '-', "
            "starting with a letter or digit, no '..')",
            param=what,
        )
    return value


def parse_json(text: str | bytes, what: str) -> Any:
    """`text` parsed as JSON; a `MalformedEventError` naming `what` when it is not JSON or is
    nested too deeply for the parser (a hostile body must not become a crash)."""
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise MalformedEventError(f"{what} is JSON nested too deeply", param="body") from exc
    except ValueError as exc:
        raise MalformedEventError(f"{what} is not JSON: {exc}", param="body") from exc


def parse_time_us(value: object, default_us: int) -> int:
    """RFC 3339 `value` as epoch microseconds; `default_us` when absent."""
    if value is None or value == "":
        return default_us
    if not isinstance(value, str):
        raise MalformedEventError(
            f"time must be an RFC 3339 string, not {type(value).__name__}", param="time"
        )
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise MalformedEventError(f"time {value[:40]!r} is not RFC 3339", param="time") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1_000_000)


def _event(attrs: Mapping[str, Any], body: str, now_us: int) -> LoggedEvent:
    if str(attrs.get("specversion", "")) != "1.0":
        raise MalformedEventError("specversion must be '1.0'", param="specversion")
    event_type = str(attrs.get("type", ""))
    if event_type not in _KINDS:
        raise MalformedEventError(
            f"type {event_type[:80]!r} is not one of {REQUEST_TYPE}, {RESPONSE_TYPE}", param="type"
        )
    event_id = str(attrs.get("id", ""))
    if not event_id or len(event_id) > 256:
        raise MalformedEventError("id is missing or longer than 256 characters", param="id")
    return LoggedEvent(
        id=event_id,
        kind=_KINDS[event_type],
        model=check_name(
            "inferenceservicename", str(attrs.get("inferenceservicename", "")), required=True
        ),
        namespace=check_name("namespace", str(attrs.get("namespace", "")), required=False),
        component=check_name("component", str(attrs.get("component", "")), required=False),
        endpoint=check_name("endpoint", str(attrs.get("endpoint", "")), required=False),
        time_us=parse_time_us(attrs.get("time"), now_us),
        body=body,
    )


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedEventError(
            "body is not UTF-8 JSON (binary tensor data is not supported)", param="body"
        ) from exc


def parse_http_event(headers: Mapping[str, str], body: bytes, now_us: int) -> LoggedEvent:
    """Parse one HTTP POST (lower-case header names) into a `LoggedEvent`.

    Binary mode: attributes in `ce-*` headers, payload in the body (what the KServe agent
    sends). Structured mode: `Content-Type: application/cloudevents+json`, attributes and
    `data` (or `data_base64`) in a JSON body. The payload itself is parsed later.
    """
    content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type == STRUCTURED_TYPE:
        envelope = parse_json(body, "structured event")
        if not isinstance(envelope, dict):
            raise MalformedEventError("structured event must be a JSON object", param="body")
        if "data_base64" in envelope:
            if not isinstance(envelope["data_base64"], str):
                raise MalformedEventError("data_base64 must be a base64 string", param="body")
            try:
                data = _decode(base64.b64decode(envelope["data_base64"], validate=True))
            except ValueError as exc:
                raise MalformedEventError("data_base64 is not base64", param="body") from exc
        elif isinstance(envelope.get("data"), str):
            data = envelope["data"]
        else:
            try:
                data = json.dumps(envelope.get("data"))
            except RecursionError as exc:
                raise MalformedEventError("data is JSON nested too deeply", param="body") from exc
        return _event(envelope, data, now_us)
    if content_type.startswith("application/cloudevents"):
        raise MalformedEventError(
            f"content type {content_type!r} is not supported; send binary or structured mode",
            param="content-type",
        )
    attrs = {name[3:]: value for name, value in headers.items() if name.startswith("ce-")}
    if not attrs:
        raise MalformedEventError(
            "not a CloudEvent: no ce-* headers and not application/cloudevents+json",
            param="headers",
        )
    return _event(attrs, _decode(body), now_us)
