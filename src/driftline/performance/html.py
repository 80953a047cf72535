"""The self-contained HTML page of a performance report: each metric over time vs baseline."""

from __future__ import annotations

import math
from datetime import datetime
from html import escape
from typing import Any

from driftline.performance.degradation import DIRECTIONS, degraded_region
from driftline.report import charts
from driftline.report.html import cards, page, table

CHART_METRICS = {
    "classification": ("accuracy", "f1_macro", "roc_auc", "pr_auc", "log_loss"),
    "regression": ("mae", "rmse", "mape", "r2", "mean_error"),
}
_ESTIMATED = {"classification": "accuracy", "regression": "mae"}  # in the windows table
TABLE_METRICS = {
    "classification": ("accuracy", "f1_macro", "roc_auc"),
    "regression": ("mae", "rmse", "r2"),
}


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _start(window: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(window["start"].replace("Z", "+00:00"))


def chart(metric: str, document: dict[str, Any]) -> str:
    """One metric per window on a date axis: realized values (red when degraded, hollow
    without enough labels), the training baseline, the degraded region shaded, and CBPE
    estimates with their 95 % interval."""
    windows = document["windows"]
    realized = [w["metrics"].get(metric) for w in windows]
    raw = [w.get("estimate", {}).get("metrics", {}).get(metric) for w in windows]
    estimates = [
        (e["value"], e["low"], e["high"])
        if e and all(isinstance(e.get(k), int | float) for k in ("value", "low", "high"))
        else None
        for e in raw
    ]
    if not any(isinstance(v, int | float) for v in realized) and not any(estimates):
        return ""
    baseline = (document.get("baseline") or {}).get(metric)
    rule = document["degradation_rule"]
    region = (
        degraded_region(metric, baseline, rule["threshold"], rule["mode"])
        if baseline is not None and metric in DIRECTIONS
        else []
    )
    picture = charts.metric_over_time(
        metric,
        [_start(w) for w in windows],
        realized,
        baseline=baseline,
        degraded_region=region,
        estimates=estimates,
        degraded=[w["degradation"].get(metric, {}).get("degraded", False) for w in windows],
        judged=[w["sufficient"] for w in windows],
    )
    key = "red: degraded; hollow: not enough labels to judge"
    return f"<h2>{escape(metric)}</h2><div class='meta'>{key}</div>{picture}"


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
        estimate = w.get("estimate", {}).get("metrics", {}).get(_ESTIMATED[document["task"]])
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
        headers.append(f"estimated {_ESTIMATED[document['task']]} [95%]")
    if windows:
        coverage = charts.coverage_bars(
            [_start(w) for w in windows], [w["label_coverage"] for w in windows]
        )
        body.append(f"<h2>Label coverage</h2>{coverage}")
    body.append("<h2>Windows</h2>" + table(headers, _window_rows(document), {1, 2, 3}))
    body.append(estimate_against_actual(document))
    if "confusion_matrix" in overall:
        picture = charts.heatmap([str(c) for c in document["classes"]], overall["confusion_matrix"])
        body.append(f"<h2>Confusion matrix (all labelled rows)</h2>{picture}")
    rule = document["degradation_rule"]
    labelled = "no labels yet, estimates only; " if not overall["labelled_rows"] else ""
    subtitle = labelled + (
        f"{document['task']}, {document['window']} windows, {overall['labelled_rows']} of "
        f"{overall['rows']} predictions labelled; degraded = {rule['mode']} worsening > "
        f"{rule['threshold']} with at least {document['min_labelled_rows']} labelled rows"
    )
    return page("Model performance", subtitle, "".join(body))
