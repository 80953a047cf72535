"""Calendar windows (issue 18): month ends, leap days, DST with a timezone, empty months.

pandas' calendar (Period, isocalendar, tz_convert) is the independent oracle.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from driftline.errors import InputError
from driftline.io.export import export_window
from driftline.io.periods import parse_periods
from driftline.performance import run_performance

EPOCH = pd.Timestamp("1970-01-01", tz="UTC")


def _micros(stamps: pd.DatetimeIndex) -> np.ndarray:
    return ((stamps - EPOCH) // pd.Timedelta(microseconds=1)).to_numpy(np.int64)


# every 37 minutes over 2023-2024 (a leap year, two DST changes a year in Europe and the US)
STAMPS = pd.date_range("2023-01-01", "2025-01-02", freq="37min", tz="UTC")


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"])
@pytest.mark.parametrize(
    ("window", "freq"), [("1mo", "M"), ("3mo", "Q"), ("1q", "Q"), ("1y", "Y"), ("1d", "D")]
)
def test_instants_fall_in_the_calendar_period_pandas_gives(
    zone: str, window: str, freq: str
) -> None:
    periods = parse_periods(window, zone)
    index = periods.index(_micros(STAMPS))
    local = STAMPS.tz_convert(zone)
    expected = local.tz_localize(None).to_period(freq)
    # one window index per pandas period, in order, and each window's bounds hold its rows
    assert len(np.unique(index)) == len(expected.unique())
    for i in np.unique(index)[:: max(1, len(np.unique(index)) // 40)]:
        start, end = periods.bounds(int(i))
        rows = local[index == i]
        assert rows.min() >= start and rows.max() < end
        period = expected[index == i][0]
        assert start == period.start_time.tz_localize(zone)
        assert end == (period + 1).start_time.tz_localize(zone)


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/New_York"])
def test_iso_weeks_start_on_monday(zone: str) -> None:
    periods = parse_periods("1w", zone)
    index = periods.index(_micros(STAMPS))
    local = STAMPS.tz_convert(zone)
    iso = local.isocalendar()
    keys = iso["year"].to_numpy() * 100 + iso["week"].to_numpy()
    for i in np.unique(index):
        assert len(np.unique(keys[index == i])) == 1  # one ISO week per window
        start, end = periods.bounds(int(i))
        local_start = start.astimezone(ZoneInfo(zone))
        assert local_start.weekday() == 0 and local_start.hour == 0
        assert timedelta(days=7, hours=-1) <= end - start <= timedelta(days=7, hours=1)


def test_dst_days_in_berlin_last_23_and_25_hours() -> None:
    periods = parse_periods("1d", "Europe/Berlin")
    spring = periods.index(_micros(pd.DatetimeIndex([pd.Timestamp("2024-03-31T12:00Z")])))[0]
    autumn = periods.index(_micros(pd.DatetimeIndex([pd.Timestamp("2024-10-27T12:00Z")])))[0]
    start, end = periods.bounds(int(spring))
    assert (end - start, periods.iso(start)) == (timedelta(hours=23), "2024-03-31T00:00:00+01:00")
    start, end = periods.bounds(int(autumn))
    assert (end - start, periods.iso(end)) == (timedelta(hours=25), "2024-10-28T00:00:00+01:00")
    # 23:30 UTC on March 30 is already March 31 in Berlin
    late = periods.index(_micros(pd.DatetimeIndex([pd.Timestamp("2024-03-30T23:30Z")])))[0]
    assert late == spring


def test_leap_day_and_month_ends() -> None:
    periods = parse_periods("1mo")
    feb = periods.index(_micros(pd.DatetimeIndex([pd.Timestamp("2024-02-29T23:59:59.999999Z")])))
    start, end = periods.bounds(int(feb[0]))
    assert (start, end) == (datetime(2024, 2, 1, tzinfo=UTC), datetime(2024, 3, 1, tzinfo=UTC))
    days = parse_periods("1d")
    leap = days.index(_micros(pd.DatetimeIndex([pd.Timestamp("2024-02-29T12:00Z")])))
    assert days.bounds(int(leap[0]))[0] == datetime(2024, 2, 29, tzinfo=UTC)
    assert parse_periods("1y").bounds(54) == (
        datetime(2024, 1, 1, tzinfo=UTC),
        datetime(2025, 1, 1, tzinfo=UTC),
    )


def test_fixed_durations_keep_their_epoch_alignment() -> None:
    periods = parse_periods("1h30m", "Europe/Berlin")
    assert not periods.calendar
    index = periods.index(np.array([0, 5_400_000_000, 5_399_999_999]))
    assert index.tolist() == [0, 1, 0]
    assert periods.iso(periods.start(1)) == "1970-01-01T01:30:00Z"


def test_monitoring_window_is_the_last_complete_period() -> None:
    month = parse_periods("1mo", "Europe/Berlin")
    start, end = month.last_complete(datetime(2024, 3, 1, 5, tzinfo=UTC))
    assert (month.iso(start), month.iso(end)) == (
        "2024-02-01T00:00:00+01:00",
        "2024-03-01T00:00:00+01:00",
    )
    # a run scheduled exactly at a period's end checks that period
    start, end = parse_periods("1q").last_complete(datetime(2024, 4, 1, tzinfo=UTC))
    assert (start, end) == (datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 4, 1, tzinfo=UTC))
    # n units: the last n complete ones (7 days, 2 quarters), whatever the epoch alignment
    start, end = parse_periods("7d").last_complete(datetime(2012, 7, 1, 9, tzinfo=UTC))
    assert (start, end) == (datetime(2012, 6, 24, tzinfo=UTC), datetime(2012, 7, 1, tzinfo=UTC))
    start, end = parse_periods("2q").last_complete(datetime(2024, 8, 1, tzinfo=UTC))
    assert (start, end) == (datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 7, 1, tzinfo=UTC))
    start, end = parse_periods("1h").last_complete(datetime(2024, 4, 1, 10, 15, tzinfo=UTC))
    assert (start, end) == (
        datetime(2024, 4, 1, 9, 15, tzinfo=UTC),
        datetime(2024, 4, 1, 10, 15, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("window", "zone", "message"),
    [
        ("0mo", None, "is not a window"),
        ("1month", None, "is not a window"),
        ("1mo", "Mars/Olympus", "timezone 'Mars/Olympus' is not an IANA timezone"),
    ],
)
def test_bad_windows_and_zones(window: str, zone: str | None, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_periods(window, zone)


def _monthly_predictions() -> pd.DataFrame:
    """Hourly predictions from 2024-01-15 to 2024-05-15 Berlin time, none in March."""
    stamps = pd.date_range("2024-01-15", "2024-05-15", freq="h", tz="Europe/Berlin")
    stamps = stamps[stamps.month != 3]
    rng = np.random.default_rng(1)
    label = rng.integers(0, 2, len(stamps))
    return pd.DataFrame(
        {
            "id": np.arange(len(stamps)),
            "timestamp": stamps.tz_convert("UTC"),
            "prediction": np.where(rng.random(len(stamps)) < 0.8, label, 1 - label),
            "label": label,
        }
    )


def test_performance_by_month_in_a_timezone_skips_the_empty_month(tmp_path: Path) -> None:
    frame = _monthly_predictions()
    result = run_performance(
        pd_table(frame), None, tmp_path, window="1mo", timezone="Europe/Berlin", min_labelled_rows=1
    )
    windows = result.document["windows"]
    assert [w["start"] for w in windows] == [
        "2024-01-01T00:00:00+01:00",
        "2024-02-01T00:00:00+01:00",
        "2024-04-01T00:00:00+02:00",  # March is empty: not reported; April starts in DST
        "2024-05-01T00:00:00+02:00",
    ]
    assert windows[1]["end"] == "2024-03-01T00:00:00+01:00"  # leap February
    local = frame["timestamp"].dt.tz_convert("Europe/Berlin")
    for window in windows:
        start, end = pd.Timestamp(window["start"]), pd.Timestamp(window["end"])
        rows = frame[(local >= start) & (local < end)]
        assert window["rows"] == len(rows)
        assert window["metrics"]["accuracy"] == pytest.approx(
            float((rows["prediction"] == rows["label"]).mean())
        )
    assert result.document["timezone"] == "Europe/Berlin"


def test_monitoring_and_performance_windows_agree(tmp_path: Path) -> None:
    """The same rules: the monthly monitoring window holds exactly the rows of the
    performance window of that month."""
    frame = _monthly_predictions()
    source = tmp_path / "log.parquet"
    frame.to_parquet(source)
    summary = export_window(
        str(source),
        tmp_path / "window.parquet",
        timestamp_column="timestamp",
        window_end="2024-05-01T03:00:00Z",
        window_length="1mo",
        timezone="Europe/Berlin",
    )
    report = run_performance(
        str(source), None, tmp_path / "perf", window="1mo", timezone="Europe/Berlin"
    )
    april = next(w for w in report.document["windows"] if w["start"].startswith("2024-04"))
    assert summary.rows == april["rows"]
    assert summary.start == pd.Timestamp(april["start"]) and summary.end == pd.Timestamp(
        april["end"]
    )


def pd_table(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame, preserve_index=False)
