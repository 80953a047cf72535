"""Calibration benchmark: false alarms and detection with fixed and calibrated thresholds.

Monitoring data is autocorrelated; this measures what calibrated thresholds
(docs/drift.md, "Calibrated thresholds") change, through the scheduled path: a baseline
profile built with `calibrate_baseline` (chunks of one day), then each daily window checked
against it with `check_drift(profile, window)` in profile mode, `thresholds="fixed"` vs the
stored calibration (`auto`, quantile 0.95).

  synthetic  hourly rows: a daily cycle plus a day-level AR(1) level with coefficient phi
             (0 = independent days; 0.5, 0.9 = ever longer memory), and a categorical
             "weather" that stays one value for a whole day with probability phi. The
             reference is 60 days, the windows the next 30 days of the same series: every
             alarm is false. Detection: the same windows with the numeric level shifted by
             three day-level standard deviations, and 30 % of the rows turned into a
             category the reference never had.
  bike       the real UCI bike data: reference days 1-15 of each 2011 month, windows each
             later day of the month (same process) and each day 16-31 of the month in 2012
             (registered riders about +65 %).

    .venv/bin/python bench/calibration.py          # the committed run
    .venv/bin/python bench/calibration.py --quick  # 3 seeds, 3 months
Results: bench/results/calibration.md.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import scipy

import driftline
from driftline.drift import check_drift
from driftline.drift.baseline import calibrate_baseline
from driftline.profile import DatasetProfile, profile_batches

HERE = Path(__file__).resolve().parent
BIKE = Path(driftline.__file__).parent / "demo" / "data" / "hour.csv"
START = np.datetime64("2026-01-01T00:00:00", "s")
REFERENCE_DAYS, LATER_DAYS = 60, 30
WEATHER = np.array(["clear", "cloudy", "rain", "fog"])
WEATHER_SHARES = np.array([0.5, 0.3, 0.15, 0.05])
BIKE_FEATURES = ["hr", "weekday", "workingday", "weathersit", "temp", "atemp", "hum",
                 "windspeed", "casual", "registered", "cnt"]  # fmt: skip


def series(seed: int, phi: float, days: int) -> pa.Table:
    """Hourly `load` (daily cycle + day-level AR(1), stationary from day one) and
    `weather` (kept for the whole day with probability phi, else drawn anew)."""
    rng = np.random.default_rng([seed, round(phi * 100)])
    level = np.zeros(days)
    level[0] = rng.normal() / np.sqrt(1 - phi**2)
    for d in range(1, days):
        level[d] = phi * level[d - 1] + rng.normal()
    hours = np.arange(days * 24)
    load = (
        np.repeat(level, 24)
        + np.sin(hours % 24 / 24 * 2 * np.pi)
        + 0.3 * rng.normal(size=len(hours))
    )
    weather = rng.choice(len(WEATHER), size=len(hours), p=WEATHER_SHARES)
    for h in range(1, len(hours)):
        if rng.random() < phi:
            weather[h] = weather[h - 1]
    stamps = START + hours.astype("timedelta64[h]")
    return pa.table(
        {"load": load, "weather": WEATHER[weather], "ts": stamps.astype("datetime64[s]")}
    )


def baseline(reference: pa.Table, folder: Path, name: str) -> DatasetProfile:
    """The reference's profile, calibrated on daily chunks (what profile_baseline stores)."""
    path = folder / f"{name}.parquet"
    pq.write_table(reference, path)
    profile = profile_batches(reference.to_batches(), schema=reference.schema)
    return calibrate_baseline(profile, str(path), "1d", timestamp_column="ts")


def days_of(table: pa.Table) -> list[pa.Table]:
    day = pc.floor_temporal(table["ts"], unit="day")
    return [table.filter(pc.equal(day, d)) for d in pc.unique(day)]


def shifted(window: pa.Table, phi: float) -> pa.Table:
    """The window with load up by three day-level sds and 30 % of the rows turned to 'hail'."""
    load = window["load"].to_numpy() + 3 / np.sqrt(1 - phi**2)
    weather = window["weather"].to_numpy(zero_copy_only=False).astype(object)
    weather[: int(0.3 * len(weather))] = "hail"
    return window.set_column(0, "load", pa.array(load)).set_column(1, "weather", pa.array(weather))


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "n/a"


def synthetic(seeds: int, out: list[str], folder: Path) -> None:
    out.append("\n## Synthetic autocorrelated data\n")
    out.append(
        f"{seeds} seeds per row; reference {REFERENCE_DAYS} days, windows the next "
        f"{LATER_DAYS} days (1 day = 24 rows); rates are per column and window.\n"
    )
    out.append(
        "| phi | column | false alarms, fixed | false alarms, calibrated | detected, fixed "
        "| detected, calibrated | method |"
    )
    out.append("|---|---|---|---|---|---|---|")
    for phi in (0.0, 0.5, 0.9):
        counts = {c: {"ff": 0, "fc": 0, "df": 0, "dc": 0} for c in ("load", "weather")}
        methods: dict[str, str] = {}
        windows = 0
        for seed in range(seeds):
            table = series(seed, phi, REFERENCE_DAYS + LATER_DAYS)
            profile = baseline(table.slice(0, 24 * REFERENCE_DAYS), folder, f"s{seed}-{phi}")
            for window in days_of(table.slice(24 * REFERENCE_DAYS)):
                windows += 1
                for key, data in (("f", window), ("d", shifted(window, phi))):
                    fixed = check_drift(profile, data, timestamp_column="ts", thresholds="fixed")
                    calibrated = check_drift(profile, data, timestamp_column="ts")
                    for column in counts:
                        counts[column][key + "f"] += fixed.column(column).drift_detected
                        counts[column][key + "c"] += calibrated.column(column).drift_detected
                        methods[column] = calibrated.column(column).method
        for column, c in counts.items():
            out.append(
                f"| {phi} | {column} | {_pct(c['ff'], windows)} | {_pct(c['fc'], windows)} | "
                f"{_pct(c['df'], windows)} | {_pct(c['dc'], windows)} | {methods[column]} |"
            )
        print(f"synthetic phi={phi} done", flush=True)


