"""Report documents: typed classes with one `load` and one `dump`, written atomically as
JSON + a self-contained HTML page. This package is the only code that parses a report."""

from __future__ import annotations

from pathlib import Path

from driftline.errors import InputError
from driftline.report.base import Report, check_version
from driftline.report.drift import ColumnDrift, DriftReport
from driftline.report.files import ReportPaths, to_json, write_report
from driftline.report.performance import CurrentPerformance, PerformanceReport, PerformanceWindow
from driftline.report.source import read_document
from driftline.report.validation import ValidationReport, Violation

REPORT_CLASSES: dict[str, type[Report]] = {
    cls.KIND: cls for cls in (ValidationReport, DriftReport, PerformanceReport)
}
AnyReport = ValidationReport | DriftReport | PerformanceReport


def load_report(source: str | Path) -> AnyReport:
    """Read a report of any kind (the document's `kind` picks the class); a folder must hold
    exactly one JSON file."""
    document, where = read_document(source)
    kind = document.get("kind") if isinstance(document, dict) else None
    if kind not in REPORT_CLASSES:
        raise InputError(
            f"{where} has kind {kind!r}; valid report kinds: {', '.join(REPORT_CLASSES)}",
            param="report",
        )
    report: AnyReport = REPORT_CLASSES[kind].from_document(document, where)  # type: ignore[assignment]
    return report


__all__ = [
    "REPORT_CLASSES",
    "AnyReport",
    "ColumnDrift",
    "CurrentPerformance",
    "DriftReport",
    "PerformanceReport",
    "PerformanceWindow",
    "Report",
    "ReportPaths",
    "ValidationReport",
    "Violation",
    "check_version",
    "load_report",
    "read_document",
    "to_json",
    "write_report",
]
