"""Bad and awkward input: each has one defined outcome."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from driftline.errors import DataSourceError, InputError, UnknownNameError
from driftline.profile import DatasetProfile, profile_batches, profile_source
from driftline.report import to_json


def test_all_null_column() -> None:
    profile = profile_batches(pa.table({"x": pa.array([None] * 5, pa.float64())}).to_batches())
    column = profile.columns["x"]
    assert (column.count, column.null_count, column.null_share) == (5, 5, 1.0)
    summary = column.numeric
    assert summary is not None and summary.count == 0
    assert summary.min is None and summary.std is None and math.isnan(summary.quantile(0.5))
    assert summary.counts_on([0, 1]).tolist() == [0]
    DatasetProfile.from_dict(json.loads(to_json(profile.to_dict())))


def test_nan_and_infinities_are_counted_apart() -> None:
    x = [1.0, np.nan, np.inf, -np.inf, np.inf, 3.0]
    summary = profile_batches(pa.table({"x": x}).to_batches()).columns["x"].numeric
    assert summary is not None
    assert (summary.count, summary.nan_count, summary.posinf_count, summary.neginf_count) == (
        2,
        1,
        2,
        1,
    )
    assert (summary.min, summary.max, summary.mean) == (1.0, 3.0, 2.0)


def test_constant_and_one_row_columns() -> None:
    constant = profile_batches(pa.table({"x": [4.5] * 100}).to_batches()).columns["x"].numeric
    assert constant is not None and constant.std == 0.0 and constant.quantile(0.99) == 4.5
    one = profile_batches(pa.table({"x": [7]}).to_batches()).columns["x"].numeric
    assert one is not None and (one.min, one.max, one.std, one.quantile(0.5)) == (7, 7, 0.0, 7)


def test_one_million_distinct_categories_stay_bounded() -> None:
    ids = pa.array(np.arange(1_000_000)).cast(pa.string())
    profile = profile_batches(pa.table({"id": ids}).to_batches(131_072), top_k=20)
    summary = profile.columns["id"].categorical
    assert summary is not None and not summary.exact
    assert len(summary.frequencies) == 20
    assert sum(summary.frequencies.values()) + summary.other_count == 1_000_000
    assert abs(summary.distinct_estimate - 1_000_000) < 0.05 * 1_000_000
    assert len(to_json(profile.to_dict())) < 20_000  # the document does not grow with rows


def test_empty_window_keeps_schema(tmp_path: Path) -> None:
    times = pa.array([0, 3_600_000_000], pa.timestamp("us"))
    pq.write_table(pa.table({"ts": times, "x": [1.0, 2.0], "c": ["a", "b"]}), tmp_path / "d.pq")
    profile = profile_source(
        str(tmp_path / "d.pq"), timestamp_column="ts", start=datetime(2001, 1, 1)
    )
    assert profile.row_count == 0 and list(profile.columns) == ["ts", "x", "c"]
    x = profile.columns["x"]
    assert x.count == 0 and x.null_share == 0.0 and x.numeric is not None
    assert profile.columns["c"].categorical is not None
    assert DatasetProfile.from_dict(json.loads(to_json(profile.to_dict()))).row_count == 0


def test_bad_options_and_kinds() -> None:
    batches = pa.table({"s": ["a"]}).to_batches()
    with pytest.raises(InputError, match=r"unknown profile option.*bins.*valid: relative_accuracy"):
        profile_batches(batches, bins=10)
    with pytest.raises(InputError, match="'s' of type string cannot be profiled as numeric"):
        profile_batches(batches, kinds={"s": "numeric"})
    with pytest.raises(UnknownNameError, match="valid: boolean, categorical"):
        profile_batches(batches, kinds={"s": "nominal"})
    with pytest.raises(InputError, match="unknown column 'x'"):
        profile_batches(batches, kinds={"x": "text"})
    with pytest.raises(InputError, match="relative_accuracy must be in"):
        profile_batches(batches, relative_accuracy=1.5)
    with pytest.raises(InputError, match="top_k \\(50\\) must not exceed category_cap"):
        profile_batches(batches, top_k=50, category_cap=10)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("{not json", "not valid JSON"),
        ('{"kind": "drift", "schema_version": "1.0"}', "kind is 'drift', expected 'profile'"),
        ('{"kind": "profile", "schema_version": "9.9"}', "unsupported profile schema_version"),
        ('{"kind": "profile", "schema_version": "1.0", "row_count": 1}', "corrupt profile"),
        ("[1, 2]", "not a driftline profile"),
    ],
)
def test_corrupt_profile_json(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "profile.json"
    path.write_text(text)
    with pytest.raises(DataSourceError, match=match):
        DatasetProfile.load(path)


def test_missing_profile_file(tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match=r"profile not found: .*nope\.json"):
        DatasetProfile.load(tmp_path / "nope.json")
