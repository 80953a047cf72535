"""Self-contained HTML pages (no network access) for reports shown in the KFP UI; their
charts come from `driftline.report.charts`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1f2328}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:24px 0 8px}
.meta{color:#57606a;font-size:13px;margin-bottom:16px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0}
.card{border:1px solid #d0d7de;border-radius:6px;padding:8px 14px;min-width:120px}
.card .v{font-size:20px;font-weight:600} .card .k{font-size:12px;color:#57606a}
table{border-collapse:collapse;font-size:13px;width:100%}
th,td{border-bottom:1px solid #d0d7de;padding:6px 8px;text-align:left;vertical-align:middle}
th{background:#f6f8fa} .rule{white-space:nowrap}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.bad{color:#cf222e;font-weight:600} .ok{color:#1a7f37} .warn{color:#9a6700;font-weight:600}
h3{font-size:14px;margin:18px 0 6px} a{color:#0969da}
.charts{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center}
svg.chart{display:block} .meanings{font-size:13px;color:#57606a;padding-left:18px}
.tablewrap{overflow-x:auto}
"""

REFERENCE_COLOR = "#8c959f"
CURRENT_COLOR = "#0969da"


def page(title: str, subtitle: str, body: str) -> str:
    """A complete HTML document with the shared style."""
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1><div class='meta'>{escape(subtitle)}</div>{body}</body></html>"
    )


def cards(items: Sequence[tuple[str, str, str]]) -> str:
    """Summary cards: (label, value, css class: '', 'ok', 'bad' or 'warn')."""
    parts = [
        f"<div class='card'><div class='v {cls}'>{escape(value)}</div>"
        f"<div class='k'>{escape(label)}</div></div>"
        for label, value, cls in items
    ]
    return "<div class='cards'>" + "".join(parts) + "</div>"


def table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: set[int] | None = None
) -> str:
    """An HTML table; cells are trusted HTML (escape text with `html.escape` first)."""
    numeric = numeric or set()
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td class='num'>{cell}</td>" if i in numeric else f"<td>{cell}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return (
        f"<div class='tablewrap'><table><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table></div>"
    )


def number(value: float | int, digits: int = 4) -> str:
    """A number for people: `digits` significant digits, thousands separators, no float noise
    (0.31491199999999997 -> 0.3149, 1234567.8 -> 1,234,568); scientific only when tiny or huge."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    if magnitude < -4 or magnitude >= 15:
        return f"{value:.{digits - 1}e}"
    decimals = max(0, digits - 1 - magnitude)
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def share(value: float) -> str:
    """A share as a percentage for people: 0.01234 -> 1.23 %."""
    return f"{number(value * 100, 3)} %"


def bounds(low: float | None, high: float | None) -> str:
    """An allowed range for people: [low, high], ≥ low, ≤ high, or any."""
    if low is not None and high is not None:
        return f"[{number(low)}, {number(high)}]"
    if low is not None:
        return f"≥ {number(low)}"
    return f"≤ {number(high)}" if high is not None else "any"
