"""Glue between KFP artifact objects and `run_drift`, without importing kfp.

Artifacts are duck-typed (`.path`, `.uri`, `.metadata`, `.log_metric`), so the library
stays free of kfp (components -> library).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from driftline.drift.options import ALL_COLUMNS
from driftline.drift.result import DriftResult
from driftline.drift.run import run_drift
from driftline.profile import is_profile_file
from driftline.report import ReportPaths


def _option(default: Any, overrides: Mapping[str, Any] | None) -> Any:
    """One value for every column, or a mapping of per-column overrides with its default."""
    if not overrides:
        return default
    return {**({ALL_COLUMNS: default} if default is not None else {}), **overrides}


def check_drift_artifacts(
    *,
    current: Any,
    reference: Any,
    report: Any,
    report_html: Any,
    metrics: Any,
    method: str = "auto",
    threshold: float = -1.0,
    method_overrides: Mapping[str, str] | None = None,
    threshold_overrides: Mapping[str, float] | None = None,
    columns: Sequence[str] | None = None,
    drift_share: float = 0.5,
    prediction_column: str = "",
    timestamp_column: str = "",
    data_format: str = "",
) -> DriftResult:
    """Run the drift check of the `check_drift` component and fill its output artifacts.

    `reference` is a profile (profile mode) when its file is a driftline profile, else a
    table (exact mode). A negative `threshold` means each method's default.
    """
    profile_mode = is_profile_file(reference.path)
    result = run_drift(
        current=current.path,
        out_dir=ReportPaths(json=report.path, html=report_html.path),
        reference=None if profile_mode else reference.path,
        reference_profile=reference.path if profile_mode else None,
        columns=list(columns) if columns else None,
        method=_option(None if method == "auto" else method, method_overrides) or "auto",
        threshold=_option(threshold if threshold >= 0 else None, threshold_overrides),
        drift_share=drift_share,
        prediction_column=prediction_column or None,
        timestamp_column=timestamp_column or None,
        format=data_format or None,
    )
    drifted = [c.name for c in result.columns if c.drift_detected]
    report.metadata.update(
        {
            "kind": "drift",
            "mode": result.mode,
            "drift_detected": result.drift_detected,
            "drift_share": result.drift_share,
            "drifted_columns": drifted,
        }
    )
    metrics.log_metric("drift_share", result.drift_share)
    metrics.log_metric("drifted_columns", len(drifted))
    for column in result.columns:
        if math.isfinite(column.score):
            metrics.log_metric(f"score_{column.name}", column.score)
    return result
