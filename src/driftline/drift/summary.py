"""Distribution summaries of each side for the report and its pictures."""

from __future__ import annotations

from typing import Any

import numpy as np

from driftline.drift.buckets import SharedBuckets
from driftline.drift.columns import ColumnValues
from driftline.drift.stable import equal_width_edges, interpolate, mean_std

PICTURE_BINS = 10
TOP_CATEGORIES = 12
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def numeric_summaries(
    values: ColumnValues, shared: SharedBuckets | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(reference, current) summaries with shares on shared equal-width edges; both sides
    hold values. `shared`: both sides' buckets when the caller has them."""
    shared = shared or SharedBuckets(values.reference, values.current)
    low, high = shared.low, shared.high
    edges = equal_width_edges(low, high if high > low else low + 1.0, PICTURE_BINS)
    ref = _numeric_side(shared, 0, values.reference_missing, edges)
    cur = _numeric_side(shared, 1, values.current_missing, edges)
    ref["histogram_edges"] = cur["histogram_edges"] = edges.tolist()
    return ref, cur


def _numeric_side(
    shared: SharedBuckets, side: int, missing: int, edges: np.ndarray
) -> dict[str, Any]:
    """Side `side`'s summary: numpy's mean, population std, default (linear) quantiles and
    `np.histogram` counts on `edges`, as shares."""
    values = shared.samples[side]
    low, high = shared.bounds[side]
    mean, std = mean_std(values, largest=max(-low, high))
    position = np.asarray(QUANTILES) * (len(values) - 1)
    below = np.floor(position).astype(np.int64)
    above = np.minimum(below + 1, len(values) - 1)
    ranked, counts = shared.ranked_and_binned(side, np.concatenate([below, above]), edges)
    ranked = ranked.astype(np.float64)
    quantiles = interpolate(ranked[: len(below)], ranked[len(below) :], position - below)
    return {
        "count": len(values),
        "missing": missing,
        "mean": mean,
        "std": std,
        "min": low,
        "max": high,
        "quantiles": dict(zip(map(str, QUANTILES), map(float, quantiles), strict=True)),
        "histogram": (counts / len(values)).tolist(),
    }


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
