"""export_window cuts [end - length, end) out of a source and writes one Parquet file."""

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from driftline.errors import EmptyDataError, InputError
from driftline.io.export import export_window


@pytest.fixture
def hours(tmp_path: Path, bike_hour_csv: Path) -> Path:
    frame = pd.read_csv(bike_hour_csv)
    frame["ts"] = pd.to_datetime(frame["dteday"]).dt.tz_localize("UTC") + pd.to_timedelta(
        frame["hr"], unit="h"
    )
    path = tmp_path / "hours.parquet"
    frame.to_parquet(path)
    return path


def test_window_matches_pandas(hours: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "window.parquet"
    summary = export_window(
        str(hours),
        out,
        timestamp_column="ts",
        window_end="2012-03-01T00:00:00Z",
        window_length="7d",
    )
    frame = pd.read_parquet(hours)
    end = pd.Timestamp("2012-03-01", tz="UTC")
    expected = frame[(frame.ts >= end - pd.Timedelta(days=7)) & (frame.ts < end)]
    written = pq.read_table(out).to_pandas()
    assert summary.rows == len(expected) == len(written) > 0
    assert sorted(written["instant"]) == sorted(expected["instant"])
    assert summary.start == datetime(2012, 2, 23, tzinfo=UTC)
    assert summary.metadata()["window_end"] == "2012-03-01T00:00:00+00:00"


def test_projection(hours: Path, tmp_path: Path) -> None:
    out = tmp_path / "w.parquet"
    summary = export_window(
        str(hours), out, timestamp_column="ts", window_end="2012-03-01", columns=["ts", "temp"]
    )
    assert summary.columns == ("ts", "temp")
    assert pq.read_table(out).column_names == ["ts", "temp"]


def test_empty_window_writes_nothing(hours: Path, tmp_path: Path) -> None:
    out = tmp_path / "w.parquet"
    with pytest.raises(EmptyDataError, match=r"has 0 rows; at least 1 needed"):
        export_window(str(hours), out, timestamp_column="ts", window_end="2030-01-01")
    assert list(tmp_path.iterdir()) == [hours]


def test_bad_arguments(hours: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="timestamp_column"):
        export_window(str(hours), tmp_path / "w", timestamp_column="")
    with pytest.raises(InputError, match="window_length 'daily' is not a window"):
        export_window(str(hours), tmp_path / "w", timestamp_column="ts", window_length="daily")
    with pytest.raises(InputError, match="not a timestamp"):
        export_window(str(hours), tmp_path / "w", timestamp_column="ts", window_end="yesterday")


def test_unfilled_schedule_placeholder_means_now(hours: Path, tmp_path: Path) -> None:
    # Older KFP backends leave {{$.pipeline_job_schedule_time_utc}} as it is.
    with pytest.raises(EmptyDataError) as info:
        export_window(
            str(hours),
            tmp_path / "w.parquet",
            timestamp_column="ts",
            window_end="{{$.pipeline_job_schedule_time_utc}}",
        )
    assert str(datetime.now(UTC).year) in str(info.value)  # the window ended now, not in 2012
