"""Glue of the data components: load_window, profile_baseline, profile_window,
validate_data, render_evidently_report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from driftline import component_io as io
from driftline.component_io import given
from driftline.errors import InputError


class WindowOutputs(NamedTuple):
    """load_window's returned outputs."""

    rows: int
    window_start: str
    window_end: str


class ProfileOutputs(NamedTuple):
    """profile_baseline's and profile_window's returned outputs."""

    rows: int


class ValidationOutputs(NamedTuple):
    """validate_data's returned outputs."""

    passed: bool


class EvidentlyOutputs(NamedTuple):
    """render_evidently_report's returned outputs."""

    current_rows_used: int


def load_window_outputs(
    window: Any,
    *,
    source_uri: str | None,
    timestamp_column: str,
    window_length: str,
    min_rows: int,
    timezone: str = "UTC",
    window_end: str | None = None,
    data_format: str | None = None,
    columns: Sequence[str] | None = None,
    capture_header: Sequence[str] | None = None,
) -> WindowOutputs:
    """Write the window [window_end - window_length, window_end) of the source as Parquet."""
    from driftline.io.export import export_window
    from driftline.io.sagemaker_capture import CaptureOptions

    source = given(source_uri)
    if source is None:
        raise InputError(
            "`source_uri` is empty: give the production data's path or URI", param="source_uri"
        )
    summary = export_window(
        source,
        window.path,
        timestamp_column=timestamp_column,
        window_end=given(window_end),
        window_length=window_length,
        timezone=timezone or "UTC",
        format=given(data_format),
        columns=given(columns),
        min_rows=min_rows,
        capture_options=CaptureOptions(features=tuple(given(capture_header) or ())),
    )
    window.metadata.update(summary.metadata())
    return WindowOutputs(summary.rows, summary.start.isoformat(), summary.end.isoformat())


def profile_baseline_outputs(
    dataset: Any,
    profile: Any,
    *,
    data_format: str | None = None,
    columns: Sequence[str] | None = None,
    kinds: Mapping[str, str] | None = None,
    recorded_profile: str | None = None,
    calibration_window: str | None = None,
    timestamp_column: str | None = None,
    calibration_method: str = "auto",
) -> ProfileOutputs:
    """Profile the baseline (or reuse the recorded profile) into the `profile` artifact;
    with `calibration_window`, a new profile also stores calibrated drift thresholds
    (`driftline.drift.baseline.calibrate_baseline`; `timestamp_column` orders the rows)."""
    from driftline.profile import DatasetProfile, write_profile

    finish = None
    window = given(calibration_window)
    if window:
        from driftline.drift.baseline import calibrate_baseline

        def finish(new: DatasetProfile) -> DatasetProfile:
            return calibrate_baseline(
                new,
                dataset.path,
                window,
                timestamp_column=given(timestamp_column),
                method=calibration_method or "auto",
                format=given(data_format),
            )

    result = write_profile(
        dataset.path,
        profile.path,
        format=given(data_format),
        columns=given(columns),
        kinds=given(kinds),
        recorded=given(recorded_profile),
        finish=finish,
    )
    profile.metadata.update(
        {
            io.KIND: "profile",
            io.SCHEMA_VERSION: result.schema_version,
            io.ROWS: result.row_count,
            io.SOURCE: dataset.uri,
            io.CALIBRATION_WINDOW: result.calibration.window if result.calibration else "",
        }
    )
    return ProfileOutputs(result.row_count)


def profile_window_outputs(
    window: Any,
    baseline_profile: Any,
    profile: Any,
    *,
    data_format: str | None = None,
    columns: Sequence[str] | None = None,
) -> ProfileOutputs:
    """Profile the window like the baseline into the `profile` artifact (one pass for
    validate_data and check_drift)."""
    from driftline.profile import write_window_profile

    result = write_window_profile(
        window.path,
        baseline_profile.path,
        profile.path,
        format=given(data_format),
        columns=given(columns),
    )
    profile.metadata.update(
        {
            io.KIND: "profile",
            io.SCHEMA_VERSION: result.schema_version,
            io.ROWS: result.row_count,
            io.SOURCE: window.uri,
        }
    )
    return ProfileOutputs(result.row_count)


def validate_data_outputs(
    window: Any,
    baseline_profile: Any,
    report: Any,
    report_html: Any,
    metrics: Any,
    *,
    constraints_path: str | None = None,
    data_format: str | None = None,
    columns: Sequence[str] | None = None,
    expected_rows: int = 0,
) -> ValidationOutputs:
    """Validate the window against the baseline profile; fill report, page and metrics.

    `expected_rows` 0 checks only that the window is not empty.
    """
    from driftline.report import ReportPaths
    from driftline.validation import run_validation

    result = run_validation(
        baseline_profile.path,
        window.path,
        ReportPaths(json=report.path, html=report_html.path),
        given(constraints_path),
        format=given(data_format),
        columns=given(columns),
        expected_rows=expected_rows,
    )
    counts = result.counts
    report.metadata.update(
        {
            io.KIND: "validation",
            io.STATUS: result.status,
            io.ERROR_COUNT: counts["error"],
            io.WARNING_COUNT: counts["warning"],
            io.ROWS: result.rows,
        }
    )
    metrics.log_metric(io.VALIDATION_ERRORS, counts["error"])
    metrics.log_metric(io.VALIDATION_WARNINGS, counts["warning"])
    metrics.log_metric(io.ROWS, result.rows)
    return ValidationOutputs(result.status != "fail")


def render_evidently_report_outputs(
    current: Any,
    reference: Any,
    report_html: Any,
    *,
    max_rows: int,
    columns: Sequence[str] | None = None,
    data_format: str | None = None,
) -> EvidentlyOutputs:
    """Evidently's DataDriftPreset page on bounded samples of both tables."""
    from driftline.drift.evidently_report import write_evidently_report

    sizes = write_evidently_report(
        reference.path,
        current.path,
        report_html.path,
        max_rows=max_rows,
        columns=given(columns),
        format=given(data_format),
    )
    report_html.metadata.update(
        {io.REFERENCE_ROWS_USED: sizes.reference_used, io.CURRENT_ROWS_USED: sizes.current_used}
    )
    return EvidentlyOutputs(sizes.current_used)
