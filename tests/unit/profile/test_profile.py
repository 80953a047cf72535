"""Profile contents against independent oracles (numpy, pandas), kinds and JSON round-trip."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from driftline.io import ColumnKind
from driftline.profile import DatasetProfile, profile_batches, profile_source


@pytest.fixture(scope="module")
def bike(bike_hour_csv: Path) -> tuple[DatasetProfile, pd.DataFrame]:
    return profile_source(str(bike_hour_csv)), pd.read_csv(bike_hour_csv)


def test_bike_numeric_columns_match_pandas(bike: tuple[DatasetProfile, pd.DataFrame]) -> None:
    profile, df = bike
    assert profile.row_count == len(df)
    for name in ("temp", "hum", "windspeed", "casual", "cnt"):
        summary = profile.columns[name].numeric
        assert summary is not None
        assert summary.count == df[name].count()
        assert (summary.min, summary.max) == (df[name].min(), df[name].max())
        assert summary.mean == pytest.approx(df[name].mean(), rel=1e-12)
        assert summary.std == pytest.approx(df[name].std(ddof=0), rel=1e-9)
        assert summary.exact  # fewer than exact_cap distinct values: exact quantiles
        for q in (0.05, 0.5, 0.95):
            assert summary.quantile(q) == np.quantile(df[name], q, method="lower")
        edges = np.linspace(df[name].min(), df[name].max(), 11)
        np.testing.assert_array_equal(summary.counts_on(edges), np.histogram(df[name], edges)[0])


def test_sketch_counts_on_close_to_numpy_histogram() -> None:
    rng = np.random.default_rng(7)
    x = rng.gamma(2.0, 30.0, 50_000)
    summary = profile_batches(pa.table({"x": x}).to_batches(8192)).columns["x"].numeric
    assert summary is not None and not summary.exact
    edges = np.quantile(x, np.linspace(0, 1, 11))
    got = summary.counts_on(edges)
    assert got.sum() == x.size
    truth = np.histogram(x, edges)[0]
    # a bucket lands in the bin of its representative: only values within alpha of an edge move
    near_edge = sum(np.count_nonzero(np.abs(x - e) <= 0.02 * abs(e)) for e in edges[1:-1])
    assert np.abs(got - truth).sum() <= 2 * near_edge
    edges_out, counts = summary.bins()
    assert edges_out.size == counts.size + 1 and counts.sum() == x.size
    assert np.all(np.diff(edges_out) > 0)
    assert edges_out[0] <= x.min() and edges_out[-1] >= x.max()


def test_kinds_boolean_datetime_text_and_categorical_override(tmp_path: Path) -> None:
    table = pa.table(
        {
            "flag": [True, False, True, None],
            "when": pa.array([0, 86_400_000, 172_800_000, None], pa.timestamp("ms")),
            "day": pa.array([0, 1, 2, 3], pa.date32()),
            "code": [1, 2, 2, 3],
            "note": ["hello", "héllo wörld", "", None],
        }
    )
    pq.write_table(table, tmp_path / "t.parquet")
    profile = profile_source(
        str(tmp_path / "t.parquet"), kinds={"code": "categorical", "note": "text"}
    )
    flag = profile.columns["flag"]
    assert flag.kind is ColumnKind.BOOLEAN and flag.null_count == 1
    assert flag.categorical is not None and flag.categorical.frequencies == {"true": 2, "false": 1}
    when = profile.columns["when"].numeric
    assert profile.columns["when"].kind is ColumnKind.DATETIME and when is not None
    assert (when.min, when.max, when.mean) == (0.0, 172_800.0, 86_400.0)
    day = profile.columns["day"].numeric
    assert day is not None and day.max == 3 * 86_400.0
    code = profile.columns["code"].categorical
    assert code is not None and code.frequencies == {"2": 2, "1": 1, "3": 1}
    note = profile.columns["note"]
    assert note.text is not None and note.numeric is None and note.categorical is None
    assert note.text.distinct_estimate == 3
    assert (note.text.lengths.min, note.text.lengths.max) == (0.0, 11.0)


def test_json_round_trip_is_lossless(tmp_path: Path, bike_hour_csv: Path) -> None:
    profile = profile_source(str(bike_hour_csv), kinds={"dteday": "categorical"})
    path = Path(profile.save(tmp_path / "sub" / "profile.json"))
    document = json.loads(path.read_text())
    assert (document["schema_version"], document["kind"]) == ("1.0", "profile")
    assert document["row_count"] == 17379 and len(document["columns"]) == 17
    loaded = DatasetProfile.load(path)
    assert loaded.to_dict() == profile.to_dict()
    assert loaded.columns["cnt"].numeric == profile.columns["cnt"].numeric
    assert loaded.columns["dteday"].categorical == profile.columns["dteday"].categorical
    assert [p.name for p in tmp_path.joinpath("sub").iterdir()] == ["profile.json"]


def test_hyperloglog_distinct_estimate_within_error() -> None:
    values = pa.array(np.arange(200_000)).cast(pa.string())
    summary = profile_batches(
        pa.table({"id": values}).to_batches(50_000), category_cap=1000, top_k=10
    ).columns["id"]
    assert summary.categorical is not None
    estimate = summary.categorical.distinct_estimate
    assert abs(estimate - 200_000) / 200_000 < 4 * 1.04 / math.sqrt(4096)
