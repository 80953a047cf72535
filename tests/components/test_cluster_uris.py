"""Component inputs as KFP on a cluster hands them: artifacts whose `.uri` is `minio://` or
`s3://` with a `.path` that does not exist in the pod, and URI strings read back from ML
Metadata. The object store is a real S3-protocol server process (moto_server); MLMD is SQLite.

Each component's Python function is called the way KFP's executor calls it, with input
artifacts built from their URIs (outputs are local files, as the launcher provides them);
the two failures seen on a cluster also run through the real `kfp.local` runner.
"""

import io
import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from kfp import dsl, local

from driftline.components.check_drift import check_drift
from driftline.components.compute_performance import compute_performance
from driftline.components.load_window import load_window
from driftline.components.merge_profiles import merge_profiles
from driftline.components.plan_partitions import plan_partitions
from driftline.components.profile_baseline import profile_baseline
from driftline.components.profile_partition import profile_partition
from driftline.components.profile_window import profile_window
from driftline.components.publish_metrics import publish_metrics
from driftline.components.record_baseline import record_baseline
from driftline.components.record_monitoring_result import record_monitoring_result
from driftline.components.render_evidently_report import render_evidently_report
from driftline.components.resolve_baseline import resolve_baseline
from driftline.components.send_notification import send_notification
from driftline.components.validate_data import validate_data
from driftline.lineage import open_store, record_baseline_profile
from driftline.lineage import resolve_baseline as resolve
from driftline.profile import DatasetProfile, profile_source, write_profile
from tests.components.kfp_runs import timestamped_bikes
from tests.object_store import S3Server
from tests.partitioned import START as SINK_START
from tests.partitioned import assert_same_profile, write_sink_layout
from tests.unit.lineage.support import (
    drift_report,
    performance_report,
    seed_training,
    validation_report,
)
from tests.unit.sink.test_kserve_capture import calls

SCHEMES = ("minio", "s3")
START, END = datetime(2012, 1, 25, tzinfo=UTC), datetime(2012, 2, 1, tzinfo=UTC)


class Cluster:
    """The object store as a pod sees it through one URI scheme, and a place for outputs."""

    def __init__(self, server: S3Server, scheme: str, out: Path) -> None:
        self.server, self.scheme, self.out = server, scheme, out
        self.bucket = server.bucket("mlpipeline")
        self.run = f"run-{uuid.uuid4().hex[:8]}"

    def uri(self, key: str, data: bytes | str) -> str:
        """Upload `data` under this run's folder; its URI."""
        key = f"v2/artifacts/{self.run}/{key}"
        self.server.put(self.bucket, key, data)
        return f"{self.scheme}://{self.bucket}/{key}"

    def artifact(self, key: str, data: bytes | str, kind: type = dsl.Dataset) -> Any:
        """An input artifact as the executor builds it from a URI; not downloaded."""
        artifact = kind(uri=self.uri(key, data))
        assert artifact.path.startswith(("/minio/", "/s3/")) and not os.path.exists(artifact.path)
        return artifact

    def output(self, name: str, kind: type = dsl.Artifact) -> Any:
        """An output artifact at a local path, as the launcher provides it."""
        return kind(uri=str(self.out / name))


@pytest.fixture(params=SCHEMES)
def cluster(request: pytest.FixtureRequest, tmp_path: Path) -> Cluster:
    server = request.getfixturevalue(request.param)  # the `minio` or `s3` fixture
    return Cluster(server, request.param, tmp_path / "outputs")


