"""Report documents: atomic JSON + self-contained HTML."""

from driftline.report.files import ReportPaths, to_json, write_atomic, write_report

__all__ = ["ReportPaths", "to_json", "write_atomic", "write_report"]
