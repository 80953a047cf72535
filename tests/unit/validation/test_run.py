"""run_validation limited to some columns: others are not extra, missing listed ones still count."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from driftline.errors import InputError
from driftline.profile import write_profile
from driftline.validation import run_validation


def test_columns_limit_the_check(bike_years: dict[str, Path], tmp_path: Path) -> None:
    features = ["temp", "hum", "season"]
    profile = write_profile(str(bike_years["2011"]), tmp_path / "p.json", columns=features)
    assert sorted(profile.columns) == sorted(features)

    everything = run_validation(tmp_path / "p.json", str(bike_years["2012"]), tmp_path / "all")
    assert any(v.check == "extra_columns" for v in everything.violations)

    limited = run_validation(
        tmp_path / "p.json", str(bike_years["2012"]), tmp_path / "some", columns=features
    )
    assert not any(v.check == "extra_columns" for v in limited.violations)
    document = json.loads((tmp_path / "some" / "validation_report.json").read_text())
    assert document["rows"] == 8734

    window = tmp_path / "no_hum.parquet"
    pq.write_table(pq.read_table(bike_years["2012"]).drop(["hum"]), window)
    missing = run_validation(tmp_path / "p.json", str(window), tmp_path / "m", columns=features)
    assert [(v.column, v.check) for v in missing.violations if v.severity == "error"] == [
        ("hum", "presence")
    ]
    assert missing.status == "fail"


def test_expected_rows_sets_the_row_count_bounds(
    bike_years: dict[str, Path], tmp_path: Path
) -> None:
    profile = tmp_path / "p.json"
    write_profile(str(bike_years["2011"]), profile, columns=["temp"])
    window = tmp_path / "week.parquet"
    pq.write_table(pq.read_table(bike_years["2012"]).slice(0, 168), window)

    def row_checks(expected_rows: int | None) -> list[str]:
        result = run_validation(
            profile, str(window), tmp_path / "r", columns=["temp"], expected_rows=expected_rows
        )
        return [v.message for v in result.violations if v.check == "row_count"]

    assert row_checks(None) == ["row count 168 outside [4322, 12968]"]  # the baseline's size
    assert row_checks(0) == []  # only "not empty"
    assert row_checks(168) == []
    assert row_checks(1000) == ["row count 168 outside [500, 1500]"]


def test_columns_also_limit_what_the_baseline_expects(
    bike_years: dict[str, Path], tmp_path: Path
) -> None:
    # A full training profile (target, ids...) checked on a window that only has the features.
    write_profile(str(bike_years["2011"]), tmp_path / "full.json")
    window = tmp_path / "features.parquet"
    pq.write_table(pq.read_table(bike_years["2012"], columns=["temp", "hum"]), window)
    result = run_validation(tmp_path / "full.json", str(window), tmp_path / "r", columns=["temp"])
    assert [v.check for v in result.violations if v.severity == "error"] == []
    everything = run_validation(tmp_path / "full.json", str(window), tmp_path / "all")
    assert "cnt" in {v.column for v in everything.violations if v.check == "presence"}


def test_negative_expected_rows_is_refused(bike_years: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(InputError, match="expected_rows must be >= 0, got -5"):
        run_validation(
            bike_years["profile"], str(bike_years["2012"]), tmp_path / "r", expected_rows=-5
        )
    assert not (tmp_path / "r").exists()
