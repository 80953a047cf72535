"""Report documents -> Prometheus metrics, parsed back and linted by promtool."""

from __future__ import annotations

import base64
import json
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from driftline.errors import DataSourceError, DriftlineError, InputError
from driftline.observability.metrics import METRICS
from driftline.observability.publish import publish_monitoring_metrics
from tests.unit.observability.reports import drift_report, performance_report, validation_report


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(parsed: dict, name: str, **labels: str) -> float:
    return parsed[(name, frozenset({"model": "bike", "namespace": "ml", **labels}.items()))]


def test_all_three_reports_become_labelled_metrics(tmp_path: Path) -> None:
    out = tmp_path / "metrics.prom"
    result = publish_monitoring_metrics(
        "bike",
        "ml",
        drift_report=drift_report(),
        validation_report=validation_report(),
        performance_report=performance_report(),
        out_path=out,
        run_timestamp=1_700_000_000.0,
    )
    assert out.read_text() == result.text
    parsed = samples(result.text)
    assert value(parsed, "driftline_last_run_timestamp_seconds") == 1_700_000_000.0
    assert value(parsed, "driftline_drift_share") == 0.6
    assert value(parsed, "driftline_drift_detected") == 1.0
    assert value(parsed, "driftline_drifted_columns") == 3
    assert value(parsed, "driftline_feature_drift_score", feature="hum", method="wasserstein",
                 direction="distance") == 0.3  # fmt: skip
    assert (
        value(parsed, "driftline_feature_drift_detected", feature="season", method="chisquare") == 0
    )
    # a NaN score is no data: no series rather than a NaN sample
    assert not [k for k in parsed if ("feature", "windspeed") in k[1] and "score" in k[0]]
    assert value(parsed, "driftline_validation_violations", severity="error") == 2
    assert value(parsed, "driftline_validation_violations", severity="warning") == 1
    assert value(parsed, "driftline_validation_failed") == 1
    # the latest window (by end), not the first
    assert value(parsed, "driftline_performance", metric="r2") == 0.62
    assert value(parsed, "driftline_performance_baseline", metric="mae") == 38.0
    assert value(parsed, "driftline_performance_degraded") == 1
    assert {name for name, _ in parsed} <= set(METRICS)
    assert all(dict(labels)["model"] == "bike" for _, labels in parsed)


def test_exposition_passes_promtool_check_metrics(tmp_path: Path, promtool: str) -> None:
    text = publish_monitoring_metrics(
        "bike", "ml", drift_report(), validation_report(), performance_report()
    ).text
    result = subprocess.run(
        [promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "" and result.stderr.strip() == ""


def test_only_the_timestamp_without_reports() -> None:
    parsed = samples(publish_monitoring_metrics("bike", "ml", run_timestamp=5.0).text)
    assert list(parsed) == [
        (
            "driftline_last_run_timestamp_seconds",
            frozenset({("model", "bike"), ("namespace", "ml")}),
        )
    ]


def test_reports_are_read_from_files_and_folders(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "drift_report.json").write_text(json.dumps(drift_report(0.2)))
    (tmp_path / "v.json").write_text(json.dumps(validation_report(0, 0)))
    parsed = samples(
        publish_monitoring_metrics(
            "bike", "ml", drift_report=tmp_path / "d", validation_report=str(tmp_path / "v.json")
        ).text
    )
    assert value(parsed, "driftline_drift_share") == 0.2
    assert value(parsed, "driftline_validation_failed") == 0


def test_bad_input_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a 'validation' document, expected a drift report"):
        publish_monitoring_metrics("bike", "ml", drift_report=validation_report())
    with pytest.raises(DataSourceError, match="does not exist"):
        publish_monitoring_metrics("bike", "ml", drift_report=tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(DataSourceError, match="not readable JSON"):
        publish_monitoring_metrics("bike", "ml", performance_report=tmp_path / "bad.json")
    with pytest.raises(InputError, match="field columns: Field required"):
        doc = drift_report()
        del doc["columns"]
        publish_monitoring_metrics("bike", "ml", drift_report=doc)
    doc = drift_report()
    doc["columns"][0]["score"] = "high"
    with pytest.raises(InputError, match=r"field columns\.0\.score: .*number.*got \"high\""):
        publish_monitoring_metrics("bike", "ml", drift_report=doc)
    doc["columns"][0] = {"score": 0.1}
    with pytest.raises(InputError, match=r"field columns\.0\.name: Field required"):
        publish_monitoring_metrics("bike", "ml", drift_report=doc)
    with pytest.raises(InputError, match=r"states drift_share 0\.2, but its columns give 0\.6"):
        publish_monitoring_metrics(
            "bike", "ml", drift_report={**drift_report(), "drift_share": 0.2}
        )
    with pytest.raises(InputError, match="model must be a non-empty string"):
        publish_monitoring_metrics("", "ml")
    with pytest.raises(InputError, match="pushgateway_url must be an http"):
        publish_monitoring_metrics("bike", "ml", pushgateway_url="ftp://gw")


def test_an_unreachable_pushgateway_fails_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "metrics.prom"
    with pytest.raises(DriftlineError, match=r"Pushgateway http://127\.0\.0\.1:9 failed"):
        publish_monitoring_metrics(
            "bike", "ml", drift_report(), pushgateway_url="http://127.0.0.1:9", out_path=out
        )
    assert not out.exists()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, None),
        ({"DRIFTLINE_PUSHGATEWAY_TOKEN": "s3cret"}, "Bearer s3cret"),
        (
            {"DRIFTLINE_PUSHGATEWAY_USERNAME": "u", "DRIFTLINE_PUSHGATEWAY_PASSWORD": "p"},
            "Basic " + base64.b64encode(b"u:p").decode(),
        ),
    ],
)
def test_push_credentials_come_from_the_environment(env: dict, expected: str | None) -> None:
    seen: list[tuple[str, str, str | None]] = []

    class Gateway(BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            seen.append((self.command, self.path, self.headers.get("Authorization")))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        publish_monitoring_metrics("bike", "ml", drift_report(), pushgateway_url=url, env=env)
    finally:
        thread.join(10)
        server.server_close()
    assert seen == [
        ("PUT", "/metrics/job/driftline/model/bike/namespace/ml/pipeline/scheduled-monitoring",
         expected)
    ]  # fmt: skip
