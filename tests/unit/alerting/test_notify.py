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
from driftline.report import DriftReport, PerformanceReport, ValidationReport, Violation
from tests.unit.lineage.support import performance_report


def _drift(detected: bool = True) -> DriftReport:
    def column(name: str, drifted: bool, score: float) -> dict[str, object]:
        return {"name": name, "kind": "numeric", "method": "psi", "score": score,
                "threshold": 0.1, "drift_detected": drifted, "direction": "distance"}  # fmt: skip

    return DriftReport(
        columns=[column("temp", True, 0.2), column("hum", False, 0.01), column("atemp", True, 0.5)],
        drift_share_threshold=0.6 if detected else 0.9,
        mode="exact",
        reference_rows=100,
        current_rows=100,
    )


DRIFT = _drift()


def _validation(errors: int, warnings: int = 0) -> ValidationReport:
    def violation(severity: str) -> Violation:
        return Violation(column="temp", check="range", severity=severity, message="out of range")

    return ValidationReport(
        rows=10, violations=[violation("error")] * errors + [violation("warning")] * warnings
    )


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
    ok_drift = _drift(detected=False)
    assert build_alert(model="m", window_start="a", window_end="b", drift_report=ok_drift) is None
    assert (
        build_alert(
            model="m", window_start="a", window_end="b", validation_report=_validation(0, 1)
        )
        is None
    )


def test_alert_names_model_window_columns_and_report() -> None:
    message = build_alert(
        model="bikes",
        window_start="2012-01-01",
        window_end="2012-02-01",
        drift_report=DRIFT,
        validation_report=_validation(2),
        performance_report=PerformanceReport.from_document(performance_report(True, 60.0)),
        report_uri="s3://reports/run-1/drift_report.html",
    )
    assert message is not None
    assert message.drifted_columns == ["atemp", "temp"]  # the strongest drift first
    assert "atemp, temp" in message.text and "bikes" in message.text
    assert "validation failed with 2 error(s)" in message.text
    assert (
        "model performance degraded; current window 2012-01-01T00:00:00..2012-01-08T00:00:00: "
        "rmse 60 (training 40)" in message.text
    )
    assert message.performance == {"rmse": 60.0}
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
    assert event.data["drifted_columns"] == ["atemp", "temp"]


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


def test_an_earlier_degraded_window_is_named_beside_the_current_performance() -> None:
    document = performance_report(True, 60.0)
    recovered = {
        **document["windows"][0],
        "start": "2012-01-08T00:00:00",
        "end": "2012-01-15T00:00:00",
        "metrics": {"rmse": 41.0},
        "degraded": False,
    }
    document = {**document, "windows": [document["windows"][0], recovered]}
    document["degraded_windows"] = ["2012-01-01T00:00:00"]
    report = PerformanceReport.from_document(document)
    message = build_alert(model="m", window_start="a", window_end="b", performance_report=report)
    assert message is not None and message.performance == {"rmse": 41.0}
    assert message.reasons == [
        "model performance degraded in the window(s) starting 2012-01-01T00:00:00; current "
        "window 2012-01-08T00:00:00..2012-01-15T00:00:00: rmse 41 (training 40)"
    ]
