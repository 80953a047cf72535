"""The drift report page: summary first, then one row per column with its picture."""

from __future__ import annotations

from html import escape

import numpy as np

from driftline.drift.meaning import meaning
from driftline.drift.registry import get_method
from driftline.drift.result import ColumnDrift, DriftResult
from driftline.drift.stable import exponent, scaled
from driftline.errors import UnknownNameError
from driftline.report import charts
from driftline.report.html import cards, page, table
from driftline.report.multivariate import MultivariateDrift


def _number(value: float) -> str:
    if value != value:
        return "n/a"
    if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e5):
        return f"{value:.3e}"
    return f"{value:.4f}"


def _picture(column: ColumnDrift) -> str:
    """Reference vs current on shared bins (numeric) or top categories plus "other"."""
    ref, cur = column.reference, column.current
    if "histogram" in ref and "histogram" in cur:
        edges = ref.get("histogram_edges") or cur.get("histogram_edges")
        if edges:
            name, edges = _drawable(column.name, edges)
            return charts.histogram(name, edges, ref["histogram"], cur["histogram"])
    if "top_shares" in ref or "top_shares" in cur:
        return charts.category_bars(
            column.name, ref.get("top_shares", {}), cur.get("top_shares", {})
        )
    return "<p class='meta'>no distribution summary for this column</p>"


def _drawable(name: str, edges: list[float]) -> tuple[str, list[float]]:
    """Edges a chart can draw: huge ones (beyond 1e100, where the plotting arithmetic
    overflows) divided by a power of two (exact), which the chart's name states."""
    power = exponent(np.asarray(edges))
    if power == 0:
        return name, edges
    return f"{name} (values / 2^{power})", scaled(np.asarray(edges), power).tolist()


def _anchor(column: ColumnDrift) -> str:
    return "column-" + "".join(ch if ch.isalnum() else "-" for ch in column.name)


def _verdict(column: ColumnDrift) -> str:
    if column.status == "unknown":
        return "<span class='bad'>unknown (no score)</span>"
    if column.drift_detected:
        return "<span class='bad'>drift</span>"
    return "<span class='ok'>ok</span>"


def _rule(column: ColumnDrift) -> str:
    """The comparison the column's method really applies (KS drifts at p ≤ threshold)."""
    try:
        return get_method(column.method).rule
    except UnknownNameError:  # a report from a method this version does not have
        return "p <" if column.direction == "p_value" else "d ≥"


def _row(column: ColumnDrift, prediction: str | None) -> list[str]:
    rule = _rule(column)
    name = escape(column.name) + (" <em>(prediction)</em>" if column.name == prediction else "")
    return [
        f"<a href='#{_anchor(column)}'>{name}</a>",
        escape(column.kind),
        escape(column.method) + (f" <em>({escape(column.policy)})</em>" if column.policy else ""),
        _number(column.score),
        f"<span class='rule'>{escape(rule)} {_number(column.threshold)}</span>",
        _origin(column),
        _verdict(column),
    ]


def _origin(column: ColumnDrift) -> str:
    """Where the threshold came from: fixed, or calibrated (quantile, chunks, window); a
    fixed threshold where calibration was asked says why."""
    calibration = column.calibration
    if column.threshold_origin == "calibrated" and calibration is not None:
        return escape(
            f"calibrated: q {calibration.quantile:g} of {calibration.chunks} chunks of "
            f"{calibration.window} (fixed {_number(calibration.fixed_threshold)})"
        )
    if calibration is not None and calibration.fallback:
        return escape(f"fixed ({calibration.fallback})")
    return "fixed"


def _section(column: ColumnDrift) -> str:
    """One column: its distributions side by side with its score against the threshold."""
    gauge = charts.score_gauge(
        column.name,
        column.method,
        column.score,
        column.threshold,
        column.direction,
        drifted=column.drift_detected,
    )
    return (
        f"<section class='column' id='{_anchor(column)}'><h3>{escape(column.name)} "
        f"{_verdict(column)} <span class='meta'>{escape(column.kind)}, {escape(column.method)} "
        f"= {_number(column.score)}</span></h3><div class='charts'>{_picture(column)}"
        f"<div>{gauge}</div></div></section>"
    )


