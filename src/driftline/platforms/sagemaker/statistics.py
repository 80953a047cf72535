"""Model Monitor `statistics.json` <-> driftline baseline profile.

Exact both ways: row and null counts, min, max, mean, sum, standard deviation (population,
as both compute it), category counts of a column counted exactly, and a numeric column's
value counts while the profile kept them exactly (few distinct values): they are written as a
KLL sketch whose level h holds the values whose count has bit h set (an item at level h
weighs 2^h), which reads back to the same counts. Approximate: a numeric distribution that
only the profile's log sketch holds (written through its bucket representatives, within its
relative accuracy), a KLL sketch of real compaction (its weighted items feed the log sketch),
a statistics file with buckets but no sketch (counts at bucket midpoints), the distinct
count of a truncated category list, and types: Integral/Fractional/String only, so a date
column is written as Fractional epoch seconds and free text as a String without buckets.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from driftline.errors import DataSourceError
from driftline.io.kinds import ColumnKind
from driftline.profile import (
    CategoricalSummary,
    ColumnProfile,
    DatasetProfile,
    NumericSummary,
    ProfileOptions,
)
from driftline.profile.sketch import LogSketch

KLL_BUCKETS = 10  # what Model Monitor's own container writes
KLL_PARAMETERS = {"c": 0.64, "k": 2048.0}
INTEGRAL, FRACTIONAL, STRING, UNKNOWN = "Integral", "Fractional", "String", "Unknown"
TYPES = (INTEGRAL, FRACTIONAL, STRING, UNKNOWN)


def inferred_type(column: ColumnProfile) -> str:
    """The Model Monitor type of a profiled column."""
    if column.kind is ColumnKind.NUMERIC:
        return INTEGRAL if "int" in column.arrow_type else FRACTIONAL
    if column.kind is ColumnKind.DATETIME:
        return FRACTIONAL
    return STRING


# -- export -----------------------------------------------------------------------------------
def to_statistics(profile: DatasetProfile) -> dict[str, Any]:
    """The profile as a Model Monitor `statistics.json` document."""
    return {
        "version": 0.0,
        "dataset": {"item_count": profile.row_count},
        "features": [_feature(column) for column in profile.columns.values()],
    }


def _common(column: ColumnProfile) -> dict[str, int]:
    return {"num_present": column.count - column.null_count, "num_missing": column.null_count}


def _feature(column: ColumnProfile) -> dict[str, Any]:
    kind = inferred_type(column)
    feature: dict[str, Any] = {"name": column.name, "inferred_type": kind}
    if column.numeric is not None and kind != STRING:
        feature["numerical_statistics"] = _numeric(column, column.numeric)
    else:
        feature["string_statistics"] = _string(column)
    return feature


def _numeric(column: ColumnProfile, summary: NumericSummary) -> dict[str, Any]:
    stats: dict[str, Any] = {"common": _common(column)}
    if summary.count == 0 or summary.min is None or summary.max is None:
        return {**stats, "mean": 0.0, "sum": 0.0, "std_dev": 0.0, "min": 0.0, "max": 0.0}
    if summary.exact_values is not None:
        values = np.array(sorted(summary.exact_values), dtype=np.float64)
        counts = np.array([summary.exact_values[v] for v in values.tolist()], dtype=np.int64)
    else:
        values, counts = summary.sketch.representatives()
    edges = np.linspace(summary.min, summary.max, KLL_BUCKETS + 1)
    if summary.min == summary.max:
        edges = np.array([summary.min, summary.max + (abs(summary.max) or 1.0) * 1e-9])
    bucket_counts = summary.counts_on(edges.tolist())
    buckets = [
        {"lower_bound": float(lo), "upper_bound": float(hi), "count": float(count)}
        for lo, hi, count in zip(edges[:-1], edges[1:], bucket_counts.tolist(), strict=True)
    ]
    return {
        **stats,
        "mean": summary.mean,
        "sum": (summary.mean or 0.0) * summary.count,
        "std_dev": summary.std,
        "min": summary.min,
        "max": summary.max,
        "distribution": {
            "kll": {
                "buckets": buckets,
                "sketch": {"parameters": dict(KLL_PARAMETERS), "data": _kll_levels(values, counts)},
            }
        },
    }


def _kll_levels(values: np.ndarray, counts: np.ndarray) -> list[list[float]]:
    """Weighted values as KLL compactor levels: level h holds the values whose count has bit h."""
    counts = counts.astype(np.int64)
    levels: list[list[float]] = []
    bit = 0
    while np.any(counts >> bit):
        levels.append(values[(counts >> bit) & 1 == 1].astype(float).tolist())
        bit += 1
    return levels


def _string(column: ColumnProfile) -> dict[str, Any]:
    stats: dict[str, Any] = {"common": _common(column)}
    if column.categorical is not None:
        frequencies = column.categorical.frequencies
        stats["distinct_count"] = float(column.categorical.distinct_estimate)
        buckets = [{"value": value, "count": count} for value, count in frequencies.items()]
    elif column.text is not None:
        stats["distinct_count"] = float(column.text.distinct_estimate)
        buckets = []
    else:  # a date column profiled as categorical cannot happen; numeric written as string
        stats["distinct_count"] = 0.0
        buckets = []
    stats["distribution"] = {"categorical": {"buckets": buckets}}
    return stats


# -- import -----------------------------------------------------------------------------------
def from_statistics(
    document: Mapping[str, Any], options: ProfileOptions | None = None
) -> DatasetProfile:
    """A driftline profile of a Model Monitor `statistics.json` document."""
    options = options or ProfileOptions()
    if not isinstance(document, Mapping) or not isinstance(document.get("features"), list):
        raise DataSourceError(
            "not a Model Monitor statistics.json: no 'features' list", param="baseline_statistics"
        )
    try:
        features = document["features"]
        rows = int(document.get("dataset", {}).get("item_count", 0))
        columns = [_column(feature, rows, options) for feature in features]
    except DataSourceError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DataSourceError(
            f"not a Model Monitor statistics.json: {type(exc).__name__}: {exc}",
            param="baseline_statistics",
        ) from exc
    return DatasetProfile(row_count=rows, columns={c.name: c for c in columns}, options=options)


def _bad(reason: str) -> DataSourceError:
    return DataSourceError(
        f"not a Model Monitor statistics.json: {reason}", param="baseline_statistics"
    )


def _number(value: Any) -> float:
    """A number that files may spell as a string ("NaN")."""
    return float(value)


def _column(feature: Mapping[str, Any], rows: int, options: ProfileOptions) -> ColumnProfile:
    name, kind = str(feature["name"]), str(feature.get("inferred_type", UNKNOWN))
    if kind not in TYPES:
        raise _bad(f"feature {name!r} has inferred_type {kind!r}; valid: {', '.join(TYPES)}")
    wanted = "string_statistics" if kind in (STRING, UNKNOWN) else "numerical_statistics"
    block = feature.get(wanted)
    if block is None and kind != UNKNOWN:
        raise _bad(f"feature {name!r} ({kind}) has no {wanted}")
    block = block or {}
    common = block.get("common", {})
    present = int(common.get("num_present", 0))
    missing = int(common.get("num_missing", max(rows - present, 0)))
    if kind in (INTEGRAL, FRACTIONAL):
        column = ColumnProfile.empty(
            name, ColumnKind.NUMERIC, "int64" if kind == INTEGRAL else "double", options
        )
        assert column.numeric is not None
        column.numeric = _numeric_summary(block, present, column.numeric)
    else:
        column = ColumnProfile.empty(name, ColumnKind.CATEGORICAL, "string", options)
        assert column.categorical is not None
        _fill_categorical(column.categorical, block, present)
    column.count, column.null_count = present + missing, missing
    return column


def _weighted(block: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray, bool]:
    """(values, counts, from_sketch) of a numeric block's KLL sketch, else of its buckets."""
    kll = block.get("distribution", {}).get("kll", {})
    levels = kll.get("sketch", {}).get("data") or []
    if any(levels):
        values = np.array([float(v) for level in levels for v in level], dtype=np.float64)
        weights = np.array(
            [1 << h for h, level in enumerate(levels) for _ in level], dtype=np.int64
        )
        distinct, inverse = np.unique(values, return_inverse=True)
        return distinct, np.bincount(inverse, weights=weights).astype(np.int64), True
    buckets = kll.get("buckets") or []
    mids = np.array([(_number(b["lower_bound"]) + _number(b["upper_bound"])) / 2 for b in buckets])
    counts = np.array([round(_number(b["count"])) for b in buckets], dtype=np.int64)
    return mids.astype(np.float64), counts, False


