"""`driftline setup-monitoring` and `driftline publish-metrics` through click."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner
from prometheus_client.parser import text_string_to_metric_families

from driftline.cli import main
from tests.unit.observability.reports import drift_report


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_dry_run_writes_one_file_per_kind(tmp_path: Path) -> None:
    out = tmp_path / "manifests"
    code, stdout, _ = invoke(
        "setup-monitoring", "--isvc", "bike", "--namespace", "ml", "--dry-run", "--out", str(out),
        "--monitor-kind", "ServiceMonitor", "--label", "release=kps",
        "--schedule-interval", "86400", "--sink-url", "http://sink.ml/", "--logger-mode", "request",
    )  # fmt: skip
    assert code == 0, stdout
    assert sorted(p.name for p in out.iterdir()) == [
        "configmap.yaml",
        "inferenceservice.yaml",
        "prometheus-rules.yml",
        "prometheusrule.yaml",
        "servicemonitor.yaml",
    ]
    isvc = yaml.safe_load((out / "inferenceservice.yaml").read_text())
    assert isvc["spec"] == {"predictor": {"logger": {"mode": "request", "url": "http://sink.ml/"}}}
    monitor = yaml.safe_load((out / "servicemonitor.yaml").read_text())
    assert monitor["metadata"]["labels"]["release"] == "kps"
    rules = yaml.safe_load((out / "prometheus-rules.yml").read_text())
    exprs = [r["expr"] for g in rules["groups"] for r in g["rules"]]
    assert any(e.endswith("> 172800") for e in exprs)  # twice the daily schedule
    assert stdout.count("wrote ") == 5


def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "manifests"
    for args, message in [
        (["--isvc", "Bike_Model", "--namespace", "ml"], "isvc must be a Kubernetes name"),
        (
            ["--isvc", "bike", "--namespace", "ml", "--label", "novalue"],
            "--label must be KEY=VALUE",
        ),
        (["--isvc", "bike", "--namespace", "ml", "--drift-share-threshold", "2"], "drift_share"),
        (["--isvc", "bike", "--namespace", "ml", "--sink-url", "sink"], "--sink-url must be"),
    ]:
        code, _, stderr = invoke("setup-monitoring", *args, "--dry-run", "--out", str(out))
        assert code == 2, stderr
        assert stderr.startswith("error: ") and message in stderr and stderr.count("\n") == 1
    code, _, stderr = invoke("setup-monitoring", "--isvc", "bike", "--namespace", "ml", "--dry-run")
    assert code == 2 and "output folder" in stderr
    assert not out.exists()


def test_publish_metrics_writes_the_exposition_text(tmp_path: Path) -> None:
    report = tmp_path / "drift_report.json"
    report.write_text(json.dumps(drift_report(0.4)))
    out = tmp_path / "metrics.prom"
    code, stdout, _ = invoke(
        "publish-metrics", "--model", "bike", "--namespace", "ml", "--drift-report", str(report),
        "--out", str(out),
    )  # fmt: skip
    assert code == 0, stdout
    names = {f.name for f in text_string_to_metric_families(out.read_text())}
    assert {"driftline_drift_share", "driftline_last_run_timestamp_seconds"} <= names


def test_publish_metrics_bad_report_exits_2(tmp_path: Path) -> None:
    report = tmp_path / "drift_report.json"
    report.write_text(json.dumps({"kind": "profile"}))
    code, _, stderr = invoke(
        "publish-metrics", "--model", "bike", "--namespace", "ml", "--drift-report", str(report)
    )
    assert code == 2 and "is a 'profile' document, expected a drift report" in stderr
