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
    if windows:
        coverage = charts.coverage_bars(
            [_start(w) for w in windows], [w["label_coverage"] for w in windows]
        )
        body.append(f"<h2>Label coverage</h2>{coverage}")
    body.append("<h2>Windows</h2>" + table(headers, _window_rows(document), {1, 2, 3}))
    if "confusion_matrix" in overall:
        picture = charts.heatmap([str(c) for c in document["classes"]], overall["confusion_matrix"])
        body.append(f"<h2>Confusion matrix (all labelled rows)</h2>{picture}")
    rule = document["degradation_rule"]
    subtitle = (
        f"{document['task']}, {document['window']} windows, {overall['labelled_rows']} of "
        f"{overall['rows']} predictions labelled; degraded = {rule['mode']} worsening > "
        f"{rule['threshold']} with at least {document['min_labelled_rows']} labelled rows"
    )
    return page("Model performance", subtitle, "".join(body))