def _numeric_summary(
    block: Mapping[str, Any], present: int, like: NumericSummary
) -> NumericSummary:
    """A summary with `like`'s options, rebuilt through its JSON form (its public contract)."""
    if present == 0:
        return like
    values, counts, from_sketch = _weighted(block)
    keep = np.isfinite(values) & (counts > 0)
    values, counts = values[keep], counts[keep]
    sketch = LogSketch(like.sketch.relative_accuracy)
    sketch.add_counts(values, counts)
    exact = from_sketch and int(counts.sum()) == present and values.size <= like.exact_cap
    std = _number(block.get("std_dev", 0.0))
    return NumericSummary.from_dict(
        {
            "count": present,
            "nan_count": 0,
            "posinf_count": 0,
            "neginf_count": 0,
            "min": _number(block["min"]),
            "max": _number(block["max"]),
            "mean": _number(block["mean"]),
            "m2": std * std * present if math.isfinite(std) else 0.0,
            "exact_cap": like.exact_cap,
            "exact_values": (
                {"values": values.tolist(), "counts": counts.tolist()} if exact else None
            ),
            "sketch": sketch.to_dict(),
        }
    )


def _fill_categorical(summary: CategoricalSummary, block: Mapping[str, Any], present: int) -> None:
    buckets = block.get("distribution", {}).get("categorical", {}).get("buckets") or []
    frequencies: dict[str, int] = {}
    for bucket in buckets:
        value = str(bucket["value"])
        frequencies[value] = frequencies.get(value, 0) + round(_number(bucket["count"]))
    listed = sum(frequencies.values())
    distinct = _number(block.get("distinct_count", len(frequencies)))
    summary.frequencies = frequencies
    summary.other_count = max(present - listed, 0)
    summary.exact = summary.other_count == 0 and (
        not math.isfinite(distinct) or round(distinct) <= len(frequencies)
    )
    summary.hll.add(np.array(list(frequencies), dtype=object))


def load_statistics(source: str | Path) -> DatasetProfile:
    """The profile of the statistics.json at `source`; a bad file is one error naming it."""
    from driftline.platforms.sagemaker.files import read_json

    try:
        return from_statistics(read_json(source, "baseline_statistics"))
    except DataSourceError as exc:
        if str(source) in str(exc):
            raise
        raise DataSourceError(f"{source}: {exc}", param="baseline_statistics") from None
