"""run_drift: read the data, check drift, write drift_report.json + drift_report.html."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from driftline.drift.engine import check_drift
from driftline.drift.html import render_drift_html
from driftline.drift.result import DriftResult
from driftline.errors import InputError
from driftline.io import iter_batches, open_dataset, read_table
from driftline.report import write_report

REPORT_STEM = "drift_report"


def run_drift(
    *,
    current: str,
    out_dir: str | Path,
    reference: str | None = None,
    reference_profile: str | None = None,
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
) -> DriftResult:
    """Check the `current` window against `reference` data (exact mode) or a
    `reference_profile` JSON (profile mode, current streamed) and write the report.

    The time window [start, end) on `timestamp_column` filters the current data; the
    timestamp column itself is not checked. Nothing is written if any input is bad.
    """
    if (reference is None) == (reference_profile is None):
        raise InputError(
            "give exactly one of reference (data) and reference_profile (profile.json)",
            param="reference",
        )
    if reference_profile is not None:
        from driftline.profile import DatasetProfile

        profile = DatasetProfile.load(reference_profile)
        names = _columns(columns, list(profile.columns), timestamp_column, prediction_column)
        batches = iter_batches(
            current,
            format=format,
            columns=names,
            timestamp_column=timestamp_column,
            start=start,
            end=end,
        )
        result = check_drift(
            profile,
            batches,
            columns=columns,
            exclude=[timestamp_column] if timestamp_column else [],
            kinds=kinds,
            method=method,
            threshold=threshold,
            drift_share=drift_share,
            prediction_column=prediction_column,
        )
    else:
        assert reference is not None
        ref_names = open_dataset(reference, reference_format or format).schema.names
        names = _columns(columns, ref_names, timestamp_column, prediction_column)
        reference_table = read_table(reference, format=reference_format or format, columns=names)
        current_table = read_table(
            current,
            format=format,
            columns=names,
            timestamp_column=timestamp_column,
            start=start,
            end=end,
        )
        result = check_drift(
            reference_table,
            current_table,
            columns=columns,
            exclude=[timestamp_column] if timestamp_column else [],
            kinds=kinds,
            method=method,
            threshold=threshold,
            drift_share=drift_share,
            prediction_column=prediction_column,
        )
    write_report(out_dir, REPORT_STEM, result.to_dict(), render_drift_html(result))
    return result


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