def _meanings(columns: list[ColumnDrift]) -> str:
    used = dict.fromkeys((c.method, c.direction) for c in columns)
    items = "".join(
        f"<li><b>{escape(method)}</b>: {escape(meaning(method, direction))}</li>"
        for method, direction in used
    )
    return f"<h2>What the scores mean</h2><ul class='meanings'>{items}</ul>"


def _multivariate(found: list[MultivariateDrift]) -> str:
    """The dataset-level methods: verdicts, then which columns drive each."""
    rows = [
        [
            escape(m.method),
            _number(m.score),
            f"&gt; {_number(m.threshold)}",
            _number(m.p_value),
            f"{m.reference_rows:,} / {m.current_rows:,}",
            "<span class='bad'>drift</span>" if m.drift_detected else "<span class='ok'>ok</span>",
        ]
        for m in found
    ]
    nulls = "".join(f"<li><b>{escape(m.method)}</b>: {escape(m.null)}</li>" for m in found)
    bars = "".join(
        f"<section class='column'><h3>{escape(m.method)}: what drives it</h3>"
        + charts.contribution_bars(
            m.method, {f.name: f.contribution for f in m.features}, m.contribution_unit
        )
        + "</section>"
        for m in found
    )
    return (
        "<h2>Multivariate drift</h2>"
        + table(
            [
                "method",
                "score",
                "drift if",
                "p-value",
                "rows used (reference / current)",
                "verdict",
            ],
            rows,
            numeric={1, 3},
        )
        + f"<ul class='meanings'>{nulls}</ul>"
        + bars
    )


def render_drift_html(result: DriftResult) -> str:
    """A self-contained HTML page (inline CSS and SVG, no network) of a drift result."""
    drifted = result.drift_detected
    summary = cards(
        [
            ("dataset drift", "yes" if drifted else "no", "bad" if drifted else "ok"),
            (
                "drifted columns",
                f"{result.number_of_drifted_columns} / {len(result.columns)}",
                "bad" if result.number_of_drifted_columns else "ok",
            ),
            (
                "unknown columns (no score)",
                str(result.number_of_unknown_columns),
                "bad" if result.number_of_unknown_columns else "ok",
            ),
            ("drift share", f"{result.drift_share:.2f} (≥ {result.drift_share_threshold:g})", ""),
            ("reference rows", f"{result.reference_rows:,}", ""),
            ("current rows", f"{result.current_rows:,}", ""),
            ("mode", result.mode, ""),
            ("thresholds", result.thresholds, ""),
            *[
                (
                    f"multivariate: {m.method}",
                    m.status,
                    "bad" if m.drift_detected or m.status == "unknown" else "ok",
                )
                for m in result.multivariate
            ],
        ]
    )
    body = [summary]
    prediction = result.prediction
    if prediction is not None:
        state = "drifted" if prediction.drift_detected else "did not drift"
        body.append(
            f"<h2>Prediction</h2><p>{escape(prediction.name)} {state}: {escape(prediction.method)}"
            f" = {_number(prediction.score)} (drift if {escape(_rule(prediction))} "
            f"{_number(prediction.threshold)})</p>"
        )
    if result.multivariate:
        body.append(_multivariate(result.multivariate))
    ordered = sorted(result.columns, key=lambda c: (not c.drift_detected, c.name))
    body.append("<h2>Columns</h2>")
    body.append(
        table(
            ["column", "kind", "method", "score", "drift if", "threshold", "verdict"],
            [_row(c, result.prediction_column) for c in ordered],
            numeric={3},
        )
    )
    body.append(_meanings(ordered))
    body.append("<h2>Reference vs current</h2>" + "".join(_section(c) for c in ordered))
    if result.skipped:
        items = "".join(
            f"<li>{escape(s['name'])}: {escape(s['reason'])}</li>" for s in result.skipped
        )
        body.append(f"<h2>Not checked</h2><ul>{items}</ul>")
    subtitle = (
        f"{result.number_of_drifted_columns} of {len(result.columns)} columns drifted; the "
        f"dataset drifts when at least {result.drift_share_threshold:g} of them do"
        + (" or a multivariate method finds drift" if result.multivariate else "")
    )
    return page("Drift report", subtitle, "".join(body))
