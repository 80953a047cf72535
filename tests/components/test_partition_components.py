"""plan_partitions, profile_partition and merge_profiles run by the real KFP local runner over a
real Hive-partitioned window; the fan-out result equals the single-task result.

kfp.local cannot run `dsl.ParallelFor` (nor `dsl.If`), so the iterations are unrolled here: one
profile_partition task per planned partition, as the compiled fan-out runs one pod per item
(tests/pipelines/test_scheduled_monitoring.py checks that DAG).
"""

import json
import math
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from kfp import dsl
from kfp.dsl import Artifact, Dataset

from driftline.components.check_drift import check_drift
from driftline.components.load_window import load_window
from driftline.components.merge_profiles import merge_profiles
from driftline.components.plan_partitions import plan_partitions
from driftline.components.profile_baseline import profile_baseline
from driftline.components.profile_partition import profile_partition
from driftline.components.profile_window import profile_window
from driftline.components.validate_data import validate_data
from driftline.profile import DatasetProfile
from tests.partitioned import START, assert_same_profile, write_sink_layout

WINDOW_END = (START + timedelta(hours=6)).isoformat()
FEATURES = ["x", "count", "category", "flag", "prediction"]


@pytest.fixture
def sink(tmp_path: Path) -> dict[str, Path]:
    return {
        "baseline": write_sink_layout(tmp_path / "baseline", hours=3, seed=1),
        "window": write_sink_layout(tmp_path / "window", hours=6, seed=2, shift=0.4),
    }


def _plan(source: Path, fan_out: str = "auto", rows_per_task: int = 4000) -> Any:
    return plan_partitions(
        source_uri=str(source),
        window_end=WINDOW_END,
        window_length="5h",
        rows_per_task=rows_per_task,
        fan_out=fan_out,
    )


def test_plan_chooses_the_path(kfp_local: Path, sink: dict[str, Path]) -> None:
    fanned = _plan(sink["window"])
    assert fanned.outputs["fan_out"] is True
    assert fanned.outputs["tasks"] == len(fanned.outputs["partitions"]) == 5  # 15000 rows / 4000
    assert fanned.outputs["rows"] == 15_000  # hours 1-5: the footers say hour 0 is outside
    assert fanned.outputs["window_start"] == (START + timedelta(hours=1)).isoformat()
    small = _plan(sink["window"], rows_per_task=100_000)
    assert small.outputs["fan_out"] is False and small.outputs["tasks"] == 1
    assert small.outputs["partitions"] == []
    forced = _plan(sink["window"], fan_out="always", rows_per_task=100_000)
    assert forced.outputs["fan_out"] is True and len(forced.outputs["partitions"]) == 1
    never = _plan(sink["window"], fan_out="never")
    assert never.outputs["fan_out"] is False and never.outputs["partitions"] == []


def test_plan_refuses_a_bad_mode(kfp_local: Path, sink: dict[str, Path]) -> None:
    with pytest.raises(RuntimeError):  # kfp.local: the task failed
        _plan(sink["window"], fan_out="sometimes")


def _profile_partitions_and_single_task(
    baseline: str, window: str, partitions: list[dict[str, Any]], start: str, end: str
) -> Any:
    @dsl.pipeline
    def partitions_and_single_task() -> None:
        base = dsl.importer(artifact_uri=baseline, artifact_class=Dataset, reimport=False)
        baseline_profile = profile_baseline(dataset=base.output, columns=FEATURES).outputs[
            "profile"
        ]
        for partition in partitions:
            profile_partition(
                partition=partition,
                baseline_profile=baseline_profile,
                window_start=start,
                window_end=end,
            )
        loaded = load_window(source_uri=window, window_end=end, window_length="5h")
        validate_data(
            window=loaded.outputs["window"], baseline_profile=baseline_profile, columns=FEATURES
        )
        check_drift(current=loaded.outputs["window"], reference=baseline_profile, columns=FEATURES)

    return partitions_and_single_task()


def _check_merged(window_profile: str, baseline_profile: str) -> Any:
    @dsl.pipeline
    def check_merged() -> None:
        window = dsl.importer(artifact_uri=window_profile, artifact_class=Dataset)
        baseline = dsl.importer(artifact_uri=baseline_profile, artifact_class=Artifact)
        validate_data(window=window.output, baseline_profile=baseline.output, columns=FEATURES)
        check_drift(current=window.output, reference=baseline.output, columns=FEATURES)

    return check_merged()


def _merge(parts: list[Path], out: Path) -> Artifact:
    """merge_profiles' own body on KFP artifacts: kfp.local cannot pass a list of artifacts
    (only dsl.Collected over a ParallelFor builds one)."""
    inputs = []
    for path in parts:
        artifact = Artifact(uri=str(path))
        artifact.metadata = {"source": "the-window"}
        inputs.append(artifact)
    merged = Artifact(uri=str(out))
    merge_profiles.python_func(profiles=inputs, profile=merged)
    return merged


