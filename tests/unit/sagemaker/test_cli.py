"""`driftline sagemaker ...` and the generic commands on captures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from driftline.cli import main
from driftline.platforms.sagemaker import setup
from driftline.profile import DatasetProfile
from tests.reference import REFERENCE
from tests.unit.sagemaker.conftest import ServiceModelStandIn, seed_endpoint
from tests.unit.sagemaker.test_capture import _layout
from tests.unit.sagemaker.test_formats import STATISTICS_SCHEMA
from tests.unit.sagemaker.test_setup import SETTINGS

QUALITY = REFERENCE / "sagemaker-model-monitor" / "sdk-tests-quality-check-step" / "data_quality"


def _run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_import_then_export_keeps_the_reference_numbers(tmp_path: Path) -> None:
    """import-baseline -> profile + constraints; export-baseline -> statistics.json again."""
    import jsonschema

    done = _run(
        "sagemaker", "import-baseline", str(QUALITY / "statistics.json"),
        "--constraints", str(QUALITY / "good_cases" / "constraints.json"),
        "--out", str(tmp_path / "profile.json"),
        "--constraints-out", str(tmp_path / "constraints.json"),
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    profile = DatasetProfile.load(tmp_path / "profile.json")
    assert profile.row_count == 100
    constraints = json.loads((tmp_path / "constraints.json").read_text())
    assert constraints["columns"]["_c0"]["min"] == 0.0  # is_non_negative
    done = _run(
        "sagemaker", "export-baseline", str(tmp_path / "profile.json"),
        "--out", str(tmp_path / "export"), "--constraints", str(tmp_path / "constraints.json"),
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    statistics = json.loads((tmp_path / "export" / "statistics.json").read_text())
    jsonschema.validate(statistics, STATISTICS_SCHEMA)
    original = json.loads((QUALITY / "statistics.json").read_text())
    for before, after in zip(original["features"], statistics["features"], strict=True):
        assert after["numerical_statistics"]["mean"] == before["numerical_statistics"]["mean"]
    exported = json.loads((tmp_path / "export" / "constraints.json").read_text())
    assert exported["features"][0]["num_constraints"] == {"is_non_negative": True}


def test_capture_command_and_generic_validate(tmp_path: Path) -> None:
    """`sagemaker capture` writes the window's rows; `validate` reads captures directly."""
    _layout(tmp_path / "data")
    variant = tmp_path / "data" / "my-endpoint" / "AllTraffic"
    done = _run(
        "sagemaker", "capture", str(variant), "--out", str(tmp_path / "w.parquet"),
        "--start", "2024-05-01T10:00:00", "--end", "2024-05-01T11:00:00", "--header", "a,b",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "3 record(s) in 2 file(s) gave 3 row(s)" in done.output
    table = pq.read_table(tmp_path / "w.parquet")
    assert table.column("a").to_pylist() == [1, 3, 5]
    assert _run("profile", str(tmp_path / "w.parquet"), "--out", str(tmp_path / "p.json"),
                "--columns", "a,b").exit_code == 0  # fmt: skip
    done = _run(
        "validate", "--profile", str(tmp_path / "p.json"), "--current", str(variant),
        "--format", "sagemaker-capture", "--out", str(tmp_path / "report"),
        "--timestamp-column", "inferenceTime",
        "--start", "2024-05-01T10:00:00", "--end", "2024-05-01T11:00:00",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    report = json.loads((tmp_path / "report" / "validation_report.json").read_text())
    assert report["rows"] == 3


def test_unknown_format_lists_sagemaker_capture(tmp_path: Path) -> None:
    """A wrong --format names the valid ones, sagemaker-capture among them."""
    (tmp_path / "x.jsonl").write_text("{}\n")
    result = CliRunner().invoke(
        main, ["profile", str(tmp_path / "x.jsonl"), "--out", str(tmp_path / "p"), "--format", "sm"]
    )
    assert result.exit_code == 2
    assert "sagemaker-capture" in result.output


def test_setup_command_against_moto(
    aws: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`sagemaker setup` prints what it did; a second run changes nothing."""
    client = boto3.client("sagemaker")
    stand_in = ServiceModelStandIn(client)
    monkeypatch.setattr(setup, "client", lambda service="sagemaker": client)
    seed_endpoint(client, "cli-endpoint")
    args = [
        "sagemaker", "setup", "cli-endpoint", "--image", SETTINGS["image_uri"],
        "--role", SETTINGS["role_arn"], "--capture-uri", SETTINGS["capture_uri"],
        "--output-uri", SETTINGS["output_uri"],
    ]  # fmt: skip
    first = json.loads(_run(*args).output)
    assert (first["capture"]["action"], first["job"]["action"], first["schedule"]["action"]) == (
        "updated",
        "created",
        "created",
    )
    second = json.loads(_run(*args).output)
    assert {second[k]["action"] for k in ("capture", "job", "schedule")} == {"unchanged"}
    assert setup.schedule_name("cli-endpoint") in stand_in.schedules
    bad = CliRunner().invoke(main, [*args[:-1], "file:///tmp/x"])
    assert bad.exit_code == 2
    assert bad.output.strip() == "error: --output-uri 'file:///tmp/x' must be an s3:// URI"


def test_violations_command_converts_driftline_reports(tmp_path: Path) -> None:
    """`sagemaker violations`: a validation and a drift report become one violations file."""
    from tests.unit.observability.reports import drift_report, validation_report

    (tmp_path / "validation_report.json").write_text(json.dumps(validation_report(errors=2)))
    (tmp_path / "drift_report.json").write_text(json.dumps(drift_report(0.6)))
    done = _run(
        "sagemaker", "violations", "--validation-report", str(tmp_path / "validation_report.json"),
        "--drift-report", str(tmp_path / "drift_report.json"), "--out", str(tmp_path / "v.json"),
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    document = json.loads((tmp_path / "v.json").read_text())
    drifted = [c for c in drift_report(0.6)["columns"] if c["drift_detected"]]
    drift_entries = [
        v for v in document["violations"] if v["constraint_check_type"] == "baseline_drift_check"
    ]
    assert [v["feature_name"] for v in drift_entries] == [c["name"] for c in drifted]
    assert (
        done.output.strip()
        == f"{len(document['violations'])} violation(s) -> {tmp_path / 'v.json'}"
    )


def test_register_events_takes_the_token_from_the_environment(
    aws: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No token in the environment: one error line; with it, the route is created."""
    monkeypatch.delenv("DRIFTLINE_EVENTBRIDGE_TOKEN", raising=False)
    args = ["sagemaker", "register-events", "--url", "https://r.example.com/eventbridge",
            "--role", "arn:aws:iam::123456789012:role/eventbridge"]  # fmt: skip
    refused = CliRunner().invoke(main, args)
    assert (refused.exit_code, refused.output.strip()) == (
        2,
        "error: set DRIFTLINE_EVENTBRIDGE_TOKEN to the receiver's token",
    )
    monkeypatch.setenv("DRIFTLINE_EVENTBRIDGE_TOKEN", "s3cret")
    done = json.loads(_run(*args).output)
    assert done["connection"] == "created"
    connection = boto3.client("events").describe_connection(Name=done["name"])
    assert connection["AuthorizationType"] == "API_KEY"


def test_publish_metrics_command_also_sends_to_cloudwatch(aws: str, tmp_path: Path) -> None:
    """`publish-metrics --sagemaker-endpoint` puts the headline into CloudWatch (moto)."""
    from tests.unit.observability.reports import drift_report, validation_report

    (tmp_path / "drift_report.json").write_text(json.dumps(drift_report(0.6)))
    (tmp_path / "validation_report.json").write_text(json.dumps(validation_report(errors=1)))
    done = _run(
        "publish-metrics", "--model", "m", "--namespace", "ml", "--out", str(tmp_path / "m.prom"),
        "--drift-report", str(tmp_path / "drift_report.json"),
        "--validation-report", str(tmp_path / "validation_report.json"),
        "--sagemaker-endpoint", "cli-ep", "--monitoring-schedule", "cli-schedule",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "sent 4 metric(s) to CloudWatch for endpoint cli-ep" in done.output
    metrics = boto3.client("cloudwatch").list_metrics(
        Namespace="aws/sagemaker/Endpoints/data-metrics", MetricName="driftline_drift_share"
    )["Metrics"]
    assert {d["Value"] for m in metrics for d in m["Dimensions"]} >= {"cli-ep", "cli-schedule"}
