"""The drift report page: summary first, then one row per column with its picture."""

from __future__ import annotations

from html import escape

from driftline.drift.result import ColumnDrift, DriftResult
from driftline.report.html import bars, cards, legend, page, table


def _number(value: float) -> str:
    if value != value:
        return "n/a"
    if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e5):
        return f"{value:.3e}"
    return f"{value:.4f}"


def _picture(column: ColumnDrift) -> str:
    ref, cur = column.reference, column.current
    if "histogram" in ref and "histogram" in cur:
        edges = ref.get("histogram_edges") or [0, 0]
        caption = f"{_number(edges[0])} … {_number(edges[-1])}"
        return (
            bars(ref["histogram"], cur["histogram"]) + f"<div class='meta'>{escape(caption)}</div>"
        )
    labels = list(dict.fromkeys([*ref.get("top_shares", {}), *cur.get("top_shares", {})]))
    ref_shares = [ref.get("top_shares", {}).get(k, 0.0) for k in labels]
    cur_shares = [cur.get("top_shares", {}).get(k, 0.0) for k in labels]
    caption = ", ".join(labels[:6]) + (" …" if len(labels) > 6 else "")
    return bars(ref_shares, cur_shares) + f"<div class='meta'>{escape(caption)}</div>"


def _row(column: ColumnDrift, prediction: str | None) -> list[str]:
    verdict = (
        "<span class='bad'>drift</span>" if column.drift_detected else "<span class='ok'>ok</span>"
    )
    rule = "p <" if column.direction == "p_value" else "d ≥"
    name = escape(column.name) + (" <em>(prediction)</em>" if column.name == prediction else "")
    return [
        name,
        escape(column.kind),
        escape(column.method),
        _number(column.score),
        f"{rule} {_number(column.threshold)}",
        verdict,
        _picture(column),
    ]


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
            ("drift share", f"{result.drift_share:.2f} (≥ {result.drift_share_threshold:g})", ""),
            ("reference rows", f"{result.reference_rows:,}", ""),
            ("current rows", f"{result.current_rows:,}", ""),
            ("mode", result.mode, ""),
        ]
    )
    body = [summary]
    prediction = result.prediction
    if prediction is not None:
        state = "drifted" if prediction.drift_detected else "did not drift"
        body.append(
            f"<h2>Prediction</h2><p>{escape(prediction.name)} {state}: {escape(prediction.method)}"
            f" = {_number(prediction.score)} (threshold {_number(prediction.threshold)})</p>"
        )
    ordered = sorted(result.columns, key=lambda c: (not c.drift_detected, c.name))
    body.append("<h2>Columns</h2>" + legend())
    body.append(
        table(
            ["column", "kind", "method", "score", "drift if", "verdict", "reference vs current"],
            [_row(c, result.prediction_column) for c in ordered],
            numeric={3},
        )
    )
    if result.skipped:
        items = "".join(
            f"<li>{escape(s['name'])}: {escape(s['reason'])}</li>" for s in result.skipped
        )
        body.append(f"<h2>Not checked</h2><ul>{items}</ul>")
    subtitle = (
        f"{result.number_of_drifted_columns} of {len(result.columns)} columns drifted; the "
        f"dataset drifts when at least {result.drift_share_threshold:g} of them do"
    )
    return page("Drift report", subtitle, "".join(body))