def _report(folder: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((folder / "report").read_text())
    return document


def _tasks(root: Path) -> dict[str, Path]:
    return {p.name: p for run in root.iterdir() for p in run.iterdir()}


def test_fan_out_equals_single_task(tmp_path: Path, sink: dict[str, Path]) -> None:
    from kfp import local

    local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=str(tmp_path / "a"))
    plan = _plan(sink["window"])
    partitions = plan.outputs["partitions"]
    local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=str(tmp_path / "b"))
    _profile_partitions_and_single_task(
        str(sink["baseline"]),
        str(sink["window"]),
        partitions,
        plan.outputs["window_start"],
        plan.outputs["window_end"],
    )
    tasks = _tasks(tmp_path / "b")
    parts = [tasks[n] / "profile" for n in sorted(tasks) if n.startswith("profile-partition")]
    assert len(parts) == len(partitions) == 5
    merged = _merge(parts, tmp_path / "window_profile.json")
    assert merged.metadata["execution"] == "fan-out"
    assert merged.metadata["partitions"] == 5
    assert merged.metadata["source"] == "the-window"
    assert merged.metadata["rows"] == 15_000
    assert merged.metadata["rows"] == sum(DatasetProfile.load(p).row_count for p in parts)

    local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=str(tmp_path / "c"))
    _check_merged(merged.path, str(tasks["profile-baseline"] / "profile"))
    fanned_tasks = _tasks(tmp_path / "c")
    fanned, single = _report(fanned_tasks["validate-data"]), _report(tasks["validate-data"])
    assert fanned["status"] == single["status"]
    assert fanned["violations"] == single["violations"]
    drift_fanned, drift_single = _report(fanned_tasks["check-drift"]), _report(tasks["check-drift"])
    assert drift_fanned["drift_detected"] == drift_single["drift_detected"]
    assert drift_fanned["current_rows"] == drift_single["current_rows"] == 15_000
    by_name = {c["name"]: c for c in drift_single["columns"]}
    assert any(c["drift_detected"] for c in drift_single["columns"])
    for column in drift_fanned["columns"]:
        expected = by_name[column["name"]]
        assert column["drift_detected"] == expected["drift_detected"], column["name"]
        assert math.isclose(column["score"], expected["score"], rel_tol=1e-9, abs_tol=1e-12)


def test_merge_refuses_a_window_under_min_rows(
    tmp_path: Path, sink: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from driftline.io.partitions import plan_partitions as plan
    from driftline.profile.partitioned import profile_partition as profile

    [partition] = plan(str(sink["window"]), target_rows=10**9).partitions
    part = tmp_path / "part.json"
    profile(partition, columns=["x"]).save(part)
    out = tmp_path / "merged.json"
    with pytest.raises(SystemExit):  # the task fails with one message, no traceback
        merge_profiles.python_func(
            profiles=[Artifact(uri=str(part))], profile=Artifact(uri=str(out)), min_rows=10**6
        )
    assert "18000 rows over 1 partitions; min_rows is 1000000" in capsys.readouterr().err
    assert not out.exists()  # nothing half-written


def _outputs(task: Path) -> dict[str, dict[str, Any]]:
    """A task's output artifacts as the executor wrote them: name -> {uri, metadata}."""
    written = json.loads((task / "executor_output.json").read_text())
    return {name: out["artifacts"][0] for name, out in written["artifacts"].items()}


def _artifacts(found: list[dict[str, Any]], cls: type[Artifact]) -> list[Artifact]:
    made = []
    for output in found:
        artifact = cls(uri=output["uri"])
        artifact.metadata = dict(output["metadata"])
        made.append(artifact)
    return made


def test_fan_out_over_sides_written_apart_equals_single_task(tmp_path: Path) -> None:
    """Sink output whose replicas wrote the sides of calls apart: each profile_partition task
    pairs what its partition holds and leaves the other halves over; merge_profiles pairs the
    leftovers and gives the profile, and the pairing counts, of the single-task path."""
    from kfp import local

    from tests.split_sink import START as SPLIT_START
    from tests.split_sink import write_split_sink_output

    out = write_split_sink_output(tmp_path / "out")
    end = (SPLIT_START + timedelta(hours=2, minutes=20)).isoformat()
    local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=str(tmp_path / "a"))
    plan = plan_partitions(
        source_uri=str(out), window_end=end, window_length="105m", rows_per_task=1200
    )
    partitions = plan.outputs["partitions"]
    assert plan.outputs["fan_out"] is True and len(partitions) >= 3
    assert all(p["schema_files"] for p in partitions)

    @dsl.pipeline
    def partitions_and_single_task() -> None:
        base = dsl.importer(artifact_uri=str(out), artifact_class=Dataset, reimport=False)
        baseline = profile_baseline(dataset=base.output, columns=["x", "count", "prediction"])
        for partition in partitions:
            profile_partition(
                partition=partition,
                baseline_profile=baseline.outputs["profile"],
                window_start=plan.outputs["window_start"],
                window_end=plan.outputs["window_end"],
            )
        loaded = load_window(source_uri=str(out), window_end=end, window_length="105m")
        profile_window(
            window=loaded.outputs["window"], baseline_profile=baseline.outputs["profile"]
        )

    local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=str(tmp_path / "b"))
    partitions_and_single_task()
    tasks = _tasks(tmp_path / "b")
    parts = [_outputs(tasks[n]) for n in sorted(tasks) if n.startswith("profile-partition")]
    assert len(parts) == len(partitions)
    assert sum(p["unpaired"]["metadata"]["rows"] for p in parts) > 0
    merged = Artifact(uri=str(tmp_path / "window_profile.json"))
    merge_profiles.python_func(
        profiles=_artifacts([p["profile"] for p in parts], Artifact),
        unpaired=_artifacts([p["unpaired"] for p in parts], Dataset),
        profile=merged,
    )
    single = DatasetProfile.load(tasks["profile-window"] / "profile")
    window = _outputs(tasks["load-window"])["window"]["metadata"]
    assert merged.metadata["rows"] == window["rows"] == single.row_count > 1000
    for key in ("calls_paired_at_read", "unpaired_requests", "unpaired_responses"):
        assert merged.metadata[key] == window[key] > 0, key
    assert_same_profile(DatasetProfile.load(merged.path), single)
