"""Thresholds calibrated on the reference: chunks, null distributions, the stored calibration,
and where each column's threshold came from."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from driftline.drift import check_drift
from driftline.drift.baseline import calibrate_baseline
from driftline.drift.calibration import (
    MIN_CHUNKS,
    apply_calibration,
    reference_chunks,
    window_text,
)
from driftline.errors import DataSourceError, InputError
from driftline.profile import DatasetProfile, profile_batches
from driftline.profile.calibration import Calibration, ColumnCalibration

START = datetime(2026, 1, 1)


def hourly(values: dict[str, np.ndarray], start: datetime = START) -> pa.Table:
    """A table of one row per hour from `start`, with a `ts` column."""
    rows = len(next(iter(values.values())))
    stamps = [start + timedelta(hours=i) for i in range(rows)]
    return pa.table({**values, "ts": pa.array(stamps, pa.timestamp("s"))})


def test_period_chunks_are_consecutive_whole_periods_in_time_order() -> None:
    table = hourly({"x": np.arange(24 * 5 + 6, dtype=np.float64)}).take(
        np.random.default_rng(0).permutation(24 * 5 + 6)
    )
    chunks = reference_chunks(table, "1d", "ts")
    assert [c.num_rows for c in chunks] == [24] * 5  # the partial sixth day is left out
    firsts = [c["x"][0].as_py() for c in chunks]
    assert firsts == [0.0, 24.0, 48.0, 72.0, 96.0]
    assert all(np.all(np.diff(c["x"].to_numpy()) == 1) for c in chunks)


def test_row_chunks_follow_the_timestamp_and_drop_a_partial_last_chunk() -> None:
    table = hourly({"x": np.arange(105, dtype=np.float64)})
    chunks = reference_chunks(table.take(np.arange(104, -1, -1)), "25", "ts")
    assert [c.num_rows for c in chunks] == [25] * 4
    assert chunks[0]["x"].to_pylist() == list(range(25))


def test_chunks_are_capped_and_spread_over_the_reference() -> None:
    chunks = reference_chunks(pa.table({"x": np.arange(1000.0)}), "2")
    assert len(chunks) == 100
    assert chunks[0]["x"][0].as_py() == 0 and chunks[-1]["x"][0].as_py() == 998


@pytest.mark.parametrize(
    ("window", "timestamp", "message"),
    [
        ("1d", None, "is a time period: give the timestamp column"),
        ("0", None, "positive row count"),
        ("soon", "ts", "is not a window"),
        ("1d", "when", "timestamp column 'when' is not in the reference"),
    ],
)
def test_a_bad_calibration_window_is_one_clear_error(
    window: str, timestamp: str | None, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        reference_chunks(hourly({"x": np.arange(48.0)}), window, timestamp)


def test_window_text_names_the_monitoring_window() -> None:
    assert window_text(START, START + timedelta(days=1)) == "1d"
    assert window_text(START, START + timedelta(hours=6)) == "6h"
    assert window_text(START, START + timedelta(minutes=90)) == "90m"
    assert window_text(START, None) is None


def test_threshold_is_the_stated_quantile_of_the_null_scores() -> None:
    scores = tuple(np.random.default_rng(1).uniform(0, 1, 40))
    distance = ColumnCalibration("psi", "distance", scores)
    assert distance.threshold(0.95, 0.1) == pytest.approx(np.quantile(scores, 0.95))
    p_values = ColumnCalibration("ks", "p_value", tuple(s * 1e-6 for s in scores))
    assert p_values.threshold(0.95, 0.05) == pytest.approx(np.quantile(scores, 0.05) * 1e-6)


def test_a_p_value_threshold_is_never_raised_above_the_fixed_level() -> None:
    # every chunk holds every hour: p = 1 each time; a threshold of 1 would flag any window
    assert ColumnCalibration("ks", "p_value", (1.0,) * 20).threshold(0.95, 0.05) == 0.05


def test_a_threshold_is_never_zero() -> None:
    """A constant column scores 0 on every chunk: 0 is then no drift, not drift."""
    assert ColumnCalibration("psi", "distance", (0.0,) * 20).threshold(0.95, 0.1) > 0
    assert ColumnCalibration("ks", "p_value", (0.0,) * 20).threshold(0.95, 0.05) > 0


def test_on_independent_rows_the_calibrated_threshold_is_close_to_the_nominal_one() -> None:
    """With no autocorrelation the chunks' KS p-values are uniform: their 5th percentile is
    about the fixed 0.05, so calibration changes little where nothing needs calibrating."""
    rng = np.random.default_rng(3)
    reference = pa.table({"x": rng.normal(size=20_000)})
    current = pa.table({"x": rng.normal(size=200)})
    result = check_drift(reference, current, thresholds="calibrated")
    column = result.column("x")
    assert column.threshold_origin == "calibrated"
    assert column.calibration is not None and column.calibration.chunks == 100
    assert 0.005 < column.threshold <= 0.05


def autocorrelated(days: int, seed: int, phi: float = 0.5) -> pa.Table:
    """Hourly rows: a daily cycle plus a day-level AR(1) level (stationary from the first
    day), so consecutive hours are far from independent, as hourly traffic is."""
    rng = np.random.default_rng(seed)
    level = np.zeros(days)
    level[0] = rng.normal() / np.sqrt(1 - phi**2)
    for d in range(1, days):
        level[d] = phi * level[d - 1] + rng.normal()
    hour = np.arange(days * 24) % 24
    cycle = np.sin(hour / 24 * 2 * np.pi)
    return hourly({"load": np.repeat(level, 24) + cycle + 0.3 * rng.normal(size=days * 24)})


def test_calibration_stops_the_alarms_of_autocorrelated_data_and_keeps_a_real_shift() -> None:
    series = autocorrelated(90, seed=1)
    reference, later = series.slice(0, 24 * 60), series.slice(24 * 60)  # then 30 more days
    options = {"calibration_window": "1d", "timestamp_column": "ts"}
    alarms = {"fixed": 0, "calibrated": 0}
    found = 0
    for day in range(30):
        window = later.slice(24 * day, 24)
        for thresholds in alarms:
            result = check_drift(reference, window, thresholds=thresholds, **options)
            alarms[thresholds] += result.drift_detected
        shifted = window.set_column(0, "load", pa.array(window["load"].to_numpy() + 6.0))
        found += check_drift(reference, shifted, thresholds="calibrated", **options).drift_detected
    assert alarms["fixed"] >= 20  # each day's level differs from the reference's mean level
    assert alarms["calibrated"] <= 4  # about 5 % expected: 1.5 of 30
    assert found == 30


def test_too_few_chunks_keep_the_fixed_threshold_and_say_so() -> None:
    reference = hourly({"x": np.random.default_rng(0).normal(size=24 * 5)})
    result = check_drift(
        reference,
        reference.slice(0, 24),
        thresholds="calibrated",
        calibration_window="1d",
        timestamp_column="ts",
    )
    column = result.column("x")
    assert column.threshold_origin == "fixed" and column.threshold == 0.05
    assert column.calibration is not None
    assert column.calibration.fallback.startswith(
        f"5 chunk(s) of 1d scored, fewer than {MIN_CHUNKS}"
    )


def test_a_threshold_set_by_the_user_wins_over_the_calibration() -> None:
    rng = np.random.default_rng(0)
    reference = pa.table({"x": rng.normal(size=2000), "y": rng.normal(size=2000)})
    current = pa.table({"x": rng.normal(size=100), "y": rng.normal(size=100)})
    result = check_drift(reference, current, thresholds="calibrated", threshold={"x": 0.01})
    assert result.column("x").threshold == 0.01
    assert result.column("x").calibration.fallback == "threshold set by the user"
    assert result.column("y").threshold_origin == "calibrated"


def test_a_calibration_of_another_method_is_not_applied() -> None:
    result = check_drift(
        pa.table({"x": np.arange(100.0)}), pa.table({"x": np.arange(50.0)}), method="psi"
    )
    calibration = Calibration(
        "10", "exact", 20, {"x": ColumnCalibration("ks", "p_value", (0.5,) * 20)}
    )
    judged = apply_calibration(result, calibration, 0.95)
    assert judged.column("x").threshold_origin == "fixed"
    assert judged.column("x").calibration.fallback == "calibrated for ks, checked with psi"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"thresholds": "adaptive"}, "use one of auto, fixed, calibrated"),
        ({"threshold_quantile": 1.0}, r"must be in \(0.5, 1\)"),
        ({"threshold_quantile": 0.05}, r"must be in \(0.5, 1\)"),
    ],
)
def test_bad_threshold_options_are_one_clear_error(options: dict, message: str) -> None:
    table = pa.table({"x": np.arange(100.0)})
    with pytest.raises(InputError, match=message):
        check_drift(table, table, **options)


def profiled(table: pa.Table) -> DatasetProfile:
    return profile_batches(table.to_batches(), schema=table.schema)


def test_the_profile_stores_the_calibration_and_profile_mode_uses_it(tmp_path: Path) -> None:
    reference = autocorrelated(60, seed=5)
    source = tmp_path / "reference.parquet"
    pq.write_table(reference, source)
    profile = calibrate_baseline(profiled(reference), str(source), "1d", timestamp_column="ts")
    profile.save(tmp_path / "profile.json")
    loaded = DatasetProfile.load(tmp_path / "profile.json")
    assert loaded.calibration == profile.calibration
    assert loaded.calibration.mode == "profile" and loaded.calibration.chunks == 60
    # 1,440 distinct values: beyond the profile's exact values, so profile mode's binned test
    assert loaded.calibration.columns["load"].method == "chi2_contingency"

    day = autocorrelated(90, seed=5).slice(24 * 70, 24)
    auto = check_drift(loaded, day, timestamp_column="ts")
    fixed = check_drift(loaded, day, timestamp_column="ts", thresholds="fixed")
    assert auto.thresholds == "calibrated" and fixed.thresholds == "fixed"
    assert auto.column("load").threshold_origin == "calibrated"
    assert auto.column("load").calibration.window == "1d"
    assert auto.column("load").threshold == pytest.approx(
        loaded.calibration.columns["load"].threshold(0.95, 0.05)
    )
    stricter = check_drift(loaded, day, timestamp_column="ts", threshold_quantile=0.99)
    assert stricter.column("load").threshold <= auto.column("load").threshold


def test_a_profile_without_a_calibration_keeps_fixed_thresholds() -> None:
    reference = autocorrelated(30, seed=2)
    profile = profiled(reference)
    assert "calibration" not in profile.to_dict()
    window = reference.slice(0, 24)
    auto = check_drift(profile, window, timestamp_column="ts")
    assert auto.thresholds == "fixed" and auto.column("load").calibration is None
    asked = check_drift(profile, window, timestamp_column="ts", thresholds="calibrated")
    assert asked.column("load").threshold_origin == "fixed" and asked.thresholds == "fixed"
    assert "holds no calibration" in asked.column("load").calibration.fallback


def test_a_corrupt_or_newer_calibration_is_one_clear_error(tmp_path: Path) -> None:
    document = profiled(pa.table({"x": np.arange(10.0)})).to_dict()
    for calibration, message in [
        ({"version": 2}, "unsupported calibration version 2"),
        ({"version": 1, "window": "1d"}, "corrupt calibration"),
    ]:
        path = tmp_path / "profile.json"
        path.write_text(json.dumps({**document, "calibration": calibration}))
        with pytest.raises(DataSourceError, match=message):
            DatasetProfile.load(path)


def test_the_report_states_the_origin_of_every_threshold(tmp_path: Path) -> None:
    from driftline.drift import render_drift_html
    from driftline.drift.result import DriftResult

    reference = autocorrelated(30, seed=4)
    result = check_drift(
        reference,
        reference.slice(0, 24),
        thresholds="calibrated",
        calibration_window="1d",
        timestamp_column="ts",
    )
    result.dump(tmp_path, html=render_drift_html(result))
    document = json.loads((tmp_path / "drift_report.json").read_text())
    assert document["schema_version"] == "1.1" and document["thresholds"] == "calibrated"
    column = document["columns"][0]
    assert column["threshold_origin"] == "calibrated"
    assert column["calibration"]["quantile"] == 0.95
    assert column["calibration"]["chunks"] == 30 and column["calibration"]["window"] == "1d"
    assert DriftResult.load(tmp_path) == result
    page = (tmp_path / "drift_report.html").read_text()
    assert "calibrated: q 0.95 of 30 chunks of 1d" in page


def cli(*args: str):
    from click.testing import CliRunner

    from driftline.cli import main

    return CliRunner().invoke(main, list(args))


def test_cli_builds_a_calibrated_baseline_and_drift_reports_the_origin(tmp_path: Path) -> None:
    series = autocorrelated(40, seed=6)
    pq.write_table(series.slice(0, 24 * 30), tmp_path / "reference.parquet")
    pq.write_table(series.slice(24 * 30), tmp_path / "later.parquet")
    built = cli(
        "profile",
        str(tmp_path / "reference.parquet"),
        "--out",
        str(tmp_path / "profile.json"),
        "--calibration-window",
        "1d",
        "--timestamp-column",
        "ts",
    )
    assert built.exit_code == 0, built.output
    assert "calibrated on 30 chunks of 1d (1 columns)" in built.output
    window = ["--current", str(tmp_path / "later.parquet"), "--timestamp-column", "ts"]
    window += ["--start", "2026-02-03T00:00:00", "--end", "2026-02-04T00:00:00"]
    for thresholds, origin in [("auto", "calibrated"), ("fixed", "fixed")]:
        out = tmp_path / thresholds
        ran = cli(
            "drift", "--reference-profile", str(tmp_path / "profile.json"), *window,
            "--out", str(out), "--thresholds", thresholds,
        )  # fmt: skip
        assert ran.exit_code == 0, ran.output
        document = json.loads((out / "drift_report.json").read_text())
        assert document["columns"][0]["threshold_origin"] == origin
    exact = cli(
        "drift", "--reference", str(tmp_path / "reference.parquet"), *window,
        "--out", str(tmp_path / "exact"), "--thresholds", "calibrated",
    )  # fmt: skip
    assert exact.exit_code == 0, exact.output
    document = json.loads((tmp_path / "exact" / "drift_report.json").read_text())
    assert document["columns"][0]["calibration"]["window"] == "1d"  # from --start/--end
    assert document["columns"][0]["calibration"]["chunks"] == 30


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--thresholds", "sometimes"], "'sometimes' is not one of 'auto', 'fixed', 'calibrated'"),
        (["--threshold-quantile", "0.3"], "--threshold-quantile 0.3 must be in (0.5, 1)"),
        (["--calibration-window", "1d"], "give the timestamp column"),
    ],
)
def test_cli_bad_threshold_options_exit_2_and_write_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    table = pa.table({"x": np.arange(200.0)})
    pq.write_table(table, tmp_path / "data.parquet")
    data = str(tmp_path / "data.parquet")
    out = tmp_path / "out"
    ran = cli("drift", "--reference", data, "--current", data, "--out", str(out),
              "--thresholds", "calibrated", *args)  # fmt: skip
    assert ran.exit_code == 2 and message in ran.output
    assert not out.exists()


def test_cli_refuses_a_calibration_window_with_a_reference_profile(tmp_path: Path) -> None:
    table = pa.table({"x": np.arange(200.0)})
    pq.write_table(table, tmp_path / "data.parquet")
    profiled(table).save(tmp_path / "profile.json")
    ran = cli("drift", "--reference-profile", str(tmp_path / "profile.json"),
              "--current", str(tmp_path / "data.parquet"), "--out", str(tmp_path / "out"),
              "--calibration-window", "50")  # fmt: skip
    assert ran.exit_code == 2 and "a reference profile stores its calibration" in ran.output
    refused = cli("profile", str(tmp_path / "data.parquet"), "--out", str(tmp_path / "p.json"),
                  "--timestamp-column", "ts")  # fmt: skip
    assert refused.exit_code == 2 and "only serve --calibration-window" in refused.output


def test_a_reference_without_the_windows_time_column_is_chunked_in_table_order() -> None:
    """A pipeline names the window's time column; a training table may lack it. Row chunks
    then follow the table; a period window cannot, and says so."""
    rng = np.random.default_rng(8)
    reference = pa.table({"x": rng.normal(size=2000)})
    current = hourly({"x": rng.normal(size=100)})
    rows = check_drift(reference, current, thresholds="calibrated", timestamp_column="ts")
    assert rows.column("x").calibration.window == "100"
    assert rows.column("x").calibration.chunks == 20
    with pytest.raises(InputError, match="is a time period, but the reference has no timestamp"):
        check_drift(
            reference, current, thresholds="calibrated", timestamp_column="ts",
            calibration_window="1d",
        )  # fmt: skip
