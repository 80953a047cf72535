"""The self-contained HTML page of a validation report."""

from __future__ import annotations

from html import escape
from typing import Any

from driftline.report import charts, html
from driftline.validation.checks import ValidationResult

_STATUS_CLASS = {"ok": "ok", "warning": "warn", "fail": "bad"}
_SEVERITY_CLASS = {"error": "bad", "warning": "warn"}
_MAX_ITEMS = 10
DATASET = "(dataset)"


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
    body = _grouped(result) if result.violations else "<p class='ok'>Every check passed.</p>"
    subtitle = f"{result.rows:,} rows; status {result.status}"
    return html.page(title, subtitle, summary + "<h2>Violations</h2>" + body)


def _grouped(result: ValidationResult) -> str:
    """A chart of violations per column, then one table per column (dataset checks first),
    errors before warnings."""
    groups: dict[str, list[Any]] = {}
    for v in sorted(result.violations, key=lambda v: (v.column is not None, v.column or "")):
        groups.setdefault(v.column or DATASET, []).append(v)
    counts = {
        name: (
            sum(v.severity == "error" for v in items),
            sum(v.severity == "warning" for v in items),
        )
        for name, items in groups.items()
    }
    parts = [charts.violation_bars(counts)]
    for name, items in groups.items():
        rows = [
            [
                f"<span class='{_SEVERITY_CLASS[v.severity]}'>{escape(v.severity)}</span>",
                escape(v.check),
                escape(v.message),
                escape(cell(v.observed)),
                escape(cell(v.expected)),
            ]
            for v in sorted(items, key=lambda v: v.severity != "error")
        ]
        parts.append(
            f"<h3>{escape(name)} <span class='meta'>{len(items)} violation"
            f"{'s' if len(items) != 1 else ''}</span></h3>"
            + html.table(["severity", "check", "message", "observed", "expected"], rows)
        )
    return "".join(parts)


def cell(value: Any, limit: int = 200) -> str:
    """An observed/expected value for people: rounded numbers with thousands separators,
    shares as percentages, ranges as ranges, lists and records as short text."""
    text = _text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(value: Any, key: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, dict):
        parts = []
        if "min" in value or "max" in value:
            parts.append(html.bounds(value.get("min"), value.get("max")))
        parts += [
            f"{name.replace('_', ' ')} {_text(item, name)}"
            for name, item in value.items()
            if name not in ("min", "max") and item is not None
        ]
        return "; ".join(parts) or "–"
    if isinstance(value, list | tuple):
        shown = ", ".join(_text(item) for item in value[:_MAX_ITEMS])
        return shown + (f" … ({len(value):,} in all)" if len(value) > _MAX_ITEMS else "")
    if isinstance(value, int | float) and not isinstance(value, bool) and key.endswith("share"):
        return html.share(value)
    if isinstance(value, int | float):
        return html.number(value)
    return str(value)