def with_timestamps(bike: pa.Table) -> pa.Table:
    day = pc.cast(pc.strptime(pc.cast(bike["dteday"], pa.string()), "%Y-%m-%d", "s"), pa.int64())
    seconds = pc.add(day, pc.multiply(pc.cast(bike["hr"], pa.int64()), 3600))
    return bike.select(BIKE_FEATURES).append_column("ts", seconds.cast(pa.timestamp("s")))


def bike(months: list[int], out: list[str], folder: Path) -> None:
    table = pacsv.read_csv(BIKE)
    out.append("\n## Real data: UCI bike sharing, hourly\n")
    out.append(
        "Reference: days 1-15 of a 2011 month (11 columns; 15 daily chunks). Windows: each "
        "later day of the same month (the same process: every alarm is noise), and each "
        "day 16-31 of the month in 2012 (traffic grew). A day drifts when at least half of "
        "its columns do (`drift_share` 0.5).\n"
    )
    out.append(
        "| month | days | dataset drift 2011, fixed | 2011, calibrated | column alarms 2011, "
        "fixed | 2011, calibrated | `registered` flagged 2012, fixed | 2012, calibrated | "
        "`registered` flagged 2011, calibrated |"
    )
    out.append("|---|---|---|---|---|---|---|---|---|")
    totals = np.zeros(8, dtype=np.int64)
    for month in months:

        def month_rows(year: int, m: int = month) -> pa.Table:
            rows = table.filter(pc.and_(pc.equal(table["yr"], year), pc.equal(table["mnth"], m)))
            return with_timestamps(rows)

        rows = month_rows(0)
        first = rows.filter(pc.less_equal(pc.day(rows["ts"]), 15))
        same = days_of(rows.filter(pc.greater(pc.day(rows["ts"]), 15)))
        later = month_rows(1)
        grown = days_of(later.filter(pc.greater(pc.day(later["ts"]), 15)))
        profile = baseline(first, folder, f"bike-{month}")

        def run(days: list[pa.Table], thresholds: str, p: DatasetProfile = profile) -> list:
            return [check_drift(p, d, timestamp_column="ts", thresholds=thresholds) for d in days]

        same_fixed, same_cal = run(same, "fixed"), run(same, "auto")
        grown_fixed, grown_cal = run(grown, "fixed"), run(grown, "auto")
        row = np.array([
            len(same),
            sum(r.drift_detected for r in same_fixed),
            sum(r.drift_detected for r in same_cal),
            sum(r.number_of_drifted_columns for r in same_fixed),
            sum(r.number_of_drifted_columns for r in same_cal),
            sum(r.column("registered").drift_detected for r in grown_fixed),
            sum(r.column("registered").drift_detected for r in grown_cal),
            sum(r.column("registered").drift_detected for r in same_cal),
        ])  # fmt: skip
        totals += row
        out.append(_bike_row(str(month), row, len(grown)))
        print(f"bike month {month} done", flush=True)
    out.append(_bike_row("**all**", totals, int(totals[0])))


def _bike_row(label: str, row: np.ndarray, grown_days: int) -> str:
    days, df, dc, af, ac, gf, gc, sc = (int(v) for v in row)
    cells = 11 * days
    return (
        f"| {label} | {days} | {df} | {dc} | {af} / {cells} | {ac} / {cells} | "
        f"{gf} / {grown_days} | {gc} / {grown_days} | {sc} / {days} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 seeds, 3 months")
    args = parser.parse_args()
    seeds, months = (3, [3, 6, 9]) if args.quick else (20, list(range(1, 13)))
    started = time.time()
    out = [
        "# Calibration benchmark (bench/calibration.py)\n",
        f"- python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__},"
        f" pyarrow {pa.__version__}, driftline {driftline.__version__}; run "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; machine: {platform.machine()}, "
        "2 shared cores (times say nothing about speed)",
        "- seeds: series k with coefficient phi uses "
        "`numpy.random.default_rng([k, round(100 * phi)])`",
        f"- command: `.venv/bin/python bench/calibration.py{' --quick' if args.quick else ''}`",
        "- path: `calibrate_baseline(profile, reference, '1d', timestamp_column='ts')`, then "
        "`check_drift(profile, window)` (profile mode, method `auto`) with "
        "`thresholds='fixed'` vs the stored calibration (quantile 0.95)",
    ]
    with tempfile.TemporaryDirectory() as folder:
        synthetic(seeds, out, Path(folder))
        bike(months, out, Path(folder))
    out.append(f"\nTotal run time: {time.time() - started:.0f} s.")
    target = HERE / "results" / ("calibration-quick.md" if args.quick else "calibration.md")
    target.write_text("\n".join(out) + "\n")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
