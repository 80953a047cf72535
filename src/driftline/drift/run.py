"""run_drift: read the data, check drift, write drift_report.json + drift_report.html."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from driftline.drift.calibration import AUTO as AUTO_THRESHOLDS
from driftline.drift.calibration import (
    CALIBRATED,
    DEFAULT_QUANTILE,
    FIXED,
    apply_calibration,
    calibrate_exact,
    check_quantile,
    check_thresholds,
    explicit_thresholds,
    ordering_column,
    window_text,
)
from driftline.drift.engine import check_drift
from driftline.drift.exact import check_exact
from driftline.drift.html import render_drift_html
from driftline.drift.multivariate import (
    DEFAULT_MAX_ROWS,
    parse_multivariate,
    refuse_in_profile_mode,
    sample_rows,
    with_multivariate,
)
from driftline.drift.profile_mode import categorical_columns
from driftline.drift.result import DriftResult
from driftline.drift.selection import only
from driftline.errors import InputError
from driftline.io import detect_format, iter_batches, open_dataset, read_table
from driftline.profile.builder import PROFILE_BATCH_ROWS
from driftline.report import ReportPaths

if TYPE_CHECKING:
    from driftline.profile import DatasetProfile

# Columns read (and checked) per task: one column of a long table, several of a wide one, so
# that opening the file (parsing its footer) is not paid per column. About 2M values a side.
VALUES_PER_READ = 2_000_000


def run_drift(
    *,
    current: str,
    out_dir: str | Path | ReportPaths,
    reference: str | None = None,
    reference_profile: str | DatasetProfile | None = None,
    columns: Sequence[str] | None = None,
    kinds: Mapping[str, str] | None = None,
    method: str | Mapping[str, str] = "auto",
    threshold: float | Mapping[str, float] | None = None,
    drift_share: float = 0.5,
    prediction_column: str | None = None,
    timestamp_column: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    format: str | None = None,
    reference_format: str | None = None,
    thresholds: str = AUTO_THRESHOLDS,
    threshold_quantile: float = DEFAULT_QUANTILE,
    calibration_window: str | None = None,
    multivariate: str | Sequence[str] | None = None,
    reference_rows: str | None = None,
    current_rows: str | None = None,
) -> DriftResult:
    """Check the `current` window against `reference` data (exact mode) or a
    `reference_profile` (profile mode: its JSON path or the loaded profile; current
    streamed, or `current` is the window's profile JSON from `profile_window`) and write
    the report.

    The time window [start, end) on `timestamp_column` filters the current data; the
    timestamp column itself is not checked. Nothing is written if any input is bad.
    `thresholds`, `threshold_quantile`, `calibration_window` as in `check_drift`; in exact
    mode the calibration window defaults to [start, end)'s length when both are given.
    `multivariate` names dataset-level methods ("classifier", "pca") run on the checked
    columns less the prediction. They need rows: exact mode has them; in profile mode they
    read `reference_rows` (the reference data) and the current data (`current`, or
    `current_rows` when `current` is a window profile), sampled as
    `driftline.drift.multivariate` states.
    """
    check_thresholds(thresholds)
    check_quantile(threshold_quantile)
    methods = parse_multivariate(multivariate)
    if reference_profile is not None and calibration_window is not None:
        raise InputError(
            "`calibration_window` calibrates on reference data (exact mode); a reference "
            "profile stores its calibration when it is built (profile --calibration-window)",
            param="calibration_window",
        )
    if (reference is None) == (reference_profile is None):
        raise InputError(
            "give exactly one of `reference` (data) and `reference_profile` (profile.json)",
            param="reference",
        )
    if reference_profile is not None:
        from driftline.profile import DatasetProfile, read_profile_if_any

        window = read_profile_if_any(current)
        rows: tuple[str | None, str | None] = (
            reference_rows,
            current if window is None else current_rows,
        )
        if methods and None in rows:
            refuse_in_profile_mode(methods)
        profile = (
            reference_profile
            if isinstance(reference_profile, DatasetProfile)
            else DatasetProfile.load(reference_profile)
        )
        names = _columns(columns, list(profile.columns), timestamp_column, prediction_column)
        result = check_drift(
            profile,
            window
            if window is not None
            else iter_batches(
                current,
                format=format,
                columns=names,
                timestamp_column=timestamp_column,
                start=start,
                end=end,
                read_dictionary=categorical_columns(profile, names),
                batch_rows=PROFILE_BATCH_ROWS,
            ),
            columns=columns,
            exclude=[timestamp_column] if timestamp_column else [],
            kinds=kinds,
            method=method,
            threshold=threshold,
            drift_share=drift_share,
            prediction_column=prediction_column,
            thresholds=thresholds,
            threshold_quantile=threshold_quantile,
        )
    else:
        assert reference is not None
        rows = (reference, current)
        result = _check_exact(
            reference,
            current,
            reference_format=reference_format or format,
            format=format,
            columns=columns,
            kinds=kinds,
            method=method,
            threshold=threshold,
            drift_share=drift_share,
            prediction_column=prediction_column,
            timestamp_column=timestamp_column,
            start=start,
            end=end,
        )
        if thresholds == CALIBRATED:
            result = _calibrated(
                result,
                reference,
                reference_format=reference_format or format,
                kinds=kinds,
                method=method,
                threshold=threshold,
                quantile=threshold_quantile,
                window=calibration_window or window_text(start, end) or str(result.current_rows),
                timestamp_column=timestamp_column,
            )
    if methods:
        ref_source, cur_source = rows
        assert ref_source is not None and cur_source is not None  # else refused above
        names = [c.name for c in result.columns if c.name != prediction_column]
        # Each side is sampled as soon as it is read, so only one side is ever whole in memory.
        ref_table = sample_rows(
            read_table(ref_source, format=reference_format or format, columns=names),
            "reference",
            DEFAULT_MAX_ROWS,
            seed=0,
        )
        cur_table = sample_rows(
            read_table(
                cur_source,
                format=format,
                columns=names,
                timestamp_column=timestamp_column,
                start=start,
                end=end,
            ),
            "current",
            DEFAULT_MAX_ROWS,
            seed=0,
        )
        result = with_multivariate(result, ref_table, cur_table, methods)
    result.dump(out_dir, html=render_drift_html(result))
    return result


def _calibrated(
    result: DriftResult,
    reference: str,
    *,
    reference_format: str | None,
    kinds: Mapping[str, str] | None,
    method: str | Mapping[str, str],
    threshold: float | Mapping[str, float] | None,
    quantile: float,
    window: str,
    timestamp_column: str | None,
) -> DriftResult:
    """`result` judged against thresholds calibrated on the reference, read whole (the
    checked columns and the timestamp)."""
    names = [c.name for c in result.columns]
    available = open_dataset(reference, reference_format).schema.names
    order = ordering_column(available, timestamp_column, window)
    table = read_table(
        reference, format=reference_format, columns=names + ([order] if order else [])
    )

    def check(rest: pa.Table, chunk: pa.Table) -> DriftResult:
        return check_drift(
            rest,
            chunk,
            columns=names,
            kinds=only(kinds, names),
            method=method,
            thresholds=FIXED,
        )

    calibration = calibrate_exact(table, window, check, order)
    return apply_calibration(result, calibration, quantile, explicit_thresholds(threshold, names))


def _columns(
    columns: Sequence[str] | None,
    available: list[str],
    timestamp_column: str | None,
    prediction_column: str | None,
) -> list[str] | None:
    if columns is not None:
        chosen = list(columns)
        if prediction_column is not None and prediction_column not in chosen:
            chosen.append(prediction_column)
        return chosen
    return [c for c in available if c != timestamp_column]


def _check_exact(
    reference: str,
    current: str,
    *,
    reference_format: str | None,
    format: str | None,
    columns: Sequence[str] | None,
    kinds: Mapping[str, str] | None,
    method: str | Mapping[str, str],
    threshold: float | Mapping[str, float] | None,
    drift_share: float,
    prediction_column: str | None,
    timestamp_column: str | None,
    start: datetime | None,
    end: datetime | None,
) -> DriftResult:
    """Exact mode on files, a few columns per read: Parquet projects columns cheaply, so a
    read holds about `VALUES_PER_READ` values a side; other formats are read once."""
    current_dataset = open_dataset(current, format)
    per_read = None
    if detect_format(current, format) == "parquet":
        per_read = max(VALUES_PER_READ // max(current_dataset.count_rows(), 1), 1)

    def read(group: Sequence[str]) -> tuple[pa.Table, pa.Table]:
        # String columns come as Parquet's dictionaries: exact mode codes the categories of
        # the dictionaries, and never decodes the strings.
        ref = read_table(
            reference, format=reference_format, columns=list(group), read_dictionary=group
        )
        cur = read_table(
            current,
            format=format,
            columns=list(group),
            timestamp_column=timestamp_column,
            start=start,
            end=end,
            read_dictionary=group,
        )
        return ref, cur

    return check_exact(
        open_dataset(reference, reference_format).schema,
        current_dataset.schema,
        read,
        columns_per_read=per_read,
        columns=columns,
        kinds=kinds,
        method=method,
        threshold=threshold,
        drift_share=drift_share,
        prediction_column=prediction_column,
        exclude=[timestamp_column] if timestamp_column else [],
    )
