"""A production window as the log sink writes it: Hive folders `model=/date=/hour=`, each with
Parquet files of several row groups, rows in time order, nulls, NaN and infinities included."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from driftline.io import ColumnKind
from driftline.profile import DatasetProfile

START = datetime(2026, 3, 1, tzinfo=UTC)


def hour_table(hour: int, rows: int, rng: np.random.Generator, shift: float = 0.0) -> pa.Table:
    """One hour of rows: numeric, integer, categorical, boolean and a prediction column."""
    seconds = np.sort(rng.integers(0, 3600, rows))
    stamps = [START + timedelta(hours=hour, seconds=int(s)) for s in seconds]
    x = rng.normal(shift, 1.0, rows)
    x[rng.random(rows) < 0.01] = np.nan
    x[rng.random(rows) < 0.001] = np.inf
    x_null = rng.random(rows) < 0.02
    codes = rng.zipf(1.5, rows) % 40
    category = np.array([f"c{c}" for c in codes], dtype=object)
    category[rng.random(rows) < 0.03] = None
    return pa.table(
        {
            "timestamp": pa.array(stamps, pa.timestamp("us", tz="UTC")),
            "x": pa.array(x, mask=x_null),
            "count": pa.array(rng.poisson(3 + shift, rows), pa.int64()),
            "category": pa.array(category, pa.string()),
            "flag": pa.array(rng.random(rows) < 0.3 + shift / 10),
            "prediction": pa.array(rng.random(rows)),
        }
    )


def write_sink_layout(
    root: Path,
    *,
    hours: int = 6,
    rows_per_hour: int = 3000,
    files_per_hour: int = 2,
    row_group_rows: int = 500,
    seed: int = 7,
    shift: float = 0.0,
    model: str = "bikes",
) -> Path:
    """Write `hours` hour folders from START under `root`; returns `root`."""
    rng = np.random.default_rng(seed)
    for hour in range(hours):
        moment = START + timedelta(hours=hour)
        folder = root / f"model={model}" / f"date={moment:%Y-%m-%d}" / f"hour={moment:%H}"
        folder.mkdir(parents=True)
        table = hour_table(hour, rows_per_hour, rng, shift)
        per_file = -(-rows_per_hour // files_per_hour)
        for index in range(files_per_hour):
            part = table.slice(index * per_file, per_file)
            pq.write_table(part, folder / f"part-{index}.parquet", row_group_size=row_group_rows)
    return root


MOMENTS = ("mean", "std", "m2")


def assert_same_profile(merged: DatasetProfile, single: DatasetProfile) -> None:
    """The merge of partition profiles is the one-pass profile: every field of every column
    exactly, but the moments, which agree to rounding: 1e-9 relative, and for a datetime
    column's spread (std, m2) 1e-7. Its moments are of epoch seconds (about 1.8e9, where floats
    lie 2.4e-7 s apart), a mean is held to that spacing, and merging time-ordered partitions
    weighs the differences of their means: the spread comes out about 1e-9 to 1e-8 off,
    depending on where the partitions cut."""
    assert sorted(merged.columns) == sorted(single.columns)
    for name, column in single.columns.items():
        got, expected = merged.columns[name].to_dict(), column.to_dict()
        numeric = expected["numeric"]
        if numeric is not None:
            for key in MOMENTS:
                spread = column.kind is ColumnKind.DATETIME and key != "mean"
                mine, theirs = got["numeric"].pop(key), numeric.pop(key)
                tolerance = 1e-7 if spread else 1e-9
                assert math.isclose(mine, theirs, rel_tol=tolerance), (name, key, mine, theirs)
        assert json.dumps(got, sort_keys=True) == json.dumps(expected, sort_keys=True), name
