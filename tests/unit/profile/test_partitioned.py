"""Profiling a window partition by partition and merging gives the one-pass profile: counts,
histograms (sketch buckets), exact values and category frequencies exactly, quantiles equal,
moments to rounding, and the same validation and drift verdicts."""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from driftline.drift.run import run_drift
from driftline.errors import InputError, SchemaMismatchError
from driftline.io import open_dataset
from driftline.io.partitions import open_partition, plan_partitions
from driftline.profile import DatasetProfile, profile_source
from driftline.profile.partitioned import merge_all, profile_partition
from driftline.report import ReportPaths
from driftline.validation.constraints import infer_constraints
from driftline.validation.run import run_validation, window_kinds
from tests.partitioned import START, assert_same_profile, write_sink_layout

WINDOW = (START + timedelta(hours=1, minutes=10), START + timedelta(hours=5, minutes=50))


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("partitioned")
    baseline = write_sink_layout(root / "baseline", hours=4, seed=1)
    window = write_sink_layout(root / "window", hours=6, seed=2, shift=0.4)
    profile = profile_source(
        str(baseline), columns=["x", "count", "category", "flag", "prediction"]
    )
    path = root / "baseline.json"
    profile.save(path)
    return {"baseline": path, "window": window, "root": root}


def _kinds(baseline: DatasetProfile, source: str) -> dict[str, Any]:
    return window_kinds(infer_constraints(baseline), open_dataset(source).schema)


def _merged(data: dict[str, Path], target_rows: int) -> tuple[DatasetProfile, int]:
    baseline = DatasetProfile.load(data["baseline"])
    start, end = WINDOW
    plan = plan_partitions(
        str(data["window"]),
        target_rows=target_rows,
        timestamp_column="timestamp",
        start=start,
        end=end,
    )
    kinds = _kinds(baseline, str(data["window"]))
    parts = [
        profile_partition(
            partition,
            kinds=kinds,
            timestamp_column="timestamp",
            start=start,
            end=end,
            **vars(baseline.options),
        )
        for partition in plan.partitions
    ]
    return merge_all(parts), len(parts)


def _single(data: dict[str, Path]) -> DatasetProfile:
    baseline = DatasetProfile.load(data["baseline"])
    start, end = WINDOW
    return profile_source(
        str(data["window"]),
        kinds=_kinds(baseline, str(data["window"])),
        timestamp_column="timestamp",
        start=start,
        end=end,
        **vars(baseline.options),
    )


@pytest.mark.parametrize("target_rows", [600, 2500, 9000])
def test_merged_profile_equals_the_one_pass_profile(data: dict[str, Path], target_rows) -> None:
    merged, partitions = _merged(data, target_rows)
    single = _single(data)
    assert partitions > 1
    assert merged.row_count == single.row_count > 0
    assert list(merged.columns) == list(single.columns)
    # counts, nulls, NaN/inf, min/max, exact values, sketch buckets (the histogram), every
    # reported quantile, category frequencies and HyperLogLog registers: all exact
    assert_same_profile(merged, single)


def test_merged_window_gives_the_same_verdicts(data: dict[str, Path], tmp_path: Path) -> None:
    merged, _ = _merged(data, 2500)
    merged_path = tmp_path / "window_profile.json"
    merged.save(merged_path)
    start, end = WINDOW
    source = str(data["window"])
    one_pass = run_validation(
        data["baseline"],
        source,
        ReportPaths(json=tmp_path / "v1.json", html=tmp_path / "v1.html"),
        timestamp_column="timestamp",
        start=start,
        end=end,
        expected_rows=12_000,
    )
    fanned = run_validation(
        data["baseline"],
        str(merged_path),
        ReportPaths(json=tmp_path / "v2.json", html=tmp_path / "v2.html"),
        expected_rows=12_000,
    )
    assert fanned.status == one_pass.status
    assert fanned.to_dict()["violations"] == one_pass.to_dict()["violations"]
    assert one_pass.to_dict()["violations"]  # the window has new columns and a volume change

    drift_args: dict[str, Any] = {
        "reference_profile": str(data["baseline"]),
        "columns": ["x", "count", "category", "flag", "prediction"],
        "prediction_column": "prediction",
    }
    streamed = run_drift(
        current=source,
        out_dir=tmp_path / "d1",
        timestamp_column="timestamp",
        start=start,
        end=end,
        **drift_args,
    )
    from_profile = run_drift(current=str(merged_path), out_dir=tmp_path / "d2", **drift_args)
    assert from_profile.drift_detected == streamed.drift_detected
    assert [c.drift_detected for c in from_profile.columns] == [
        c.drift_detected for c in streamed.columns
    ]
    assert any(c.drift_detected for c in streamed.columns)  # the window is shifted
    for got, expected in zip(from_profile.columns, streamed.columns, strict=True):
        assert got.name == expected.name and got.method == expected.method
        assert math.isclose(got.score, expected.score, rel_tol=1e-9, abs_tol=1e-12), got.name


def test_partition_profile_streams_with_the_source_schema(data: dict[str, Path]) -> None:
    plan = plan_partitions(str(data["window"]), target_rows=600)
    last = plan.partitions[-1]
    assert open_partition(last).schema == open_dataset(str(data["window"])).schema
    profile = profile_partition(last, columns=["x", "hour"])
    assert list(profile.columns) == ["x", "hour"] and profile.row_count == last.rows


def test_merging_nothing_or_mismatched_parts_is_one_clear_error(data: dict[str, Path]) -> None:
    with pytest.raises(InputError, match="at least one"):
        merge_all([])
    plan = plan_partitions(str(data["window"]), target_rows=3000)
    first = profile_partition(plan.partitions[0], columns=["x"])
    second = profile_partition(plan.partitions[1], columns=["count"])
    with pytest.raises(SchemaMismatchError, match="different columns"):
        merge_all([first, second])
