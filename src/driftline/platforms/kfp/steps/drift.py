"""Glue of the check_drift component: KFP artifact objects to `run_drift` and back.

Artifacts are duck-typed (`.path`, `.uri`, `.metadata`, `.log_metric`), so the library
stays free of kfp (components -> library).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from driftline import component_io as io
from driftline.component_io import given
from driftline.drift.options import ALL_COLUMNS
from driftline.drift.run import run_drift
from driftline.profile import read_profile_if_any
from driftline.report import ReportPaths


class DriftOutputs(NamedTuple):
    """The check_drift component's returned outputs."""

    drift_detected: bool
    drift_share: float


def _option(default: Any, overrides: Mapping[str, Any] | None) -> Any:
    """One value for every column, or a mapping of per-column overrides with its default."""
    if not overrides:
        return default
    return {**({ALL_COLUMNS: default} if default is not None else {}), **overrides}


def check_drift_outputs(
    *,
    current: Any,
    reference: Any,
    report: Any,
    report_html: Any,
    metrics: Any,
    method: str = "auto",
    threshold: float | None = None,
    method_overrides: Mapping[str, str] | None = None,
    threshold_overrides: Mapping[str, float] | None = None,
    columns: Sequence[str] | None = None,
    drift_share: float = 0.5,
    prediction_column: str | None = None,
    timestamp_column: str | None = None,
    data_format: str | None = None,
    thresholds: str = "auto",
    threshold_quantile: float = 0.95,
    calibration_window: str | None = None,
    multivariate: str | Sequence[str] | None = None,
    reference_rows: str | None = None,
    current_rows: str | None = None,
) -> DriftOutputs:
    """Run the drift check of the `check_drift` component and fill its output artifacts.

    `reference` is a profile (profile mode) when its file is a driftline profile, else a
    table (exact mode); it is read and parsed once. `current` is the window table or its
    profile from `profile_window`. An unset `threshold` (None, or 0 from a pipeline) means each
    method's default. `multivariate` methods read the rows of `reference` and `current`
    when they are tables, else of the tables at `reference_rows` and `current_rows` (URIs:
    an unset optional input artifact does not run in KFP 2.13's local runner).
    """
    profile = read_profile_if_any(reference.path)
    result = run_drift(
        current=current.path,
        out_dir=ReportPaths(json=report.path, html=report_html.path),
        reference=reference.path if profile is None else None,
        reference_profile=profile,
        columns=given(columns),
        method=_option(None if method == "auto" else method, given(method_overrides)) or "auto",
        threshold=_option(io.given_number(threshold), given(threshold_overrides)),
        drift_share=drift_share,
        prediction_column=given(prediction_column),
        timestamp_column=given(timestamp_column),
        format=given(data_format),
        thresholds=thresholds or "auto",
        threshold_quantile=threshold_quantile,
        calibration_window=given(calibration_window),
        multivariate=given(multivariate),
        reference_rows=given(reference_rows),
        current_rows=given(current_rows),
    )
    drifted = [c.name for c in result.columns if c.drift_detected]
    report.metadata.update(
        {
            io.KIND: "drift",
            io.MODE: result.mode,
            io.DRIFT_DETECTED: result.drift_detected,
            io.DRIFT_SHARE: result.drift_share,
            io.DRIFTED_COLUMNS: drifted,
            io.THRESHOLDS: result.thresholds,
            **(
                {
                    io.MULTIVARIATE_DRIFTED: [
                        m.method for m in result.multivariate if m.drift_detected
                    ]
                }
                if result.multivariate
                else {}
            ),
        }
    )
    metrics.log_metric(io.DRIFT_SHARE, result.drift_share)
    metrics.log_metric(io.DRIFTED_COLUMN_COUNT, len(drifted))
    for column in result.columns:
        if math.isfinite(column.score):
            metrics.log_metric(f"{io.SCORE_PREFIX}{column.name}", column.score)
    for found in result.multivariate:
        if math.isfinite(found.score):
            metrics.log_metric(f"{io.MULTIVARIATE_SCORE_PREFIX}{found.method}", found.score)
    return DriftOutputs(result.drift_detected, result.drift_share)
