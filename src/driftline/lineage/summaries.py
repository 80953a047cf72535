"""Headline numbers of reports and profiles, as the lineage store records them."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from driftline.errors import DataSourceError, InputError
from driftline.report import (
    REPORT_CLASSES,
    AnyReport,
    DriftReport,
    PerformanceReport,
    ValidationReport,
    load_report,
    read_document,
)

KINDS = (*REPORT_CLASSES, "profile")


@dataclass(frozen=True)
class ReportSummary:
    """One report (or baseline profile): its `kind`, where it lives and its headline numbers.

    `report` is the typed report (None for a profile). `custom` holds numbers recorded as
    custom (undeclared) properties, such as each multivariate drift method's verdict.
    """

    kind: str
    path: str
    uri: str
    headline: dict[str, Any]
    report: AnyReport | None = None
    custom: dict[str, Any] = field(default_factory=dict)


def summarize_report(path: str, uri: str | None = None) -> ReportSummary:
    """Load a report of any kind (a file, or a folder holding one) and summarize it."""
    report = load_report(path)
    return ReportSummary(
        report.KIND,
        path,
        uri or _absolute(path),
        headline_of(report),
        report=report,
        custom=custom_of(report),
    )


def summarize_profile(profile: Mapping[str, Any] | str, uri: str | None = None) -> ReportSummary:
    """Summarize a baseline profile: a profile document, or the path of its JSON (or folder)."""
    if isinstance(profile, str):
        document, where = read_document(profile, "profile")
    else:
        document, where = profile, uri or "profile document"
    if not isinstance(document, Mapping) or document.get("kind") != "profile":
        found = document.get("kind") if isinstance(document, Mapping) else None
        raise InputError(f"{where} is a {found!r} document, not a profile", param="profile")
    rows, columns = document.get("row_count"), document.get("columns")
    if isinstance(rows, bool) or not isinstance(rows, int) or not isinstance(columns, list | dict):
        raise DataSourceError(
            f"profile {where} lacks a whole row_count and a columns list", param="profile"
        )
    calibration = document.get("calibration")
    window = calibration.get("window", "") if isinstance(calibration, Mapping) else ""
    headline = {"row_count": rows, "column_count": len(columns), "calibration_window": window}
    return ReportSummary("profile", where, uri or _absolute(where), headline)


def headline_of(report: AnyReport) -> dict[str, Any]:
    """The numbers the lineage store records as the report's properties."""
    if isinstance(report, DriftReport):
        return {
            "drift_detected": report.drift_detected,
            "drift_share": report.drift_share,
            "drifted_columns": report.number_of_drifted_columns,
            "number_of_columns": report.number_of_columns,
            "mode": report.mode,
            "thresholds": report.thresholds,
        }
    if isinstance(report, ValidationReport):
        return {
            "status": report.status,
            "rows": report.rows,
            "errors": report.counts["error"],
            "warnings": report.counts["warning"],
        }
    return _performance(report)


def custom_of(report: AnyReport) -> dict[str, Any]:
    """Numbers a lineage store records as custom properties: for a drift report, each
    multivariate method's `multivariate_<method>_{drift_detected,score,threshold,p_value,
    top_features}` (top features comma-separated, the strongest first)."""
    found: dict[str, Any] = {}
    if isinstance(report, DriftReport):
        for m in report.multivariate:
            prefix = f"multivariate_{m.method}_"
            found |= {
                f"{prefix}drift_detected": m.drift_detected,
                f"{prefix}score": m.score,
                f"{prefix}threshold": m.threshold,
                f"{prefix}p_value": m.p_value,
                f"{prefix}top_features": ",".join(m.top_features),
            }
    return found


def _performance(report: PerformanceReport) -> dict[str, Any]:
    windows, current = report.windows, report.current
    return {
        "task_type": report.task,
        "degraded": report.degraded,
        "estimated_degraded": report.estimated_degraded,
        "windows": len(windows),
        "window_start": windows[0].start if windows else "",
        "window_end": windows[-1].end if windows else "",
        "metrics": current.metrics if current else {},
        "current_window_start": current.start if current else "",
        "current_window_end": current.end if current else "",
    }


def _absolute(path: str) -> str:
    return path if "://" in path else os.path.abspath(path)
