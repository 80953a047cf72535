"""Partition plans follow the sink's Hive folders and row groups; the partitions of a window
hold exactly the window's rows, once each."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from driftline.errors import InputError
from driftline.io import read_table
from driftline.io.partitions import Partition, iter_partition, plan_partitions
from tests.partitioned import START, hour_table, write_sink_layout

HOUR_ROWS = 3000  # 2 files x 3 row groups of 500 rows per hour folder


@pytest.fixture(scope="module")
def sink(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sink_layout(tmp_path_factory.mktemp("sink"), hours=6, rows_per_hour=HOUR_ROWS)


def _window_rows(partitions: list[Partition], start, end) -> pa.Table:
    batches = [
        batch
        for partition in partitions
        for batch in iter_partition(partition, timestamp_column="timestamp", start=start, end=end)
    ]
    return pa.Table.from_batches(batches)


def _same_rows(got: pa.Table, expected: pa.Table) -> bool:
    """Equal as multisets of rows (NaN equals NaN in the same place)."""
    order = [("timestamp", "ascending"), ("prediction", "ascending")]
    return bool(got.sort_by(order).to_pandas().equals(expected.sort_by(order).to_pandas()))


def test_small_folders_stay_whole_and_fill_partitions(sink: Path) -> None:
    plan = plan_partitions(str(sink), target_rows=2 * HOUR_ROWS)
    assert [p.rows for p in plan.partitions] == [2 * HOUR_ROWS] * 3
    for partition in plan.partitions:
        folders = {Path(f.path).parent for f in partition.files}
        assert len(folders) == 2  # two whole hour folders, never half of one
        assert all(f.row_groups == (0, 1, 2) for f in partition.files)
    assert plan.rows == 6 * HOUR_ROWS and plan.reason == ""


def test_a_folder_larger_than_the_target_is_cut_at_row_groups(sink: Path) -> None:
    plan = plan_partitions(str(sink), target_rows=1200)
    assert all(p.rows <= 1200 for p in plan.partitions)
    assert sum(p.rows for p in plan.partitions) == 6 * HOUR_ROWS
    pieces = [(f.path, g) for p in plan.partitions for f in p.files for g in f.row_groups]
    assert len(pieces) == len(set(pieces)) == 6 * 2 * 3  # every row group exactly once


def test_row_groups_outside_the_window_are_left_out(sink: Path) -> None:
    start, end = START + timedelta(hours=1, minutes=30), START + timedelta(hours=3)
    plan = plan_partitions(
        str(sink), target_rows=1000, timestamp_column="timestamp", start=start, end=end
    )
    hours = {Path(f.path).parent.name for p in plan.partitions for f in p.files}
    assert hours == {"hour=01", "hour=02"}
    assert plan.rows < 2 * HOUR_ROWS  # the first row groups of hour 1 end before 01:30


@pytest.mark.parametrize("target", [500, 1700, 4000, 100_000])
def test_partitions_together_hold_exactly_the_window(sink: Path, target: int) -> None:
    start, end = START + timedelta(hours=1, minutes=17), START + timedelta(hours=4, minutes=41)
    plan = plan_partitions(
        str(sink), target_rows=target, timestamp_column="timestamp", start=start, end=end
    )
    round_tripped = [Partition.from_dict(p.to_dict()) for p in plan.partitions]
    assert round_tripped == list(plan.partitions)
    got = _window_rows(round_tripped, start, end)
    expected = read_table(str(sink), timestamp_column="timestamp", start=start, end=end)
    assert got.schema == expected.schema  # Hive keys included, as a whole-folder read gives them
    assert got.num_rows == expected.num_rows > 0
    assert _same_rows(got, expected)


def test_a_single_large_file_splits_by_row_groups(tmp_path: Path) -> None:
    import numpy as np

    path = tmp_path / "window.parquet"
    pq.write_table(hour_table(0, 5000, np.random.default_rng(1)), path, row_group_size=1000)
    plan = plan_partitions(str(path), target_rows=2000)
    assert [p.rows for p in plan.partitions] == [2000, 2000, 1000]
    assert [f.path for p in plan.partitions for f in p.files] == ["", "", ""]
    assert _same_rows(_window_rows(list(plan.partitions), None, None), read_table(str(path)))


def test_partitions_read_from_an_object_store(sink: Path, s3) -> None:
    bucket = s3.bucket()
    for file in sorted(sink.rglob("*.parquet"))[:8]:  # hours 0-3
        s3.put(bucket, f"logs/{file.relative_to(sink)}", file.read_bytes())
    source = f"s3://{bucket}/logs"
    plan = plan_partitions(source, target_rows=2500)
    assert [p.rows for p in plan.partitions] == [2500, 2500, 2500, 2500, 2000]
    assert plan.rows == 4 * HOUR_ROWS
    got = _window_rows(list(plan.partitions), None, None)
    assert _same_rows(got, read_table(source))


def test_formats_without_row_groups_do_not_split(tmp_path: Path) -> None:
    import numpy as np

    path = tmp_path / "window.csv"
    pacsv.write_csv(hour_table(0, 100, np.random.default_rng(1)), path)
    plan = plan_partitions(str(path))
    assert plan.partitions == () and "csv" in plan.reason


def test_bad_target_and_bad_partition_say_what_is_valid(sink: Path) -> None:
    with pytest.raises(InputError, match="target_rows"):
        plan_partitions(str(sink), target_rows=0)
    with pytest.raises(InputError, match="expected keys index, source"):
        Partition.from_dict({"index": 0, "source": str(sink)})
