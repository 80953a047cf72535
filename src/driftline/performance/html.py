"""The self-contained HTML page of a performance report: each metric over time vs baseline."""

from __future__ import annotations

import math
from html import escape
from typing import Any

from driftline.report.html import CURRENT_COLOR, REFERENCE_COLOR, cards, page, table

BAD_COLOR = "#cf222e"
ESTIMATE_COLOR = "#bf8700"
CHART_METRICS = {
    "classification": ("accuracy", "f1_macro", "roc_auc", "pr_auc", "log_loss"),
    "regression": ("mae", "rmse", "mape", "r2", "mean_error"),
}
TABLE_METRICS = {
    "classification": ("accuracy", "f1_macro", "roc_auc"),
    "regression": ("mae", "rmse", "r2"),
}


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _finite(values: list[Any]) -> list[float]:
    return [v for v in values if isinstance(v, int | float) and math.isfinite(v)]


def chart(metric: str, document: dict[str, Any], width: int = 640, height: int = 160) -> str:
    """Inline SVG: realized values (hollow when not enough labels, red when degraded), the
    baseline as a dashed line, CBPE estimates as an orange dashed line with their interval."""
    windows = document["windows"]
    realized = [w["metrics"].get(metric) for w in windows]
    estimates = [w.get("estimate", {}).get("metrics", {}).get(metric) for w in windows]
    baseline = (document.get("baseline") or {}).get(metric)
    span = _finite(realized + [baseline] + [e[k] for e in estimates if e for k in ("low", "high")])
    if not span:
        return ""
    low, high = min(span), max(span)
    pad = (high - low) * 0.1 or abs(high) * 0.1 or 1.0
    low, high = low - pad, high + pad
    step = (width - 20) / max(len(windows) - 1, 1)

    def x(i: int) -> float:
        return 10 + i * step

    def y(v: float) -> float:
        return height - 10 - (v - low) / (high - low) * (height - 20)

    parts = []
    if baseline is not None:
        parts.append(
            f"<line x1='0' x2='{width}' y1='{y(baseline):.1f}' y2='{y(baseline):.1f}' "
            f"stroke='{REFERENCE_COLOR}' stroke-dasharray='6 4'/>"
        )
    band = [(i, e) for i, e in enumerate(estimates) if e and _finite([e["low"], e["high"]])]
    if band:
        upper = " ".join(f"{x(i):.1f},{y(e['high']):.1f}" for i, e in band)
        lower = " ".join(f"{x(i):.1f},{y(e['low']):.1f}" for i, e in reversed(band))
        parts.append(f"<polygon points='{upper} {lower}' fill='{ESTIMATE_COLOR}' opacity='0.15'/>")
        line = " ".join(f"{x(i):.1f},{y(e['value']):.1f}" for i, e in band if _finite([e["value"]]))
        parts.append(
            f"<polyline points='{line}' fill='none' stroke='{ESTIMATE_COLOR}' "
            "stroke-dasharray='4 3'/>"
        )
    points = [(i, v) for i, v in enumerate(realized) if _finite([v])]
    if points:
        line = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in points)
        parts.append(f"<polyline points='{line}' fill='none' stroke='{CURRENT_COLOR}'/>")
    for i, v in points:
        window = windows[i]
        bad = window["degradation"].get(metric, {}).get("degraded", False)
        color = BAD_COLOR if bad else CURRENT_COLOR
        fill = color if window["sufficient"] else "white"
        parts.append(
            f"<circle cx='{x(i):.1f}' cy='{y(v):.1f}' r='3.5' stroke='{color}' fill='{fill}'>"
            f"<title>{escape(window['start'])}: {_fmt(v)}</title></circle>"
        )
    return (
        f"<h2>{escape(metric)}</h2><div class='meta'>range {_fmt(low)} – {_fmt(high)}; "
        f"dashed grey: baseline {_fmt(baseline)}; hollow: not enough labels; red: degraded; "
        f"orange: estimate before labels (CBPE) with 95% interval</div>"
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' role='img'>"
        f"{''.join(parts)}</svg>"
    )


