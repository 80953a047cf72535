"""Issue 15's end-to-end test, on moto (S3, SageMaker, CloudWatch) and the KFP local runner.

An endpoint writes captures to S3; an approval event sets up Data Capture, a job definition
with driftline's image and the package's baseline, and a schedule; the container entrypoint
runs on the captured hour as a processing job would (inputs downloaded, environment from the
job definition and the contract); its violations and CloudWatch metrics are checked; a local
`monitor_window` run over the same captures gives the same verdicts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from kfp import local

from driftline.lineage import open_store
from driftline.lineage.mlmd.kfp_records import record_training_run
from driftline.platforms.sagemaker import cloudwatch, setup
from driftline.platforms.sagemaker.constraints import to_constraints
from driftline.platforms.sagemaker.registry import handle_event, parse_event
from driftline.platforms.sagemaker.statistics import to_statistics
from driftline.platforms.sagemaker.violations import CHECK_TYPES, read_violations
from driftline.profile import profile_source
from driftline.validation import infer_constraints
from tests.unit.sagemaker.conftest import ServiceModelStandIn, seed_endpoint, write_capture
from tests.unit.sagemaker.test_setup import SETTINGS, _event

FEATURES = ["_c0", "_c1", "_c2", "_c3"]
HOUR_START = datetime(2024, 5, 1, 10, tzinfo=UTC)
BUCKET = "monitoring"


def _training(path: Path) -> None:
    """Baseline data named as Model Monitor names headerless CSV columns."""
    rng = np.random.default_rng(11)
    n = 3000
    table = pa.table(
        {
            "_c0": np.round(rng.normal(40, 8, n), 1),
            "_c1": rng.integers(0, 5, n),
            "_c2": np.round(rng.uniform(0, 30, n), 1),
            "_c3": rng.choice(["A", "B", "C"], n, p=[0.5, 0.3, 0.2]).tolist(),
            "prediction": np.round(rng.uniform(0, 1, n), 2),
        }
    )
    pq.write_table(table, path)


def _captures(rows: int) -> list[dict[str, Any]]:
    """One hour of traffic: _c0 drifted upwards, _c3 has an unseen value, _c2 some blanks."""
    rng = np.random.default_rng(12)
    records = []
    for i in range(rows):
        c2 = "" if i % 10 == 0 else f"{rng.uniform(0, 30):.1f}"
        c3 = "D" if i % 7 == 0 else str(rng.choice(["A", "B", "C"]))
        values = f"{rng.normal(55, 8):.1f},{rng.integers(0, 5)},{c2},{c3}"
        second = i * 3600 // rows
        records.append(
            {
                "captureData": {
                    "endpointInput": {
                        "observedContentType": "text/csv",
                        "mode": "INPUT",
                        "data": values,
                        "encoding": "CSV",
                    },
                    "endpointOutput": {
                        "observedContentType": "text/csv; charset=utf-8",
                        "mode": "OUTPUT",
                        "data": f"{rng.uniform(0, 1):.2f}",
                        "encoding": "CSV",
                    },
                },
                "eventMetadata": {
                    "eventId": f"event-{i}",
                    "inferenceTime": f"2024-05-01T10:{second // 60:02d}:{second % 60:02d}Z",
                },
                "eventVersion": "0",
            }
        )
    return records


def _download(s3: Any, prefix: str, into: Path) -> None:
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix):
        for item in page.get("Contents", []):
            target = into / item["Key"][len(prefix) :].lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            s3.download_file(BUCKET, item["Key"], str(target))


def _verdicts_of_container(folder: Path) -> set[tuple[str, str]]:
    return {
        (v["feature_name"], v["constraint_check_type"])
        for v in read_violations(folder)["violations"]
    }


def _verdicts_of_reports(validation: dict[str, Any], drift: dict[str, Any]) -> set[tuple[str, str]]:
    found = set()
    for violation in validation["violations"]:
        check_type = CHECK_TYPES.get(violation["check"], f"driftline_{violation['check']}_check")
        if violation["check"] == "extra_columns":
            found |= {(name, check_type) for name in violation["observed"]}
        else:
            found.add((violation["column"] or "", check_type))
    found |= {(c["name"], "baseline_drift_check") for c in drift["columns"] if c["drift_detected"]}
    return found


def test_captures_approval_container_and_monitor_window_agree(tmp_path: Path, aws: str) -> None:
    s3, sm = boto3.client("s3"), boto3.client("sagemaker")
    stand_in = ServiceModelStandIn(sm)
    s3.create_bucket(Bucket=BUCKET)

    # Baseline: the training data's driftline profile, exported as Model Monitor files.
    _training(tmp_path / "training.parquet")
    profile = profile_source(str(tmp_path / "training.parquet"))
    constraints = infer_constraints(profile, expected_rows=0)
    s3.put_object(
        Bucket=BUCKET, Key="baseline/statistics.json", Body=json.dumps(to_statistics(profile))
    )
    s3.put_object(
        Bucket=BUCKET,
        Key="baseline/constraints.json",
        Body=json.dumps(to_constraints(constraints, profile)),
    )

    # 1. The endpoint's captures, written to S3 as an endpoint writes them.
    write_capture(tmp_path / "capture.jsonl", _captures(400))
    capture_key = "datacapture/churn-prod/AllTraffic/2024/05/01/10/10-00-00-000-abc.jsonl"
    s3.upload_file(str(tmp_path / "capture.jsonl"), BUCKET, capture_key)

    # 2-3. An approval event: setup creates the capture config, job definition and schedule.
    arn = _package_with_baseline(sm)
    seed_endpoint(sm, "churn-prod", package_arn=arn)
    settings = setup.MonitorSettings(**SETTINGS)
    [done] = handle_event(parse_event(_event(arn, "Approved")), settings, sm)["monitored"]
    config = sm.describe_endpoint_config(EndpointConfigName=done["capture"]["endpoint_config"])
    assert config["DataCaptureConfig"]["DestinationS3Uri"] == f"s3://{BUCKET}/datacapture"
    definition = sm.describe_data_quality_job_definition(
        JobDefinitionName=done["job"]["job_definition"]
    )
    schedule = stand_in.schedules[done["schedule"]["schedule"]]

    # 4. The processing job SageMaker would start: inputs downloaded, the contract's env.
    job = tmp_path / "job"
    local_input = job / "input"
    _download(s3, "datacapture/", local_input)
    baseline = definition["DataQualityBaselineConfig"]
    for name, resource in (
        ("statistics", "StatisticsResource"),
        ("constraints", "ConstraintsResource"),
    ):
        key = baseline[resource]["S3Uri"].removeprefix(f"s3://{BUCKET}/")
        s3.download_file(BUCKET, key, str(job / f"{name}.json"))
    app = definition["DataQualityAppSpecification"]
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        **app.get("Environment", {}),
        "dataset_format": json.dumps(
            {"sagemakerCaptureJson": {"captureIndexNames": ["endpointInput", "endpointOutput"]}}
        ),
        "dataset_source": str(local_input),
        "output_path": str(job / "result"),
        "baseline_statistics": str(job / "statistics.json"),
        "baseline_constraints": str(job / "constraints.json"),
        "start_time": "2024-05-01T10:00:00Z",
        "end_time": "2024-05-01T11:00:00Z",
        "metric_time": "2024-05-01T11:00:00Z",
        "publish_cloudwatch_metrics": "Enabled",
        "sagemaker_endpoint_name": "churn-prod",
        "sagemaker_monitoring_schedule_name": schedule["MonitoringScheduleName"],
        "DRIFTLINE_ML_OUTPUT": str(job / "ml-output"),
    }
    assert app["ContainerEntrypoint"] == ["python", "-m", "driftline.platforms.sagemaker"]
    ran = subprocess.run(
        [sys.executable, *app["ContainerEntrypoint"][1:]],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stderr

    # 5. The violations file, and the metric lines as SageMaker publishes them.
    container = _verdicts_of_container(job / "result")
    assert {
        ("_c0", "baseline_drift_check"),
        ("_c2", "completeness_check"),
        ("_c3", "categorical_values_check"),
    } <= container
    lines = cloudwatch.read_metric_lines(job / "ml-output" / "metrics" / "cloudwatch")
    cloudwatch.put_metrics(lines, namespace="e2e/data-metrics")
    cw = boto3.client("cloudwatch")
    dims = cloudwatch.dimensions("churn-prod", schedule["MonitoringScheduleName"])
    points = cw.get_metric_statistics(
        Namespace="e2e/data-metrics",
        MetricName="feature_non_null__c2",
        Dimensions=dims,
        StartTime=HOUR_START,
        EndTime=datetime(2024, 5, 1, 12, tzinfo=UTC),
        Period=3600,
        Statistics=["Average"],
    )["Datapoints"]
    assert [round(p["Average"], 6) for p in points] == [0.9]  # every 10th _c2 was blank

    # 6. monitor_window over the same captures, in kfp.local: the same verdicts.
    from driftline.pipelines.scheduled_monitoring import monitor_window

    store = f"sqlite://{tmp_path / 'mlmd.sqlite'}"
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    record_training_run(
        open_store(store),
        dataset_uri=str(tmp_path / "training.parquet"),
        model_uri=str(model_dir),
        metrics={},
        pipeline_name="churn-training",
        run_id="training-1",
    )
    local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=str(tmp_path / "root"))
    run = monitor_window(
        model=str(model_dir),
        source_uri=f"s3://{BUCKET}/datacapture/churn-prod/AllTraffic",
        window_end="2024-05-01T11:00:00Z",
        store=store,
        source_format="sagemaker-capture",
        timestamp_column="inferenceTime",
        window_length="1h",
        columns=[*FEATURES, "prediction"],
        prediction_column="prediction",
        task="regression",
        model_name="churn",
        namespace="ml",
        run_id="scheduled-1",
    )
    validation = json.loads(Path(run.outputs["validation_report"].path).read_text())
    drift = json.loads(Path(run.outputs["drift_report"].path).read_text())
    assert drift["current_rows"] == 400
    assert _verdicts_of_reports(validation, drift) == container


def _package_with_baseline(sm: Any) -> str:
    from tests.unit.sagemaker.test_setup import _package

    return _package(sm, "churn")
