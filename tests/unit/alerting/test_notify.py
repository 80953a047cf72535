"""Alerts reach a real HTTP endpoint as CloudEvents that the cloudevents SDK parses."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from cloudevents.http import from_http

from driftline.alerting import build_alert, send_alert
from driftline.alerting.notify import EVENT_TYPE
from driftline.errors import DriftlineError, InputError

DRIFT = {
    "drift_detected": True,
    "drift_share": 0.6,
    "columns": [
        {"name": "temp", "drift_detected": True},
        {"name": "hum", "drift_detected": False},
        {"name": "atemp", "drift_detected": True},
    ],
}


class _Sink:
    def __init__(self, status: int) -> None:
        self.status = status
        self.requests: list[tuple[dict[str, str], bytes]] = []


@pytest.fixture
def sink() -> Iterator[tuple[str, _Sink]]:
    state = _Sink(202)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.requests.append((dict(self.headers), body))
            self.send_response(state.status)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", state
    server.shutdown()


def test_no_alert_when_nothing_is_wrong() -> None:
    ok_drift = {**DRIFT, "drift_detected": False}
    assert build_alert(model="m", window_start="a", window_end="b", drift_report=ok_drift) is None
    assert (
        build_alert(
            model="m", window_start="a", window_end="b", validation_report={"status": "warning"}
        )
        is None
    )


def test_alert_names_model_window_columns_and_report() -> None:
    message = build_alert(
        model="bikes",
        window_start="2012-01-01",
        window_end="2012-02-01",
        drift_report=DRIFT,
        validation_report={"status": "fail", "counts": {"error": 2}},
        performance_report={"degraded": True},
        report_uri="s3://reports/run-1/drift_report.html",
    )
    assert message is not None
    assert message.drifted_columns == ["temp", "atemp"]
    assert "temp, atemp" in message.text and "bikes" in message.text
    assert "validation failed with 2 error(s)" in message.text
    assert "performance degraded" in message.text
    assert message.text.endswith("Report: s3://reports/run-1/drift_report.html")


def test_send_alert_posts_a_parseable_cloudevent_with_token(
    sink: tuple[str, _Sink], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, state = sink
    monkeypatch.setenv("DRIFTLINE_WEBHOOK_TOKEN", "s3cret")
    message = build_alert(model="bikes", window_start="a", window_end="b", drift_report=DRIFT)
    assert message is not None
    sent = send_alert(message, url)
    headers, body = state.requests[0]
    assert headers["Authorization"] == "Bearer s3cret"
    event = from_http(headers, body)
    assert event["type"] == EVENT_TYPE
    assert event["id"] == sent["id"]
    assert event.data["drifted_columns"] == ["temp", "atemp"]


def test_send_alert_errors(sink: tuple[str, _Sink]) -> None:
    url, state = sink
    message = build_alert(model="m", window_start="a", window_end="b", drift_report=DRIFT)
    assert message is not None
    with pytest.raises(InputError, match="must start with http"):
        send_alert(message, "ftp://example")
    state.status = 500
    with pytest.raises(DriftlineError, match="answered 500"):
        send_alert(message, url)
    with pytest.raises(DriftlineError, match="cannot reach"):
        send_alert(message, "http://127.0.0.1:9/none", timeout=2)
