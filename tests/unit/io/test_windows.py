"""Durations, window bounds and UTC normalisation of timestamp columns."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pandas as pd
import pyarrow as pa
import pytest

from driftline.errors import InputError
from driftline.io.windows import as_utc, parse_duration, to_utc, window_bounds, window_mask


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1h", timedelta(hours=1)),
        ("30m", timedelta(minutes=30)),
        ("1d", timedelta(days=1)),
        ("7d", timedelta(days=7)),
        ("2w", timedelta(weeks=2)),
        ("45s", timedelta(seconds=45)),
        ("1h30m", timedelta(minutes=90)),
        (" 2H ", timedelta(hours=2)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "1", "h", "1y", "1.5h", "-1h", "0h", "1h 30m", "PT1H"])
def test_bad_duration_lists_valid_forms(text: str) -> None:
    with pytest.raises(InputError, match=r"bad duration .*30m, 1h, 1d, 7d, 2w") as info:
        parse_duration(text)
    assert info.value.param == "duration"


def test_window_bounds_end_exclusive_and_utc() -> None:
    start, end = window_bounds("2024-03-10T12:00:00+02:00", "1d")
    assert end == datetime(2024, 3, 10, 10, tzinfo=UTC)
    assert start == datetime(2024, 3, 9, 10, tzinfo=UTC)
    naive_start, _ = window_bounds(datetime(2024, 1, 8), timedelta(weeks=1))
    assert naive_start == datetime(2024, 1, 1, tzinfo=UTC)


def test_as_utc_forms() -> None:
    assert as_utc("2024-01-31") == datetime(2024, 1, 31, tzinfo=UTC)
    assert as_utc("2024-01-31T13:45:00Z") == datetime(2024, 1, 31, 13, 45, tzinfo=UTC)
    assert as_utc(date(2024, 1, 31)) == datetime(2024, 1, 31, tzinfo=UTC)
    plus2 = timezone(timedelta(hours=2))
    assert as_utc(datetime(2024, 1, 1, 2, tzinfo=plus2)) == datetime(2024, 1, 1, tzinfo=UTC)
    with pytest.raises(InputError, match=r"end 'yesterday' is not a timestamp; expected ISO"):
        as_utc("yesterday", "end")


def _oracle(values: list[str | None]) -> list[pd.Timestamp | None]:
    """pandas parses each value on its own (naive -> UTC): an independent reference."""
    out: list[pd.Timestamp | None] = []
    for value in values:
        if value is None:
            out.append(None)
            continue
        stamp = pd.Timestamp(value)
        out.append(stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC"))
    return out


@pytest.mark.parametrize(
    "values",
    [
        ["2024-01-01T00:00:00Z", "2024-01-02T10:00:00+02:00", None],
        ["2024-01-01", "2024-01-01 10:00:00.123", "2024-01-01T10:00"],
        ["2024-01-01T00:00:00", "2024-01-02T10:00:00+02:00", "2024-01-03T01:00:00Z"],  # mixed
    ],
)
def test_to_utc_parses_iso_strings_like_pandas(values: list[str | None]) -> None:
    parsed = to_utc(pa.array(values, pa.string()), "ts").to_pylist()
    expected = _oracle(values)
    assert [p if p is None else pd.Timestamp(p) for p in parsed] == expected


def test_to_utc_names_the_bad_value() -> None:
    values = pa.array(["2024-01-01T00:00:00", "2024-01-02T00:00:00+01:00", "31/01/2024"])
    with pytest.raises(InputError, match=r"column 'ts' has value '31/01/2024'.*expected ISO 8601"):
        to_utc(values, "ts")


def test_to_utc_of_typed_columns() -> None:
    naive = pa.array([datetime(2024, 1, 1, 5)], pa.timestamp("s"))
    berlin = pa.array([datetime(2024, 1, 1, 5, tzinfo=UTC)], pa.timestamp("ms", tz="Europe/Berlin"))
    days = pa.array([date(2024, 1, 1)], pa.date32())
    assert to_utc(naive, "a").to_pylist() == [datetime(2024, 1, 1, 5, tzinfo=UTC)]
    assert to_utc(berlin, "b").to_pylist() == [datetime(2024, 1, 1, 5, tzinfo=UTC)]
    assert to_utc(days, "c").to_pylist() == [datetime(2024, 1, 1, tzinfo=UTC)]
    with pytest.raises(InputError, match=r"'n' has type int64; expected a timestamp, date"):
        to_utc(pa.array([1, 2]), "n")


def test_window_mask_half_open_nulls_false() -> None:
    values = pa.array(["2024-01-01T00:00:00", "2024-01-02T00:00:00", None, "2024-01-01T12:00Z"])
    start, end = datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 2, tzinfo=UTC)
    assert window_mask(values, "ts", start, end).to_pylist() == [True, False, False, True]
