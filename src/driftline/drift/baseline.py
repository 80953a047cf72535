"""A baseline profile with calibrated thresholds: the profile plus each column's null
distribution of profile mode's drift score (`driftline.drift.calibration`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from driftline.drift.calibration import FIXED, calibrate_profile, ordering_column
from driftline.drift.engine import check_drift
from driftline.drift.result import DriftResult
from driftline.io import open_dataset, read_table
from driftline.profile import DatasetProfile


def calibrate_baseline(
    profile: DatasetProfile,
    source: str,
    window: str,
    *,
    timestamp_column: str | None = None,
    method: str | Mapping[str, str] = "auto",
    format: str | None = None,
) -> DatasetProfile:
    """`profile` (of the table `source`) with the calibration of profile mode's checks with
    `method`, on chunks of `window` (see `reference_chunks`). Reads `source` whole: the
    profiled columns and the timestamp."""
    order = ordering_column(open_dataset(source, format).schema.names, timestamp_column, window)
    wanted = list(profile.columns)
    if order is not None and order not in wanted:
        wanted.append(order)
    table = read_table(source, format=format, columns=wanted)
    exclude = [timestamp_column] if timestamp_column else []

    def check(rest: DatasetProfile, chunk: DatasetProfile) -> DriftResult:
        return check_drift(rest, chunk, method=method, exclude=exclude, thresholds=FIXED)

    calibration = calibrate_profile(profile, table, window, check, order)
    return replace(profile, calibration=calibration)