def parquet(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


@pytest.fixture
def bikes(tmp_path: Path, bike_hour_csv: Path) -> pa.Table:
    """The bike data with a UTC `timestamp` column."""
    return pq.read_table(timestamped_bikes(bike_hour_csv, tmp_path / "bikes.parquet"))


def profile_json(table: pa.Table, tmp_path: Path) -> bytes:
    source = tmp_path / f"{uuid.uuid4().hex}.parquet"
    pq.write_table(table, source)
    write_profile(str(source), tmp_path / "profile.json")
    return (tmp_path / "profile.json").read_bytes()


# The two failures seen on a cluster, through the real kfp.local runner.


@pytest.fixture
def kfp_local(tmp_path: Path) -> None:
    local.init(
        runner=local.SubprocessRunner(use_venv=False),
        pipeline_root=str(tmp_path / "root"),
        raise_on_error=True,
    )


class Profiles(NamedTuple):
    reused: dsl.Artifact
    profiled: dsl.Artifact


def test_recorded_profile_read_back_from_mlmd_is_reused(minio, kfp_local, bikes, tmp_path):
    """resolve_baseline hands profile_baseline the recorded profile's MLMD URI (minio://),
    which is not in the pod: the profile is read from the store, not re-computed. Without a
    recorded profile, the training dataset's URI from MLMD is profiled."""
    cluster = Cluster(minio, "minio", tmp_path / "outputs")
    dataset_uri = cluster.uri("train/bikes.parquet", parquet(bikes))
    recorded = profile_json(bikes.slice(0, 100), tmp_path)  # not what profiling `bikes` gives
    profile_uri = cluster.uri("profile-baseline/profile", recorded)
    store_uri = f"sqlite://{tmp_path}/mlmd.sqlite"
    store = open_store(store_uri)
    run = seed_training(store, dataset_uri=dataset_uri)
    record_baseline_profile(
        store, run.model_id, profile_uri, json.loads(recorded), run_id="deploy", task="record"
    )
    store.close()
    assert resolve(store_uri, run.model_id)["profile_uri"] == profile_uri

    @dsl.pipeline
    def baseline(store: str, model: str) -> Profiles:
        resolved = resolve_baseline(model=model, store=store)
        reused = profile_baseline(
            dataset=resolved.outputs["baseline"], recorded_profile=resolved.outputs["profile_uri"]
        )
        profiled = profile_baseline(dataset=resolved.outputs["baseline"])  # from dataset_uri
        return Profiles(reused.outputs["profile"], profiled.outputs["profile"])

    task = baseline(store=store_uri, model=str(run.model_id))
    reused, profiled = task.outputs["reused"], task.outputs["profiled"]
    assert json.loads(Path(reused.path).read_text()) == json.loads(recorded)
    assert reused.metadata["rows"] == 100
    assert json.loads(Path(profiled.path).read_text())["row_count"] == bikes.num_rows
    assert profiled.metadata["source"] == dataset_uri


def test_kserve_capture_on_minio(minio, tmp_path):
    """load_window reads a `kserve` source on minio:// (the KServe logger's object-store layout)."""
    bucket = minio.bucket()
    for number, record in enumerate(calls(3)):
        kind = record["reqType"].rsplit(".", 1)[-1]
        minio.put(
            bucket, f"logs/default/iris/predictor/{number:03d}-{kind}.json", json.dumps(record)
        )
    window = dsl.Dataset(uri=str(tmp_path / "window"))
    out = load_window.python_func(
        window=window,
        source_uri=f"minio://{bucket}/logs",
        data_format="kserve",
        window_end="2024-05-07T00:00:00Z",
        window_length="1d",
    )
    table = pq.read_table(window.path)
    assert out.rows == table.num_rows == 6  # 3 calls, 2 instances each
    assert sorted(set(table.column("event_id").to_pylist())) == ["id-0", "id-1", "id-2"]
    assert window.metadata["source"] == f"minio://{bucket}/logs"


# Every other component input that can be a URI.


def test_load_window_source_uri(cluster, bikes):
    source = cluster.uri("logs/bikes.parquet", parquet(bikes))
    window = cluster.output("window", dsl.Dataset)
    out = load_window.python_func(
        window=window, source_uri=source, window_end="2012-02-01T00:00:00Z", window_length="7d"
    )
    start, end = (pa.scalar(d, pa.timestamp("us", "UTC")) for d in (START, END))
    stamps = bikes.column("timestamp")
    expected = pc.sum(pc.and_(pc.greater_equal(stamps, start), pc.less(stamps, end))).as_py()
    assert out.rows == pq.read_table(window.path).num_rows == expected > 100


def test_profile_baseline_dataset(cluster, bikes):
    dataset = cluster.artifact("train/bikes.parquet", parquet(bikes))
    profile = cluster.output("profile")
    assert profile_baseline.python_func(dataset=dataset, profile=profile).rows == bikes.num_rows
    assert json.loads(Path(profile.path).read_text())["row_count"] == bikes.num_rows


def test_validate_data_window_profile_and_constraints(cluster, bikes, tmp_path):
    window = cluster.artifact("window", parquet(bikes.slice(0, 500)))
    baseline = cluster.artifact("profile", profile_json(bikes, tmp_path), dsl.Artifact)
    constraints = cluster.uri(
        "constraints.yaml", "severity:\n  range: error\ncolumns:\n  cnt:\n    max: 10\n"
    )
    report, html = cluster.output("report"), cluster.output("report.html", dsl.HTML)
    checked = validate_data.python_func(
        window=window,
        baseline_profile=baseline,
        report=report,
        report_html=html,
        metrics=cluster.output("metrics", dsl.Metrics),
        constraints_path=constraints,
    )
    document = json.loads(Path(report.path).read_text())
    assert document["rows"] == 500
    assert not checked.passed and any(v["column"] == "cnt" for v in document["violations"])


@pytest.mark.parametrize("reference_kind", ["profile", "table"])
def test_check_drift_current_and_reference(cluster, bikes, tmp_path, reference_kind):
    current = cluster.artifact("window", parquet(bikes.slice(8000)))
    data = profile_json(bikes.slice(0, 8000), tmp_path)
    if reference_kind == "table":
        data = parquet(bikes.slice(0, 8000))
    reference = cluster.artifact("reference", data, dsl.Artifact)
    report = cluster.output("drift")
    out = check_drift.python_func(
        current=current,
        reference=reference,
        report=report,
        report_html=cluster.output("drift.html", dsl.HTML),
        metrics=cluster.output("metrics", dsl.Metrics),
        timestamp_column="timestamp",
    )
    document = json.loads(Path(report.path).read_text())
    assert document["mode"] == ("profile" if reference_kind == "profile" else "exact")
    assert out.drift_detected and document["current_rows"] == bikes.num_rows - 8000


def test_profile_window_feeds_validation_and_drift(cluster, bikes, tmp_path):
    """The window and the baseline profile as unmounted URIs; the window's profile (as the
    next pods get it: a URI again) serves both checks."""
    window = cluster.artifact("window", parquet(bikes.slice(8000)))
    baseline = cluster.artifact("profile", profile_json(bikes.slice(0, 8000), tmp_path))
    profile = cluster.output("window_profile.json")
    rows = profile_window.python_func(window=window, baseline_profile=baseline, profile=profile)
    assert rows.rows == bikes.num_rows - 8000 and profile.metadata["source"] == window.uri
    seen = cluster.artifact("window_profile", Path(profile.path).read_bytes(), dsl.Artifact)
    validated = cluster.output("validation")
    validate_data.python_func(
        window=seen,
        baseline_profile=baseline,
        report=validated,
        report_html=cluster.output("validation.html", dsl.HTML),
        metrics=cluster.output("validation-metrics", dsl.Metrics),
    )
    assert json.loads(Path(validated.path).read_text())["rows"] == rows.rows
    drifted = cluster.output("drift")
    out = check_drift.python_func(
        current=seen,
        reference=baseline,
        report=drifted,
        report_html=cluster.output("drift.html", dsl.HTML),
        metrics=cluster.output("drift-metrics", dsl.Metrics),
        timestamp_column="timestamp",
    )
    document = json.loads(Path(drifted.path).read_text())
    assert document["mode"] == "profile" and document["current_rows"] == rows.rows
    assert out.drift_detected


def test_render_evidently_report_tables(cluster, bikes):
    small = bikes.select(["temp", "hum", "cnt"])
    html = cluster.output("evidently.html", dsl.HTML)
    sizes = render_evidently_report.python_func(
        current=cluster.artifact("current", parquet(small.slice(0, 300))),
        reference=cluster.artifact("reference", parquet(small.slice(300, 300))),
        report_html=html,
        max_rows=1000,
    )
    assert sizes.current_rows_used == 300 and "<html" in Path(html.path).read_text()[:1000].lower()


def test_compute_performance_predictions_and_labels_uri(cluster):
    hours = pa.array(range(48), pa.int64())
    stamps = pa.array([h * 3_600_000_000 for h in range(48)], pa.timestamp("us", tz="UTC"))
    predictions = pa.table(
        {"id": hours, "timestamp": stamps, "prediction": [h % 2 for h in range(48)]}
    )
    labels = pa.table({"id": hours, "label": [h % 3 % 2 for h in range(48)]})
    report = cluster.output("performance")
    compute_performance.python_func(
        predictions=cluster.artifact("predictions", parquet(predictions)),
        metrics=cluster.output("metrics", dsl.Metrics),
        classification_metrics=cluster.output("cm", dsl.ClassificationMetrics),
        report_html=cluster.output("performance.html", dsl.HTML),
        report=report,
        labels_uri=cluster.uri("labels.parquet", parquet(labels)),
        min_labelled_rows=1,
    )
    document = json.loads(Path(report.path).read_text())
    agreed = sum(h % 2 == h % 3 % 2 for h in range(48))
    assert document["overall"]["metrics"]["accuracy"] == pytest.approx(agreed / 48)


@pytest.fixture
def seeded_store(tmp_path: Path) -> tuple[str, Any]:
    uri = f"sqlite://{tmp_path}/mlmd.sqlite"
    store = open_store(uri)
    run = seed_training(store)
    store.close()
    return uri, run


def test_record_baseline_profile_artifact(cluster, bikes, tmp_path, seeded_store):
    store, run = seeded_store
    baseline = dsl.Dataset(uri="minio://mlpipeline/data/bike/hour-1.csv")
    baseline.metadata.update({"model_id": run.model_id, "dataset_id": run.dataset_ids["dataset"]})
    profile = cluster.artifact("profile", profile_json(bikes, tmp_path), dsl.Artifact)
    record_baseline.python_func(
        baseline=baseline, profile=profile, store=store, run_id="r", task="t"
    )
    assert resolve(store, run.model_id)["profile_uri"] == profile.uri


def test_record_publish_and_notify_read_report_artifacts(cluster, seeded_store):
    store, run = seeded_store
    reports = {
        "drift_report": cluster.artifact("drift", json.dumps(drift_report(0.75, 3)), dsl.Artifact),
        "validation_report": cluster.artifact(
            "validation", json.dumps(validation_report("fail", 2)), dsl.Artifact
        ),
        "performance_report": cluster.artifact(
            "performance", json.dumps(performance_report(True)), dsl.Artifact
        ),
    }
    recorded = record_monitoring_result.python_func(
        **reports, model=str(run.model_id), store=store, run_id="r", task="t"
    )
    assert recorded.monitoring_run_id > 0
    metrics_text = cluster.output("metrics.prom")
    publish_metrics.python_func(metrics_text=metrics_text, **reports, model="m", namespace="ns")
    lines = Path(metrics_text.path).read_text().splitlines()
    assert [
        line.rsplit(" ", 1)[1] for line in lines if line.startswith("driftline_drift_share{")
    ] == ["0.75"]
    assert send_notification.python_func(**reports, model="m").alert_raised is True


def test_profile_baseline_stores_a_calibration(cluster, bikes):
    dataset = cluster.artifact("train/bikes.parquet", parquet(bikes.slice(0, 2000)))
    profile = cluster.output("profile")
    profile_baseline.python_func(
        dataset=dataset, profile=profile, calibration_window="1d", timestamp_column="timestamp"
    )
    calibration = json.loads(Path(profile.path).read_text())["calibration"]
    assert calibration["window"] == "1d" and calibration["version"] == 1


def test_check_drift_multivariate_reads_reference_rows_by_uri(cluster, bikes, tmp_path):
    """Profile mode with the multivariate methods: the baseline's rows arrive as a URI string."""
    current = cluster.artifact("window", parquet(bikes.slice(8000)))
    reference = cluster.artifact(
        "reference", profile_json(bikes.slice(0, 8000), tmp_path), dsl.Artifact
    )
    rows = cluster.uri("train/rows.parquet", parquet(bikes.slice(0, 8000)))
    report = cluster.output("drift")
    check_drift.python_func(
        current=current,
        reference=reference,
        report=report,
        report_html=cluster.output("drift.html", dsl.HTML),
        metrics=cluster.output("metrics", dsl.Metrics),
        timestamp_column="timestamp",
        multivariate="pca",
        reference_rows=rows,
    )
    document = json.loads(Path(report.path).read_text())
    [pca] = document["multivariate"]
    assert document["mode"] == "profile" and pca["method"] == "pca"
    assert pca["reference_rows"] == 8000


def test_fan_out_over_a_hive_window_in_the_object_store(cluster, tmp_path):
    """plan_partitions, profile_partition and merge_profiles over the log sink's Hive folders
    in the object store, as the fan-out's pods get them: the source a URI, the partitions
    row groups of unmounted files (string categories read as Parquet's dictionaries). The
    merged profile is the one-pass profile of the same files."""
    from datetime import timedelta

    features = ["x", "count", "category", "flag", "prediction"]
    folder = write_sink_layout(tmp_path / "window", hours=4, seed=2, shift=0.3)
    for path in sorted(folder.rglob("*.parquet")):
        cluster.uri(f"window/{path.relative_to(folder).as_posix()}", path.read_bytes())
    source = f"{cluster.scheme}://{cluster.bucket}/v2/artifacts/{cluster.run}/window"
    baseline_rows = write_sink_layout(tmp_path / "baseline", hours=2, seed=1)
    baseline = profile_source(str(baseline_rows), columns=features)
    baseline.save(tmp_path / "baseline.json")
    baseline_profile = cluster.artifact(
        "baseline.json", (tmp_path / "baseline.json").read_bytes(), dsl.Artifact
    )
    end = (SINK_START + timedelta(hours=4)).isoformat()
    plan = plan_partitions.python_func(
        source_uri=source, window_end=end, window_length="3h", rows_per_task=2000
    )
    assert plan.fan_out and plan.tasks == len(plan.partitions) >= 3
    parts = []
    for index, partition in enumerate(plan.partitions):
        part = cluster.output(f"part-{index}.json")
        profile_partition.python_func(
            baseline_profile=baseline_profile,
            profile=part,
            unpaired=cluster.output(f"unpaired-{index}", dsl.Dataset),
            partition=partition,
            window_start=plan.window_start,
            window_end=plan.window_end,
            columns=features,
        )
        parts.append(part)
    merged = cluster.output("window_profile.json")
    merge_profiles.python_func(profiles=parts, profile=merged)
    got = DatasetProfile.load(merged.path)
    expected = profile_source(
        str(folder),
        columns=features,
        kinds={name: column.kind for name, column in baseline.columns.items()},
        timestamp_column="timestamp",
        start=datetime.fromisoformat(plan.window_start),
        end=datetime.fromisoformat(plan.window_end),
        **vars(baseline.options),
    )
    assert got.row_count == expected.row_count == 9000
    assert_same_profile(got, expected)
    assert got.columns["category"].categorical.frequencies["c1"] > 0
