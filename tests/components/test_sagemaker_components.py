"""The SageMaker paths of the components, run by the real KFP local runner against moto."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pyarrow.parquet as pq
from kfp import dsl
from kfp.dsl import Artifact

from driftline.components.load_window import load_window
from driftline.components.publish_metrics import publish_metrics
from tests.unit.observability.reports import drift_report, performance_report, validation_report
from tests.unit.sagemaker.test_capture import _layout


def test_publish_metrics_sends_the_headline_to_cloudwatch(
    kfp_local: Path, tmp_path: Path, aws: str
) -> None:
    """With sagemaker_endpoint set, the task's PutMetricData reaches CloudWatch (moto)."""
    for name, document in (
        ("drift", drift_report(0.8)),
        ("validation", validation_report(errors=2, warnings=1)),
        ("performance", performance_report(degraded=False)),
    ):
        (tmp_path / f"{name}_report.json").write_text(json.dumps(document))

    @dsl.pipeline
    def publish_run() -> Artifact:
        reports = {
            name: dsl.importer(
                artifact_uri=str(tmp_path / f"{name}_report.json"), artifact_class=Artifact
            ).output
            for name in ("drift", "validation", "performance")
        }
        task = publish_metrics(
            drift_report=reports["drift"],
            validation_report=reports["validation"],
            performance_report=reports["performance"],
            model_name="churn",
            namespace="ml",
            sagemaker_endpoint="churn-prod",
            monitoring_schedule="driftline-churn-prod",
        )
        return task.outputs["metrics_text"]

    run = publish_run()
    assert run.output.metadata["cloudwatch_metrics"] == 4
    now = datetime.now(UTC)
    stats = boto3.client("cloudwatch").get_metric_statistics(
        Namespace="aws/sagemaker/Endpoints/data-metrics",
        MetricName="driftline_violations",
        Dimensions=[
            {"Name": "Endpoint", "Value": "churn-prod"},
            {"Name": "MonitoringSchedule", "Value": "driftline-churn-prod"},
        ],
        StartTime=now - timedelta(hours=1),
        EndTime=now + timedelta(hours=1),
        Period=3600,
        Statistics=["Maximum"],
    )
    assert [p["Maximum"] for p in stats["Datapoints"]] == [3.0]


def test_load_window_reads_captures_with_a_header(kfp_local: Path, tmp_path: Path) -> None:
    """sagemaker-capture in load_window: the window's rows, named, with capture counts."""
    _layout(tmp_path / "data")
    task = load_window(
        source_uri=str(tmp_path / "data" / "my-endpoint" / "AllTraffic"),
        data_format="sagemaker-capture",
        window_end="2024-05-01T11:00:00Z",
        window_length="1h",
        capture_header=["a", "b"],
    )
    table = pq.read_table(task.outputs["window"].path)
    assert table.column("a").to_pylist() == [1, 3, 5]
    assert task.outputs["rows"] == 3
    metadata = task.outputs["window"].metadata
    assert (metadata["capture_records"], metadata["bad_records"]) == (3, 0)
