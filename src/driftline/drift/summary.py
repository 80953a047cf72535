"""Distribution summaries of each side for the report and its pictures."""

from __future__ import annotations

from typing import Any

import numpy as np

from driftline.drift.buckets import order_statistics
from driftline.drift.columns import ColumnValues
from driftline.drift.stable import equal_width_edges, finite_span, interpolate, mean_std

PICTURE_BINS = 10
TOP_CATEGORIES = 12
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def _quantiles(values: np.ndarray, bounds: tuple[float, float]) -> dict[str, float]:
    """numpy's default (linear) quantiles, from the exact order statistics they need;
    `bounds` are the values' min and max."""
    position = np.asarray(QUANTILES) * (len(values) - 1)
    low = np.floor(position).astype(np.int64)
    high = np.minimum(low + 1, len(values) - 1)
    ranks = np.concatenate([low, high])
    ranked = order_statistics(values, ranks, bounds).astype(np.float64)
    below, above = ranked[: len(low)], ranked[len(low) :]
    result = interpolate(below, above, position - low)
    return dict(zip(map(str, QUANTILES), map(float, result), strict=True))


def _numeric_side(
    values: np.ndarray, missing: int, edges: np.ndarray, low: float, high: float
) -> dict[str, Any]:
    """One side's summary; `low` and `high` are its smallest and largest value."""
    if len(values) == 0:
        return {"count": 0, "missing": missing}
    mean, std = mean_std(values, largest=max(-low, high))
    return {
        "count": len(values),
        "missing": missing,
        "mean": mean,
        "std": std,
        "min": low,
        "max": high,
        "quantiles": _quantiles(values, (low, high)),
        "histogram": (_bin_counts(values, edges) / len(values)).tolist(),
    }


def _bin_counts(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Values per bin [e_i, e_i+1), the last bin closed, as np.histogram counts them. Edges
    from `equal_width_edges` over a finite span are numpy's own equal bins: one pass."""
    low, high = float(edges[0]), float(edges[-1])
    if finite_span(low, high):
        return np.histogram(values, bins=len(edges) - 1, range=(low, high))[0]
    # values below each inner edge
    cuts = [0, *(int(np.count_nonzero(values < e)) for e in edges[1:-1]), len(values)]
    return np.diff(cuts)


def numeric_summaries(values: ColumnValues) -> tuple[dict[str, Any], dict[str, Any]]:
    """(reference, current) summaries with shares on shared equal-width edges."""
    sides = (values.reference, values.current)
    ranges = [(float(v.min()), float(v.max())) if len(v) else (0.0, 0.0) for v in sides]
    filled = [r for r, v in zip(ranges, sides, strict=True) if len(v)]
    low = min(r[0] for r in filled)
    high = max(r[1] for r in filled)
    edges = equal_width_edges(low, high if high > low else low + 1.0, PICTURE_BINS)
    ref = _numeric_side(values.reference, values.reference_missing, edges, *ranges[0])
    cur = _numeric_side(values.current, values.current_missing, edges, *ranges[1])
    ref["histogram_edges"] = cur["histogram_edges"] = edges.tolist()
    return ref, cur


def categorical_summaries(values: ColumnValues) -> tuple[dict[str, Any], dict[str, Any]]:
    """(reference, current) summaries: shares of the most frequent categories of both sides."""
    categories = values.categories or []
    size = len(categories)
    ref_counts = np.bincount(values.reference, minlength=size)
    cur_counts = np.bincount(values.current, minlength=size)
    ref_shares = ref_counts / max(len(values.reference), 1)
    cur_shares = cur_counts / max(len(values.current), 1)
    top = np.argsort(-(ref_shares + cur_shares), kind="stable")[:TOP_CATEGORIES]
    labels = [str(categories[i]) for i in top]

    def side(counts: np.ndarray, shares: np.ndarray, missing: int) -> dict[str, Any]:
        return {
            "count": int(counts.sum()),
            "missing": missing,
            "distinct": int(np.count_nonzero(counts)),
            "top_shares": dict(zip(labels, map(float, shares[top]), strict=True)),
        }

    return (
        side(ref_counts, ref_shares, values.reference_missing),
        side(cur_counts, cur_shares, values.current_missing),
    )
