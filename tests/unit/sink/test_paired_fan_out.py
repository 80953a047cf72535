"""Sink output whose replicas wrote the sides of calls apart: the bounded-memory single-task
read equals the whole-window read, and the fan-out (partitions pair what they hold, the merge
pairs their leftovers) gives the profile of the single-task window."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from driftline.inference_log.pairing import HalfPairing
from driftline.inference_log.spill import HalfSpill, call_buckets
from driftline.io.export import export_window
from driftline.io.log_window import paired_log_window, read_log_window
from driftline.io.partitions import plan_partitions
from driftline.profile import DatasetProfile, profile_source
from driftline.profile.paired import profile_leftovers, profile_paired_partition
from driftline.profile.partitioned import merge_all
from tests.partitioned import assert_same_profile
from tests.split_sink import START, write_split_sink_output

WINDOW = (START + timedelta(minutes=35), START + timedelta(hours=2, minutes=20))
COLUMNS = ["x", "count", "category", "prediction", "timestamp", "event_id", "hour"]


@pytest.fixture(scope="module")
def sink(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_split_sink_output(tmp_path_factory.mktemp("sink") / "out")


def _rows(table) -> list[dict[str, Any]]:
    return sorted(table.to_pylist(), key=lambda r: (r["event_id"], r["row"]))


def test_event_ids_fall_in_the_same_bucket_in_any_batch() -> None:
    ids = pa.array([f"call-{i}" for i in range(1000)] + ["", "é-ü"])
    whole = call_buckets(ids, 7)
    assert sorted(set(whole)) == list(range(7))  # spread over every bucket
    pieces = [call_buckets(ids.slice(i, 13), 7) for i in range(0, len(ids), 13)]
    assert [int(b) for piece in pieces for b in piece] == [int(b) for b in whole]


@pytest.mark.parametrize("bucket_rows", [10**9, 97])  # in memory; spilled to many buckets
def test_streamed_window_equals_the_whole_window_read(sink: Path, bucket_rows: int) -> None:
    oracle = read_log_window(str(sink), *WINDOW)
    with paired_log_window(str(sink), *WINDOW, bucket_rows=bucket_rows) as window:
        got = pa.Table.from_batches(list(window.batches()), schema=window.schema)
    rows, pairing, columns = window.rows, window.pairing, window.schema.names
    assert rows == got.num_rows == oracle.table.num_rows > 1000
    assert pairing == oracle.pairing
    assert pairing.joined > 500 and pairing.unpaired_requests > 0 and pairing.unpaired_responses > 0
    assert list(columns) == got.column_names == oracle.table.column_names
    assert _rows(got.cast(oracle.table.schema)) == _rows(oracle.table)


def test_a_spill_gives_every_half_back_once(tmp_path: Path) -> None:
    table = pa.table({"event_id": [f"e{i % 50}" for i in range(400)], "n": list(range(400))})
    with HalfSpill(table.schema, buckets=6, bucket_rows=100) as spill:
        for start in range(0, 400, 64):
            spill.add(table.slice(start, 64))
        assert spill.folder is not None  # more than bucket_rows: the buckets are on disk
        buckets = list(spill.drain())
    assert sorted(n for b in buckets for n in b.column("n").to_pylist()) == list(range(400))
    ids = [set(b.column("event_id").to_pylist()) for b in buckets]
    assert sum(len(i) for i in ids) == len(set().union(*ids)) == 50  # an id in one bucket


def _baseline(sink: Path) -> DatasetProfile:
    return profile_source(str(sink), columns=COLUMNS[:4])


def _single(
    sink: Path | str, tmp_path: Path, kinds: dict[str, Any], options: dict
) -> DatasetProfile:
    target = tmp_path / "single.parquet"
    export_window(
        str(sink), target, timestamp_column="timestamp", window_end=WINDOW[1], window_length="105m"
    )
    return profile_source(str(target), columns=COLUMNS, kinds=kinds, **options)


def _fanned(
    sink: Path | str, tmp_path: Path, target_rows: int, kinds: dict[str, Any], options: dict
) -> tuple[DatasetProfile, HalfPairing, int, int]:
    plan = plan_partitions(
        str(sink), target_rows=target_rows, timestamp_column="timestamp", start=WINDOW[0],
        end=WINDOW[1],
    )  # fmt: skip
    assert not plan.reason and all(p.pairs_sides for p in plan.partitions)
    parts, leftovers, joined = [], [], 0
    for partition in plan.partitions:
        path = tmp_path / f"left-{partition.index}.parquet"
        made = profile_paired_partition(
            partition, path, start=WINDOW[0], end=WINDOW[1], columns=COLUMNS, kinds=kinds, **options
        )
        parts.append(made.profile)
        leftovers.append(path)
        joined += made.joined
        assert pq.read_metadata(path).num_rows == made.leftovers
    extra, counts = profile_leftovers(leftovers, parts[0], start=WINDOW[0], end=WINDOW[1])
    pairing = HalfPairing(
        joined + counts.joined, counts.unpaired_requests, counts.unpaired_responses
    )
    left = sum(pq.read_metadata(p).num_rows for p in leftovers)
    return merge_all([*parts, extra]), pairing, len(parts), left


@pytest.mark.parametrize("target_rows", [400, 1500])
def test_fanned_out_pairing_gives_the_single_task_profile(
    sink: Path, tmp_path: Path, target_rows: int
) -> None:
    baseline = _baseline(sink)
    kinds = {n: c.kind for n, c in baseline.columns.items()}
    options = vars(baseline.options)
    single = _single(sink, tmp_path, kinds, options)
    merged, pairing, partitions, left = _fanned(sink, tmp_path, target_rows, kinds, options)
    assert partitions > 2
    assert 0 < left < single.row_count  # halves near the cuts, and those with no other side
    assert pairing == read_log_window(str(sink), *WINDOW).pairing
    assert merged.row_count == single.row_count > 1000
    assert list(merged.columns) == list(single.columns) == COLUMNS
    assert_same_profile(merged, single)


def _assert_same(merged: DatasetProfile, single: DatasetProfile) -> None:
    assert merged.row_count == single.row_count > 1000
    assert list(merged.columns) == list(single.columns) == COLUMNS
    assert_same_profile(merged, single)


def test_sides_apart_on_an_object_store(sink: Path, tmp_path: Path, s3) -> None:
    bucket = s3.bucket()
    for file in sorted(sink.rglob("*.parquet")):
        s3.put(bucket, f"logs/{file.relative_to(sink).as_posix()}", file.read_bytes())
    source = f"s3://{bucket}/logs"
    baseline = _baseline(sink)
    kinds = {n: c.kind for n, c in baseline.columns.items()}
    options = vars(baseline.options)
    merged, pairing, partitions, _ = _fanned(source, tmp_path, 1500, kinds, options)
    assert partitions > 2
    assert pairing == read_log_window(str(sink), *WINDOW).pairing
    _assert_same(merged, _single(source, tmp_path, kinds, options))
    _assert_same(merged, _single(sink, tmp_path, kinds, options))


def test_the_plan_cuts_hour_folders_in_time_order(sink: Path) -> None:
    plan = plan_partitions(
        str(sink), target_rows=400, timestamp_column="timestamp", start=WINDOW[0], end=WINDOW[1]
    )
    folders = [{Path(f.path).parent for f in p.files} for p in plan.partitions]
    assert any(len(f) == 1 for f in folders) and len(plan.partitions) > len(set().union(*folders))
    replicas = [{Path(f.path).name.split("-")[1] for f in p.files} for p in plan.partitions]
    assert sum(len(r) == 3 for r in replicas) > 0.8 * len(replicas)  # cut by time, not replica


def _artifact(path: Path, metadata: dict[str, Any] | None = None) -> Any:
    from kfp.dsl import Artifact

    artifact = Artifact(uri=str(path))
    artifact.metadata = dict(metadata or {})
    return artifact


def test_fanned_out_performance_scores_the_single_task_calls(tmp_path: Path) -> None:
    """score_partition scores the calls its partition pairs; merge_performance scores those the
    leftovers give: the report equals compute_performance on the single-task window."""
    import numpy as np
    import pyarrow as pa

    from driftline.performance import run_performance
    from driftline.platforms.kfp.steps.performance import (
        merge_performance_outputs,
        score_partition_outputs,
    )

    sink = write_split_sink_output(tmp_path / "out", lost=(0, 0, 0))  # every side, in time
    ids = [i for i in read_log_window(str(sink), *WINDOW).table.column("id").to_pylist() if i]
    rng = np.random.default_rng(5)
    labelled = [i for i in ids if rng.random() < 0.8]
    labels = tmp_path / "labels.parquet"
    pq.write_table(pa.table({"id": labelled, "label": rng.random(len(labelled))}), labels)
    options = {"task": "regression", "id_column": "id", "window": "1h"}
    plan = plan_partitions(
        str(sink), target_rows=600, timestamp_column="timestamp", start=WINDOW[0], end=WINDOW[1]
    )
    bounds = {"window_start": WINDOW[0].isoformat(), "window_end": WINDOW[1].isoformat()}
    states, leftovers = [], []
    for partition in plan.partitions:
        left = tmp_path / f"left-{partition.index}.parquet"
        made = profile_paired_partition(partition, left, start=WINDOW[0], end=WINDOW[1])
        leftovers.append(_artifact(left, {"rows": made.leftovers, **bounds}))
        state = _artifact(tmp_path / f"state-{partition.index}.json")
        score_partition_outputs(
            state, partition=partition.to_dict(), labels_uri=str(labels), **bounds, **options
        )
        states.append(state)
    from kfp.dsl import HTML, ClassificationMetrics, Metrics

    kinds = ("r", None), ("h", HTML), ("m", Metrics), ("c", ClassificationMetrics)
    outs = [
        (cls or type(_artifact(tmp_path)))(uri=str(tmp_path / "merged" / n)) for n, cls in kinds
    ]
    merge_performance_outputs(
        states, *outs, unpaired=leftovers, labels_uri=str(labels), min_labelled_rows=10, **options
    )
    merged = json.loads(Path(outs[0].path).read_text())
    from driftline.errors import InputError

    with pytest.raises(InputError, match="the partitions left"):  # leftovers would be lost
        merge_performance_outputs(states, *outs, labels_uri=str(labels), **options)
    window = tmp_path / "window.parquet"
    export_window(
        str(sink), window, timestamp_column="timestamp", window_end=WINDOW[1], window_length="105m"
    )
    single = run_performance(
        str(window), str(labels), tmp_path / "single", min_labelled_rows=10, **options
    ).document
    assert sum(w["rows"] for w in merged["windows"]) == pq.read_metadata(window).num_rows
    assert [w["rows"] for w in merged["windows"]] == [w["rows"] for w in single["windows"]]
    for one, many in zip(single["windows"], merged["windows"], strict=True):
        assert many["labelled_rows"] == one["labelled_rows"] > 0
        for name, value in one["metrics"].items():
            assert many["metrics"][name] == pytest.approx(value, rel=1e-9, abs=1e-12), name


def test_the_merge_refuses_leftovers_missing_or_from_another_window(
    sink: Path, tmp_path: Path
) -> None:
    from driftline.errors import InputError
    from driftline.platforms.kfp.steps.partitions import merge_profiles_outputs

    plan = plan_partitions(
        str(sink), target_rows=1500, timestamp_column="timestamp", start=WINDOW[0], end=WINDOW[1]
    )
    bounds = {"window_start": WINDOW[0].isoformat(), "window_end": WINDOW[1].isoformat()}
    profiles, leftovers = [], []
    for partition in plan.partitions[:2]:
        left = tmp_path / f"left-{partition.index}.parquet"
        made = profile_paired_partition(partition, left, start=WINDOW[0], end=WINDOW[1])
        made.profile.save(tmp_path / f"part-{partition.index}.json")
        meta = {"calls_paired_at_read": made.joined, "unpaired_halves": made.leftovers}
        profiles.append(_artifact(tmp_path / f"part-{partition.index}.json", meta))
        leftovers.append(_artifact(left, {"rows": made.leftovers, **bounds}))
    out = tmp_path / "merged.json"
    with pytest.raises(InputError, match=r"pass every profile_partition task.s unpaired output"):
        merge_profiles_outputs(profiles, _artifact(out), unpaired=leftovers[:1])
    leftovers[1].metadata["window_end"] = WINDOW[1].replace(hour=23).isoformat()
    with pytest.raises(InputError, match="different windows"):
        merge_profiles_outputs(profiles, _artifact(out), unpaired=leftovers)
    assert not out.exists()  # nothing half-written