def _window_rows(document: dict[str, Any]) -> list[list[str]]:
    names = TABLE_METRICS[document["task"]]
    rows = []
    for w in document["windows"]:
        verdict = "<span class='bad'>degraded</span>" if w["degraded"] else escape(w["status"])
        if w.get("estimated_degraded"):
            verdict += " <span class='bad'>estimated degradation</span>"
        cells = [
            escape(w["start"]),
            str(w["rows"]),
            str(w["labelled_rows"]),
            f"{w['label_coverage']:.0%}",
            verdict,
        ]
        cells += [_fmt(w["metrics"].get(m)) for m in names]
        estimate = w.get("estimate", {}).get("metrics", {}).get("accuracy")
        if "estimate" in w:
            cells.append(
                f"{_fmt(estimate['value'])} [{_fmt(estimate['low'])}, {_fmt(estimate['high'])}]"
                if estimate
                else "–"
            )
        rows.append(cells)
    return rows


def estimate_against_actual(document: dict[str, Any]) -> str:
    """Per window whose labels arrived: each estimate with its interval, the realized value,
    and whether the realized value fell inside the interval."""
    rows, inside, total = [], 0, 0
    for w in document["windows"]:
        comparison = (w.get("estimate") or {}).get("comparison") or {}
        estimates = w["estimate"]["metrics"] if comparison else {}
        for name, c in comparison.items():
            entry = estimates[name]
            total += 1
            inside += c["within_interval"]
            mark = "inside" if c["within_interval"] else "<span class='bad'>outside</span>"
            rows.append(
                [
                    escape(w["start"]),
                    escape(name),
                    f"{_fmt(entry['value'])} [{_fmt(entry['low'])}, {_fmt(entry['high'])}]",
                    _fmt(c["realized"]),
                    _fmt(c["error"]),
                    mark,
                ]
            )
    if not rows:
        return ""
    headers = ["window start", "metric", "estimate [95%]", "realized", "error", "realized is"]
    return (
        f"<h2>Estimate against actual</h2><div class='meta'>{inside} of {total} realized values "
        f"fell inside their estimate's 95% interval (estimates on the labelled rows; the charts "
        f"above draw each estimate's band and the realized value)</div>" + table(headers, rows)
    )


def render_performance_html(document: dict[str, Any]) -> str:
    """The report page: summary cards, one chart per metric, the windows table."""
    windows = document["windows"]
    overall = document["overall"]
    summary = [
        (
            "verdict",
            "degraded" if document["degraded"] else "ok",
            "bad" if document["degraded"] else "ok",
        ),
        ("windows", str(len(windows)), ""),
        ("degraded windows", str(len(document["degraded_windows"])), ""),
        ("windows without enough labels", str(sum(not w["sufficient"] for w in windows)), "warn"),
        ("label coverage", f"{overall['label_coverage']:.1%}", ""),
    ]
    if document.get("label_status") == "no labels yet":
        summary.insert(0, ("labels", "no labels yet", "warn"))
    estimated = document.get("estimated_degraded_windows") or []
    if estimated:
        summary.append(("estimated degradation (no labels yet)", str(len(estimated)), "bad"))
    labels = document.get("labels")
    if labels:
        summary.append(("label ids without prediction", str(labels["unknown_ids"]), ""))
        summary.append(
            (f"duplicate labels ({labels['duplicate_rule']})", str(labels["duplicates"]), "")
        )
    body = [cards(summary)]
    names = document["degradation_rule"]["metrics"] or CHART_METRICS[document["task"]]
    body += [chart(m, document) for m in names]
    headers = [
        "window start",
        "rows",
        "labelled",
        "coverage",
        "status",
        *TABLE_METRICS[document["task"]],
    ]
    if any("estimate" in w for w in windows):
        headers.append("estimated accuracy [95%]")
    body.append("<h2>Windows</h2>" + table(headers, _window_rows(document), {1, 2, 3}))
    body.append(estimate_against_actual(document))
    if "confusion_matrix" in overall:
        classes = [escape(str(c)) for c in document["classes"]]
        matrix = [
            [f"<b>{c}</b>", *map(str, row)]
            for c, row in zip(classes, overall["confusion_matrix"], strict=True)
        ]
        body.append(
            "<h2>Confusion matrix (all labelled rows; rows: label, columns: "
            "prediction)</h2>" + table(["", *classes], matrix)
        )
    rule = document["degradation_rule"]
    labelled = "no labels yet, estimates only; " if not overall["labelled_rows"] else ""
    subtitle = labelled + (
        f"{document['task']}, {document['window']} windows, {overall['labelled_rows']} of "
        f"{overall['rows']} predictions labelled; degraded = {rule['mode']} worsening > "
        f"{rule['threshold']} with at least {document['min_labelled_rows']} labelled rows"
    )
    return page("Model performance", subtitle, "".join(body))
