"""score_partition run by the real KFP local runner over the planned partitions of a real
Hive-partitioned window, merge_performance on their states: the report equals the
single-task path's (load_window -> compute_performance) on the same window.

kfp.local cannot run `dsl.ParallelFor`, so the iterations are unrolled: one score_partition
task per planned partition, as the compiled fan-out runs one pod per item.
"""

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from kfp import dsl, local
from kfp.dsl import HTML, Artifact, ClassificationMetrics, Metrics

from driftline.components.compute_performance import compute_performance
from driftline.components.load_window import load_window
from driftline.components.merge_performance import merge_performance
from driftline.components.score_partition import score_partition
from driftline.io.partitions import plan_partitions
from tests.partitioned import START

HOURS = 6
END = START + timedelta(hours=HOURS)
BASELINE = {"accuracy": 0.8, "roc_auc": 0.9}


def _write_window(root: Path, rng: np.random.Generator) -> tuple[Path, Path]:
    """Hour folders of predictions (ids shuffled over hours) and one labels file for 80 % of
    the ids, some labelled twice (the later label wins)."""
    rows = 3000
    ids = rng.permutation(HOURS * rows)
    labels_id, labels, labelled_at = [], [], []
    for hour in range(HOURS):
        folder = root / "window" / "model=m" / f"date={START:%Y-%m-%d}" / f"hour={hour:02d}"
        folder.mkdir(parents=True)
        seconds = np.sort(rng.integers(0, 3600, rows))
        score = rng.beta(2, 2 + hour * 0.3, rows)  # the later hours drift
        hour_ids = ids[hour * rows : (hour + 1) * rows]
        table = pa.table(
            {
                "id": hour_ids,
                "timestamp": pa.array(
                    [START + timedelta(hours=hour, seconds=int(s)) for s in seconds],
                    pa.timestamp("us", tz="UTC"),
                ),
                "prediction": (score >= 0.5).astype(np.int64),
                "score": score,
            }
        )
        for index in range(2):
            pq.write_table(
                table.slice(index * rows // 2, rows // 2),
                folder / f"part-{index}.parquet",
                row_group_size=500,
            )
        truth = (rng.random(rows) < np.where(hour < 3, score, 0.5)).astype(np.int64)
        keep = rng.random(rows) < 0.8
        labels_id.append(hour_ids[keep])
        labels.append(truth[keep])
        labelled_at.append(np.full(keep.sum(), 2))
    again = rng.choice(np.concatenate(labels_id), 300, replace=False)
    labels_id.append(again)
    labels.append(rng.integers(0, 2, 300))
    labelled_at.append(np.full(300, 1))  # a day earlier: the first label stays
    labels_path = root / "labels.parquet"
    pq.write_table(
        pa.table(
            {
                "id": np.concatenate(labels_id),
                "label": np.concatenate(labels),
                "labelled_at": pa.array(
                    [END + timedelta(days=int(d)) for d in np.concatenate(labelled_at)],
                    pa.timestamp("us", tz="UTC"),
                ),
            }
        ),
        labels_path,
    )
    return root / "window", labels_path


OPTIONS: dict[str, Any] = {
    "id_column": "id",
    "prediction_column": "prediction",
    "label_column": "label",
    "label_timestamp_column": "labelled_at",
    "score_columns": ["score"],
    "window": "1h",
}


def _scored_partitions_and_single_task(
    window: str, labels: str, partitions: list[dict[str, Any]]
) -> Any:
    @dsl.pipeline
    def scored_partitions_and_single_task() -> None:
        for partition in partitions:
            score_partition(
                partition=partition,
                window_start=(START + timedelta(hours=1)).isoformat(),
                window_end=END.isoformat(),
                labels_uri=labels,
                **OPTIONS,
            )
        loaded = load_window(source_uri=window, window_end=END.isoformat(), window_length="5h")
        compute_performance(
            predictions=loaded.outputs["window"],
            labels_uri=labels,
            baseline_metrics=BASELINE,
            min_labelled_rows=100,
            estimate=False,
            **OPTIONS,
        )

    return scored_partitions_and_single_task()


def _tasks(root: Path) -> dict[str, Path]:
    return {p.name: p for run in root.iterdir() for p in run.iterdir()}


def _merge(states: list[Path], out: Path) -> tuple[Artifact, bool]:
    """merge_performance's own body on KFP artifacts: kfp.local cannot pass a list of
    artifacts (only dsl.Collected over a ParallelFor builds one)."""
    report = Artifact(uri=str(out / "report"))
    outputs = (
        report,
        HTML(uri=str(out / "report_html")),
        Metrics(uri=str(out / "metrics")),
        ClassificationMetrics(uri=str(out / "classification_metrics")),
    )
    result = merge_performance.python_func(
        [Artifact(uri=str(p)) for p in states],
        *outputs,
        labels_uri="given",
        baseline_metrics=BASELINE,
        min_labelled_rows=100,
        **{k: v for k, v in OPTIONS.items() if k != "label_timestamp_column"},
    )
    return report, result.degraded


def test_merged_partition_states_equal_the_single_task_report(tmp_path: Path) -> None:
    window, labels = _write_window(tmp_path, np.random.default_rng(3))
    plan = plan_partitions(
        str(window),
        target_rows=4000,
        timestamp_column="timestamp",
        start=START + timedelta(hours=1),
        end=END,
    )
    partitions = [p.to_dict() for p in plan.partitions]
    assert len(partitions) == 5  # 15,000 window rows (hour 0 is outside) / 4,000
    local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=str(tmp_path / "k"))
    _scored_partitions_and_single_task(str(window), str(labels), partitions)
    tasks = _tasks(tmp_path / "k")
    states = [tasks[n] / "state" for n in sorted(tasks) if n.startswith("score-partition")]
    assert len(states) == 5
    rows = [json.loads(p.read_text()) for p in states]
    assert sum(w["rows"] for s in rows for w in s["windows"].values()) == 15_000

    report, degraded = _merge(states, tmp_path / "merged")
    assert report.metadata["execution"] == "fan-out" and report.metadata["partitions"] == 5
    merged = json.loads(Path(report.path).read_text())
    single = json.loads((tasks["compute-performance"] / "report").read_text())
    assert merged["degraded"] == single["degraded"] is True  # the later hours degraded
    assert degraded is True
    assert merged["degraded_windows"] == single["degraded_windows"]
    # each partition reads the labels of its own ids: duplicates among the window's ids
    window_ids = pq.read_table(window, filters=[("hour", ">", 0)])["id"].to_numpy()
    label_ids = pq.read_table(labels)["id"].to_numpy()
    in_window = label_ids[np.isin(label_ids, window_ids)]
    assert merged["labels"]["duplicates"] == len(in_window) - len(np.unique(in_window)) > 200
    assert single["labels"]["duplicates"] == 300  # every label id, in the window or not
    assert merged["labels"]["matched"] == single["labels"]["matched"]
    assert [w["start"] for w in merged["windows"]] == [w["start"] for w in single["windows"]]
    for one, many in zip(single["windows"], merged["windows"], strict=True):
        for key in ("rows", "labelled_rows", "status", "degraded", "confusion_matrix"):
            assert many[key] == one[key], key
        for name, value in one["metrics"].items():
            assert many["metrics"][name] == pytest.approx(value, rel=1e-9, abs=1e-12), name
    for name, value in single["overall"]["metrics"].items():
        assert merged["overall"]["metrics"][name] == pytest.approx(value, rel=1e-9), name
    assert merged["overall"]["ranking"] == {"method": "exact"}
    assert merged["overall"]["roc_curve"] == single["overall"]["roc_curve"]


