"""The self-contained HTML page of a validation report."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from driftline.report import html
from driftline.validation.checks import ValidationResult

_STATUS_CLASS = {"ok": "ok", "warning": "warn", "fail": "bad"}
_SEVERITY_CLASS = {"error": "bad", "warning": "warn"}


def render_validation_html(result: ValidationResult, title: str = "Data validation") -> str:
    """A page with the status, counts and one row per violation."""
    counts = result.counts
    summary = html.cards(
        [
            ("status", result.status, _STATUS_CLASS[result.status]),
            ("rows", f"{result.rows:,}", ""),
            ("errors", str(counts["error"]), "bad" if counts["error"] else "ok"),
            ("warnings", str(counts["warning"]), "warn" if counts["warning"] else "ok"),
            ("columns checked", str(len(result.checked_columns)), ""),
        ]
    )
    if result.violations:
        rows = [
            [
                f"<span class='{_SEVERITY_CLASS[v.severity]}'>{escape(v.severity)}</span>",
                escape(v.column or "(dataset)"),
                escape(v.check),
                escape(v.message),
                f"<code>{escape(_short(v.observed))}</code>",
                f"<code>{escape(_short(v.expected))}</code>",
            ]
            for v in sorted(
                result.violations, key=lambda v: (v.severity != "error", v.column or "")
            )
        ]
        body = html.table(["severity", "column", "check", "message", "observed", "expected"], rows)
    else:
        body = "<p class='ok'>Every check passed.</p>"
    subtitle = f"{result.rows:,} rows; status {result.status}"
    return html.page(title, subtitle, summary + "<h2>Violations</h2>" + body)


def _short(value: Any, limit: int = 200) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"
