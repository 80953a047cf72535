"""The Model Monitor container entrypoint, run as a process with the contract's environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema

from tests.reference import REFERENCE
from tests.unit.sagemaker.conftest import write_capture
from tests.unit.sagemaker.test_formats import CHECK_TYPES, STATISTICS_SCHEMA, VIOLATIONS_SCHEMA

MONITOR = REFERENCE / "sagemaker-model-monitor"
QUALITY = MONITOR / "sdk-tests-quality-check-step" / "data_quality"
HOUR = "2024/05/01/10"
# The CloudWatch metric schema of the BYOC page: MetricName, Timestamp, Dimensions, and
# either Value or StatisticValues.
METRIC_SCHEMA = {
    "type": "object",
    "required": ["MetricName", "Timestamp", "Dimensions"],
    "properties": {
        "Timestamp": {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"},
        "Dimensions": {
            "type": "array",
            "items": {"type": "object", "required": ["Name", "Value"]},
        },
        "StatisticValues": {
            "type": "object",
            "required": ["SampleCount", "Sum", "Minimum", "Maximum"],
        },
    },
    "oneOf": [{"required": ["Value"]}, {"required": ["StatisticValues"]}],
}


def _captures(root: Path) -> Path:
    """The SDK's 44 CSV captures, as an endpoint lays them out for a job's dataset_source."""
    lines = (MONITOR / "sdk-tests-monitor" / "capture.jsonl").read_text().splitlines()
    records = [json.loads(line.replace("{%s}", "2024-05-01T10:15:00Z")) for line in lines]
    write_capture(root / "my-endpoint" / "AllTraffic" / HOUR / "capture.jsonl", records)
    return root


def _run(tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    ml_output = tmp_path / "ml-output"
    contract = {
        "dataset_format": json.dumps(
            {"sagemakerCaptureJson": {"captureIndexNames": ["endpointInput", "endpointOutput"]}}
        ),
        "dataset_source": str(_captures(tmp_path / "endpointdata")),
        "output_path": str(tmp_path / "resultdata"),
        "start_time": "2024-05-01T10:00:00Z",
        "end_time": "2024-05-01T11:00:00Z",
        "metric_time": "2024-05-01T11:00:00Z",
        "publish_cloudwatch_metrics": "Enabled",
        "sagemaker_endpoint_name": "my-endpoint",
        "sagemaker_monitoring_schedule_name": "my-schedule",
        "DRIFTLINE_ML_OUTPUT": str(ml_output),
        **env,
    }
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    done = subprocess.run(
        [sys.executable, "-m", "driftline.platforms.sagemaker"],
        env={**environment, **contract},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done, ml_output


def test_reference_baseline_and_captures(tmp_path: Path) -> None:
    """The reference baseline against the reference captures: documented outputs, exit 0."""
    header = ",".join(f"_c{i}" for i in range(7))  # the captures hold 7 values, the baseline 6
    done, ml_output = _run(
        tmp_path,
        baseline_statistics=str(QUALITY / "statistics.json"),
        baseline_constraints=str(QUALITY / "good_cases" / "constraints.json"),
        driftline_header=header,
    )
    assert done.returncode == 0, done.stderr
    message = (ml_output / "message").read_text()
    assert message.startswith("CompletedWithViolations: ")
    statistics = json.loads((tmp_path / "resultdata" / "statistics.json").read_text())
    jsonschema.validate(statistics, STATISTICS_SCHEMA)
    assert statistics["dataset"]["item_count"] == 44
    violations = json.loads((tmp_path / "resultdata" / "constraint_violations.json").read_text())
    jsonschema.validate(violations, VIOLATIONS_SCHEMA)
    found = {(v["feature_name"], v["constraint_check_type"]) for v in violations["violations"]}
    assert ("_c6", "extra_column_check") in found  # an input the baseline lacks
    assert "prediction" not in {name for name, _ in found}  # outputs: not in this baseline
    assert ("_c0", "baseline_drift_check") in found  # baseline 1..3, captures 0..45
    assert {t for _, t in found} <= CHECK_TYPES | {"driftline_range_check"}
    lines = [json.loads(x) for x in (ml_output / "metrics/cloudwatch/driftline.jsonl").open()]
    for line in lines:
        jsonschema.validate(line, METRIC_SCHEMA)
        assert line["Dimensions"] == [
            {"Name": "Endpoint", "Value": "my-endpoint"},
            {"Name": "MonitoringSchedule", "Value": "my-schedule"},
        ]
        assert line["Timestamp"] == "2024-05-01T11:00:00Z"
    by_name = {line["MetricName"]: line for line in lines}
    first_column = [int(values[0]) for values in _input_values(tmp_path)]
    data = by_name["feature_data__c0"]["StatisticValues"]
    assert (data["SampleCount"], data["Sum"]) == (44, sum(first_column))
    assert (data["Minimum"], data["Maximum"]) == (min(first_column), max(first_column))
    assert by_name["driftline_rows"]["Value"] == 44
    report = json.loads((tmp_path / "resultdata/driftline/validation_report.json").read_text())
    assert by_name["driftline_violations"]["Value"] == len(report["violations"])
    assert by_name["feature_non_null__c0"]["Value"] == 1.0


def _input_values(tmp_path: Path) -> list[list[str]]:
    path = tmp_path / "endpointdata" / "my-endpoint" / "AllTraffic" / HOUR / "capture.jsonl"
    records = [json.loads(line) for line in path.read_text().splitlines()]
    return [r["captureData"]["endpointInput"]["data"].split(",") for r in records]


def test_the_misspelled_constraints_variable_is_read(tmp_path: Path) -> None:
    """`baseline_constaints` (the contract page's spelling) is honoured like the right one."""
    header = ",".join(f"_c{i}" for i in range(7))
    bad_cases = str(QUALITY / "bad_cases" / "constraints.json")  # one feature typed String
    results = []
    for variable in ("baseline_constraints", "baseline_constaints"):
        folder = tmp_path / variable
        done, _ = _run(
            folder,
            baseline_statistics=str(QUALITY / "statistics.json"),
            driftline_header=header,
            **{variable: bad_cases},
        )
        assert done.returncode == 0, done.stderr
        document = json.loads((folder / "resultdata" / "constraint_violations.json").read_text())
        results.append(document)
    assert results[0] == results[1]
    assert any(v["constraint_check_type"] == "data_type_check" for v in results[0]["violations"])


def test_a_baselining_job_suggests_statistics_and_constraints(tmp_path: Path) -> None:
    """Without baseline files the job writes statistics.json and constraints.json."""
    done, ml_output = _run(tmp_path, publish_cloudwatch_metrics="Disabled")
    assert done.returncode == 0, done.stderr
    constraints = json.loads((tmp_path / "resultdata" / "constraints.json").read_text())
    assert [f["name"] for f in constraints["features"]] == [
        *(f"_c{i}" for i in range(7)),
        "prediction",
    ]
    assert not (tmp_path / "resultdata" / "constraint_violations.json").exists()
    assert not (ml_output / "metrics").exists()
    assert (ml_output / "message").read_text().startswith("Completed: ")


def test_the_baseline_it_suggested_finds_no_violations(tmp_path: Path) -> None:
    """A window checked against its own suggested baseline: Completed, an empty list."""
    first, _ = _run(tmp_path / "baseline", publish_cloudwatch_metrics="Disabled")
    assert first.returncode == 0, first.stderr
    results = tmp_path / "baseline" / "resultdata"
    done, ml_output = _run(
        tmp_path / "monitor",
        baseline_statistics=str(results / "statistics.json"),
        baseline_constraints=str(results / "constraints.json"),
    )
    assert done.returncode == 0, done.stderr
    violations = json.loads(
        (tmp_path / "monitor/resultdata/constraint_violations.json").read_text()
    )
    assert violations == {"violations": []}
    assert (ml_output / "message").read_text().startswith("Completed: 0 violation(s)")


def test_bad_environment_exits_2_with_one_line(tmp_path: Path) -> None:
    """A bad contract value fails the job with one error line, in stderr and the message."""
    done, ml_output = _run(tmp_path, start_time="yesterday")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: start_time 'yesterday' is not an ISO 8601 time, e.g. 2019-12-01T16:20:00Z"
    ]
    assert (ml_output / "message").read_text() == done.stderr.strip()
    assert not (tmp_path / "resultdata").exists()
    done, _ = _run(tmp_path, baseline_statistics=str(tmp_path / "missing.json"))
    assert done.returncode == 2
    assert "baseline_statistics" in done.stderr and "missing.json" in done.stderr
    swapped = str(QUALITY / "good_cases" / "constraints.json")  # constraints given as statistics
    done, _ = _run(tmp_path, baseline_statistics=swapped)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"error: {swapped}: not a Model Monitor statistics.json: "
        "feature '_c0' (Fractional) has no numerical_statistics"
    ]
    assert not (tmp_path / "resultdata").exists()


def test_a_batch_job_reads_headerless_csv_by_the_baseline_names(tmp_path: Path) -> None:
    """`{"csv": {"header": false}}`: columns take the baseline's names, as captures do."""
    rows = [",".join(str((i * 7 + j) % 3 + 1) for j in range(6)) for i in range(50)]
    (tmp_path / "batch").mkdir()
    (tmp_path / "batch" / "part-0.csv").write_text("\n".join(rows) + "\n")
    done, _ = _run(
        tmp_path,
        dataset_format=json.dumps({"csv": {"header": False}}),
        dataset_source=str(tmp_path / "batch"),
        baseline_statistics=str(QUALITY / "statistics.json"),
        baseline_constraints=str(QUALITY / "good_cases" / "constraints.json"),
    )
    assert done.returncode == 0, done.stderr
    statistics = json.loads((tmp_path / "resultdata" / "statistics.json").read_text())
    assert statistics["dataset"]["item_count"] == 50
    assert [f["name"] for f in statistics["features"]] == [f"_c{i}" for i in range(6)]
    violations = json.loads((tmp_path / "resultdata" / "constraint_violations.json").read_text())
    found = {v["constraint_check_type"] for v in violations["violations"]}
    assert "missing_column_check" not in found and "extra_column_check" not in found
