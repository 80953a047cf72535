"""2011 baseline vs 2012 windows of the real bike-sharing data."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd

from driftline.validation import run_validation


def test_2012_breaks_the_2011_ranges(bike_years: dict[str, Path], tmp_path: Path) -> None:
    result = run_validation(bike_years["profile"], str(bike_years["2012"]), tmp_path)
    by_column = {v.column: v for v in result.violations if v.check == "range"}
    # demand grew in 2012: the oracle is pandas on the raw files
    y2011 = pd.read_parquet(bike_years["2011"])
    y2012 = pd.read_parquet(bike_years["2012"])
    for column in ("cnt", "registered", "casual"):
        span = y2011[column].max() - y2011[column].min()
        allowed = y2011[column].max() + 0.1 * span
        assert column in by_column
        violation = by_column[column]
        assert violation.observed["max"] == y2012[column].max() > allowed
        share = (y2012[column] > allowed).mean()
        assert abs(violation.observed["outside_share"] - share) < 1e-12
        assert violation.expected["max"] == allowed
    assert set(by_column) == {"cnt", "registered", "casual", "instant", "yr"}
    assert result.status == "warning" and result.counts == {"error": 0, "warning": 5}
    document = json.loads((tmp_path / "validation_report.json").read_text())
    assert document["kind"] == "validation" and document["schema_version"] == "1.0"
    assert document["status"] == "warning" and document["rows"] == len(y2012)
    assert {"column", "check", "severity", "message", "observed", "expected"} <= set(
        document["violations"][0]
    )
    page = (tmp_path / "validation_report.html").read_text()
    assert "registered" in page and "<script" not in page


def test_one_month_window_is_a_volume_violation(
    bike_years: dict[str, Path], tmp_path: Path
) -> None:
    result = run_validation(
        bike_years["profile"],
        str(bike_years["2012"]),
        tmp_path,
        timestamp_column="dteday",
        start=datetime(2012, 3, 1),
        end=datetime(2012, 4, 1),
    )
    rows = [v for v in result.violations if v.check == "row_count"]
    assert len(rows) == 1 and rows[0].observed == result.rows
    y2012 = pd.read_parquet(bike_years["2012"])
    march = pd.to_datetime(y2012["dteday"]).dt.month == 3
    assert result.rows == march.sum()
    assert rows[0].expected["min"] == len(pd.read_parquet(bike_years["2011"])) // 2


def test_same_data_validates_ok(bike_years: dict[str, Path], tmp_path: Path) -> None:
    result = run_validation(bike_years["profile"], str(bike_years["2011"]), tmp_path)
    assert (result.status, result.violations) == ("ok", [])
