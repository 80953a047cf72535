"""Report documents: atomic JSON + self-contained HTML."""

from driftline.report.files import to_json, write_atomic, write_report

__all__ = ["to_json", "write_atomic", "write_report"]
