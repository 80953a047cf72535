"""Profile mode: a reference profile against a current window profiled in one streaming pass.

Each side of a column is a weighted distribution (value -> count): exact while the profile
kept every distinct value (numeric: up to `exact_cap`; categorical: up to `category_cap`),
else the profile's log-sketch buckets (numeric, within its relative accuracy) or its top-k
plus one "other" bucket (categorical). Methods then run on these distributions with
Evidently's binning rules, so exact distributions give exact mode's scores; rank tests (ks,
cramer_von_mises, anderson) run only where both sides are exact and small enough to expand.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from typing import Any

import numpy as np
import pyarrow as pa

from driftline.drift.auto import FEW_NUMERIC_VALUES, auto_method
from driftline.drift.engine import (
    INTEGER_CATEGORY_LIMIT,
    check_usable,
    resolve_method,
    split_checked,
    verdict,
    wanted_columns,
)
from driftline.drift.methods.base import DriftMethod
from driftline.drift.methods.binning import NUMERIC_BINNING_MIN_DISTINCT
from driftline.drift.methods.wasserstein import MIN_NORM
from driftline.drift.options import per_column
from driftline.drift.registry import AUTO, all_methods
from driftline.drift.result import ColumnDrift, DriftResult
from driftline.errors import EmptyDataError, InputError, SchemaMismatchError
from driftline.io import ColumnKind, kind_of_type
from driftline.profile import ColumnProfile, DatasetProfile, profile_batches

RANK_TESTS = ("ks", "cramer_von_mises", "anderson")
VALUE_TESTS = ("chi2", "z")  # compare value frequencies, never Sturges bins
MAX_EXPANDED_ROWS = 2_000_000  # rank tests expand exact value counts back into samples
PICTURE_TOP = 12


def check_drift_against_profile(
    reference: DatasetProfile,
    current: pa.Table | Iterable[pa.RecordBatch] | DatasetProfile,
    *,
    columns: Sequence[str] | None,
    kinds: Mapping[str, str] | None,
    method: str | Mapping[str, str],
    threshold: float | Mapping[str, float] | None,
    drift_share: float,
    prediction_column: str | None,
    exclude: Sequence[str] = (),
) -> DriftResult:
    """`check_drift` in profile mode (see the module docstring)."""
    if reference.row_count < 2:
        raise EmptyDataError(
            f"reference profile has {reference.row_count} row(s); drift needs at least 2",
            param="reference",
        )
    wanted = wanted_columns(columns, list(reference.columns), prediction_column, exclude)
    missing = [c for c in wanted if c not in reference.columns]
    if missing:
        raise SchemaMismatchError(
            f"column(s) {', '.join(map(repr, missing))} missing in reference profile; it has: "
            f"{', '.join(reference.columns)}",
            param=missing[0],
        )
    kinds_of = {c: reference.columns[c].kind for c in wanted}
    names, skipped = split_checked(wanted, kinds_of, columns, prediction_column)
    current_profile = _profile_current(reference, current, names)
    if current_profile.row_count == 0:
        raise EmptyDataError("current window has no rows", param="current")
    check_usable(
        [
            f"{name!r} ({side})"
            for name in names
            for side, profile in (("reference", reference), ("current", current_profile))
            if _usable(profile.columns[name]) == 0
        ]
    )
    methods = per_column(method, names, "method")
    thresholds = per_column(threshold, names, "threshold")
    results = [
        _check_column(reference.columns[n], current_profile.columns[n], methods[n], thresholds[n])
        for n in names
    ]
    return DriftResult(
        columns=results,
        drift_share_threshold=drift_share,
        mode="profile",
        reference_rows=reference.row_count,
        current_rows=current_profile.row_count,
        prediction_column=prediction_column,
        skipped=skipped,
    )


def _profile_current(
    reference: DatasetProfile,
    current: pa.Table | Iterable[pa.RecordBatch] | DatasetProfile,
    names: list[str],
) -> DatasetProfile:
    if isinstance(current, DatasetProfile):
        return current
    batches = iter(current.to_batches() if isinstance(current, pa.Table) else current)
    first = next(batches, None)
    if first is None:
        raise EmptyDataError("current window has no rows", param="current")
    absent = [c for c in names if c not in first.schema.names]
    if absent:
        raise SchemaMismatchError(
            f"column(s) {', '.join(map(repr, absent))} missing in current; current has: "
            f"{', '.join(first.schema.names)}",
            param=absent[0],
        )
    for name in names:
        ref_kind = reference.columns[name].kind
        cur_kind = kind_of_type(first.schema.field(name).type)
        if {ref_kind, cur_kind} - {ColumnKind.CATEGORICAL} and ref_kind != cur_kind:
            raise SchemaMismatchError(
                f"column {name!r} changed type: reference {reference.columns[name].arrow_type} "
                f"({ref_kind}), current {first.schema.field(name).type} ({cur_kind}); cast one "
                "side or set its kind",
                param=name,
            )
    schema = pa.schema([first.schema.field(c) for c in names])
    projected = (b.select(names) for b in itertools.chain([first], batches))
    kinds = {c: reference.columns[c].kind for c in names}
    return profile_batches(projected, kinds, schema=schema, **asdict(reference.options))


def _usable(column: ColumnProfile) -> int:
    if column.numeric is not None:
        return column.numeric.count
    return column.categorical.count if column.categorical is not None else 0


def _numeric_distribution(column: ColumnProfile) -> tuple[np.ndarray, np.ndarray, bool]:
    summary = column.numeric
    assert summary is not None and summary.min is not None and summary.max is not None
    if summary.exact_values is not None:
        values = np.array(sorted(summary.exact_values), dtype=np.float64)
        counts = np.array([summary.exact_values[v] for v in values], dtype=np.int64)
        return values, counts, True
    values, counts = summary.sketch.representatives()
    return np.clip(values, summary.min, summary.max), counts, False


def _categorical_distribution(
    reference: ColumnProfile, current: ColumnProfile
) -> tuple[list[str], np.ndarray, np.ndarray]:
    ref, cur = reference.categorical, current.categorical
    assert ref is not None and cur is not None
    labels = sorted(set(ref.frequencies) | set(cur.frequencies))
    ref_counts = np.array([ref.frequencies.get(k, 0) for k in labels], dtype=np.int64)
    cur_counts = np.array([cur.frequencies.get(k, 0) for k in labels], dtype=np.int64)
    if ref.other_count or cur.other_count:  # truncated profile: one bucket for the rest
        labels.append("(other)")
        ref_counts = np.append(ref_counts, ref.other_count)
        cur_counts = np.append(cur_counts, cur.other_count)
    return labels, ref_counts, cur_counts


def _sturges_edges(low: float, high: float, n: int, integer: bool) -> np.ndarray:
    """numpy's histogram_bin_edges(..., 'sturges') from min, max and size alone."""
    if high <= low:
        return np.array([low - 0.5, low + 0.5])
    width = (high - low) / (np.log2(n) + 1.0)
    if integer and width < 1:
        width = 1.0
    return np.linspace(low, high, int(np.ceil((high - low) / width)) + 1)


