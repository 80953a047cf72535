"""run_validation limited to some columns: others are not extra, missing listed ones still count."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

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
