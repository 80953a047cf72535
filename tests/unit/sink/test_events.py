"""CloudEvent parsing: binary and structured mode as produced by the CloudEvents SDK."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from driftline.errors import MalformedEventError
from driftline.inference_log.events import LoggedEvent, parse_http_event
from tests.unit.sink.kserve import logger_event, payload

NOW_US = 1_700_000_000_000_000
T = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)


@pytest.mark.parametrize("structured", [False, True])
def test_logger_event_attributes(structured):
    headers, body = logger_event(
        "request", "abc-1", payload("iris_input.json"), time=T, structured=structured
    )
    event = parse_http_event(headers, body, NOW_US)
    assert event.id == "abc-1"
    assert event.kind == "request"
    assert (event.model, event.namespace, event.component, event.endpoint) == (
        "sklearn-iris",
        "default",
        "predictor",
        "",
    )
    assert event.time_us == int(T.timestamp() * 1_000_000)
    assert '"instances"' in event.body


def test_structured_mode_with_json_data_object():
    headers, body = logger_event("response", "r", {"predictions": [1]}, structured=True)
    assert b'"data": {' in body  # the SDK put the payload as a JSON object, not base64
    event = parse_http_event(headers, body, NOW_US)
    assert event.kind == "response"
    assert event.time_us != NOW_US  # the SDK sets ce-time; arrival time is only a fallback
    assert '"predictions"' in event.body


def test_missing_time_uses_arrival_and_record_roundtrip():
    headers, body = logger_event("response", "r", {"predictions": [1]})
    headers.pop("ce-time", None)
    event = parse_http_event(headers, body, NOW_US)
    assert event.time_us == NOW_US
    assert LoggedEvent.from_record(event.to_record()) == event


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"ce-type": "com.example.other"}, "type 'com.example.other' is not one of"),
        ({"ce-specversion": "0.3"}, "specversion"),
        ({"ce-id": ""}, "id is missing"),
        (
            {"ce-inferenceservicename": "../../etc"},
            "inferenceservicename '../../etc' is not a valid",
        ),
        ({"ce-inferenceservicename": "a/b"}, "not a valid name"),
        ({"ce-inferenceservicename": ".."}, "not a valid name"),
        ({"ce-inferenceservicename": ""}, "not a valid name"),
        ({"ce-namespace": "x/../y"}, "namespace"),
        ({"ce-component": "/abs"}, "component"),
        ({"ce-time": "yesterday"}, "not RFC 3339"),
    ],
)
def test_bad_attributes_are_rejected_with_reason(change, reason):
    headers, body = logger_event("request", "x", payload("iris_input.json"))
    headers.update(change)
    with pytest.raises(MalformedEventError, match=reason):
        parse_http_event(headers, body, NOW_US)


def test_not_a_cloudevent():
    with pytest.raises(MalformedEventError, match="no ce-\\* headers"):
        parse_http_event({"content-type": "application/json"}, b"{}", NOW_US)
    with pytest.raises(MalformedEventError, match="not supported"):
        parse_http_event({"content-type": "application/cloudevents-batch+json"}, b"[]", NOW_US)
    with pytest.raises(MalformedEventError, match="structured event is not JSON"):
        parse_http_event({"content-type": "application/cloudevents+json"}, b"{", NOW_US)


def test_binary_body_is_rejected():
    headers, _ = logger_event("response", "x", {"predictions": [1]})
    with pytest.raises(MalformedEventError, match="not UTF-8"):
        parse_http_event(headers, b'{"outputs": []}\xff\xfe', NOW_US)