def _aligned(
    ref: tuple[np.ndarray, np.ndarray], cur: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    values = np.union1d(ref[0], cur[0])
    ref_counts = np.zeros(len(values), dtype=np.int64)
    cur_counts = np.zeros(len(values), dtype=np.int64)
    ref_counts[np.searchsorted(values, ref[0])] = ref[1]
    cur_counts[np.searchsorted(values, cur[0])] = cur[1]
    return values, ref_counts, cur_counts


def _is_integer(column: ColumnProfile) -> bool:
    return column.arrow_type.startswith(("int", "uint")) and column.null_count == 0


def _check_column(
    reference: ColumnProfile,
    current: ColumnProfile,
    method_name: str | None,
    threshold: float | None,
) -> ColumnDrift:
    kind = reference.kind
    name = reference.name
    if kind is not ColumnKind.NUMERIC:
        labels, ref_counts, cur_counts = _categorical_distribution(reference, current)
        distinct = int(np.count_nonzero((ref_counts > 0) | (cur_counts > 0)))
        if method_name in (None, AUTO):
            method_name = auto_method(kind, int(ref_counts.sum()), distinct)
        method = resolve_method(method_name, kind, name)
        assert method.score_binned is not None  # every categorical method has one
        score = method.score_binned(ref_counts, cur_counts)
        pictures = _category_sides(labels, ref_counts, cur_counts)
    else:
        method, score, pictures = _numeric(reference, current, method_name, name)
    return verdict(name, kind, method, score, threshold, pictures)


def _numeric(
    reference: ColumnProfile, current: ColumnProfile, method_name: str | None, name: str
) -> tuple[DriftMethod, float, tuple[dict[str, Any], dict[str, Any]]]:
    from scipy import stats  # lazy: importing scipy.stats costs ~0.5 s

    ref_values, ref_counts, ref_exact = _numeric_distribution(reference)
    cur_values, cur_counts, cur_exact = _numeric_distribution(current)
    exact = ref_exact and cur_exact
    n_ref, n_cur = int(ref_counts.sum()), int(cur_counts.sum())
    expandable = exact and n_ref + n_cur <= MAX_EXPANDED_ROWS
    if method_name in (None, AUTO):
        distinct = len(np.union1d(ref_values, cur_values)) if exact else FEW_NUMERIC_VALUES + 1
        auto_kind = ColumnKind.NUMERIC
        if _is_integer(reference) and ref_exact and len(ref_values) <= INTEGER_CATEGORY_LIMIT:
            auto_kind = ColumnKind.CATEGORICAL
        method_name = auto_method(auto_kind, n_ref, distinct)
        if method_name in RANK_TESTS and not expandable:
            method_name = "wasserstein"  # what Evidently picks for large references
    method = resolve_method(method_name, ColumnKind.NUMERIC, name)
    ref_sum, cur_sum = reference.numeric, current.numeric
    assert ref_sum is not None and cur_sum is not None
    low = min(ref_sum.min or 0.0, cur_sum.min or 0.0)
    high = max(ref_sum.max or 0.0, cur_sum.max or 0.0)
    integer = _is_integer(reference) and _is_integer(current)
    if method.name in RANK_TESTS:
        if not expandable:
            supported = [m.name for m in all_methods() if m.name not in RANK_TESTS]
            raise InputError(
                f"method {method.name!r} needs every value of column {name!r}, which its "
                f"profiles do not keep; in profile mode use one of: {', '.join(supported)}",
                param="method",
            )
        ref = np.repeat(ref_values, ref_counts)
        cur = np.repeat(cur_values, cur_counts)
        score = method.score_exact(ref, cur, ColumnKind.NUMERIC)
    elif method.name == "wasserstein":
        norm = max(ref_sum.std or 0.0, MIN_NORM)
        score = float(
            stats.wasserstein_distance(ref_values, cur_values, ref_counts, cur_counts) / norm
        )
    elif method.name == "hellinger":
        keys = np.union1d(ref_values, cur_values)
        edges = _sturges_edges(low, high, len(keys), integer)
        score = _binned(method, edges, (ref_values, ref_counts), (cur_values, cur_counts))
    elif not ref_exact or (
        len(ref_values) > NUMERIC_BINNING_MIN_DISTINCT and method.name not in VALUE_TESTS
    ):
        edges = _sturges_edges(low, high, n_ref + n_cur, integer)
        score = _binned(method, edges, (ref_values, ref_counts), (cur_values, cur_counts))
    else:
        _, ref_aligned, cur_aligned = _aligned((ref_values, ref_counts), (cur_values, cur_counts))
        assert method.score_binned is not None
        score = method.score_binned(ref_aligned, cur_aligned)
    pictures = _numeric_sides(reference, current, low, high)
    return method, score, pictures


def _binned(
    method: DriftMethod,
    edges: np.ndarray,
    ref: tuple[np.ndarray, np.ndarray],
    cur: tuple[np.ndarray, np.ndarray],
) -> float:
    assert method.score_binned is not None
    ref_counts = np.histogram(ref[0], edges, weights=ref[1])[0]
    cur_counts = np.histogram(cur[0], edges, weights=cur[1])[0]
    return method.score_binned(ref_counts, cur_counts)


def _numeric_sides(
    reference: ColumnProfile, current: ColumnProfile, low: float, high: float
) -> tuple[dict[str, Any], dict[str, Any]]:
    edges = np.linspace(low, high if high > low else low + 1.0, 11)

    def side(column: ColumnProfile) -> dict[str, Any]:
        s = column.numeric
        assert s is not None
        counts = s.counts_on(edges.tolist())
        return {
            "count": s.count,
            "missing": column.null_count + s.nan_count + s.posinf_count + s.neginf_count,
            "mean": s.mean,
            "std": s.std,
            "min": s.min,
            "max": s.max,
            "quantiles": {str(q): s.quantile(q) for q in (0.05, 0.25, 0.5, 0.75, 0.95)},
            "histogram": (counts / max(s.count, 1)).tolist(),
            "histogram_edges": edges.tolist(),
        }

    return side(reference), side(current)


def _category_sides(
    labels: list[str], ref_counts: np.ndarray, cur_counts: np.ndarray
) -> tuple[dict[str, Any], dict[str, Any]]:
    ref_shares = ref_counts / max(ref_counts.sum(), 1)
    cur_shares = cur_counts / max(cur_counts.sum(), 1)
    top = np.argsort(-(ref_shares + cur_shares), kind="stable")[:PICTURE_TOP]

    def side(counts: np.ndarray, shares: np.ndarray) -> dict[str, Any]:
        return {
            "count": int(counts.sum()),
            "distinct": int(np.count_nonzero(counts)),
            "top_shares": {labels[i]: float(shares[i]) for i in top},
        }

    return side(ref_counts, ref_shares), side(cur_counts, cur_shares)