def test_score_partition_refuses_an_empty_partition(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = Artifact(uri=str(tmp_path / "state"))
    with pytest.raises(SystemExit):  # the task fails with one message, no traceback
        score_partition.python_func(state=state, partition={}, labels_uri="labels.parquet")
    assert "partition is empty: give one item of plan_partitions" in capsys.readouterr().err
    assert not (tmp_path / "state").exists()


def test_partition_states_from_an_object_store_equal_the_local_ones(tmp_path: Path, s3) -> None:
    """On a cluster the window and the labels are s3:// strings, not mounted files: each
    partition's state read through them equals the one read from local files."""
    (tmp_path / "local").mkdir()
    window, labels = _write_window(tmp_path / "local", np.random.default_rng(5))
    bucket = s3.bucket()
    for file in sorted(window.rglob("*.parquet")):
        s3.put(bucket, f"window/{file.relative_to(window).as_posix()}", file.read_bytes())
    s3.put(bucket, "labels.parquet", labels.read_bytes())
    remote_labels = f"s3://{bucket}/labels.parquet"
    states = {}
    for where, source, labels_uri in (
        ("local", str(window), str(labels)),
        ("s3", f"s3://{bucket}/window", remote_labels),
    ):
        plan = plan_partitions(
            source, target_rows=4000, timestamp_column="timestamp", start=START, end=END
        )
        states[where] = []
        for i, partition in enumerate(plan.partitions):
            state = Artifact(uri=str(tmp_path / where / f"state-{i}"))
            score_partition.python_func(
                state=state,
                partition=partition.to_dict(),
                window_start=START.isoformat(),
                window_end=END.isoformat(),
                labels_uri=labels_uri,
                **OPTIONS,
            )
            states[where].append(json.loads(Path(state.path).read_text())["windows"])
    assert len(states["s3"]) == len(states["local"]) > 1
    assert states["s3"] == states["local"]
