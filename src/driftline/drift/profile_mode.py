"""Profile mode: a reference profile against a current window profiled in one streaming pass.

Each side of a column is a weighted distribution (value -> count): exact while the profile
kept every distinct value (numeric: up to `exact_cap`; categorical: up to `category_cap`),
else the profile's buckets (numeric: its equal-width grid or its log sketch, whichever is
finer for the column, see `NumericSummary.distribution`) or its top-k plus one "other" bucket
(categorical). Methods then run on these distributions with
Evidently's binning rules, so exact distributions give exact mode's scores; rank tests (ks,
cramer_von_mises, anderson) run only where both sides are exact and small enough to expand.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from typing import Any

import numpy as np
import pyarrow as pa

from driftline.drift.auto import DISTINCT_CAP, INTEGER_CATEGORY_LIMIT, RANK_TESTS, ColumnShape
from driftline.drift.methods.base import DriftMethod
from driftline.drift.methods.binning import NUMERIC_BINNING_MIN_DISTINCT, refuse_continuous
from driftline.drift.methods.wasserstein import MIN_NORM
from driftline.drift.options import per_column
from driftline.drift.registry import all_methods
from driftline.drift.result import ColumnDrift, DriftResult
from driftline.drift.selection import (
    Sides,
    check_rows,
    check_usable,
    choose_method,
    policy_of,
    require_columns,
    split_checked,
    verdict,
    wanted_columns,
)
from driftline.drift.stable import equal_width_edges, exponent, scaled
from driftline.errors import EmptyDataError, InputError, SchemaMismatchError
from driftline.io import ColumnKind, kind_of_type
from driftline.profile import (
    ColumnProfile,
    DatasetProfile,
    NumericSummary,
    can_profile_as,
    check_window_profile,
    profile_batches,
)
from driftline.profile.distinct import union_estimate

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
    """`check_drift` in profile mode (see the module docstring).

    Each column is checked as the kind the reference profile recorded (a `--kind` given
    when profiling is adopted); `kinds` may repeat those kinds but not change them.
    `current` is a table, record batches (profiled here with the reference's options), or
    the window's profile built with them (`profile_window`).
    """
    check_rows(reference.row_count, 1, "reference profile")
    wanted = wanted_columns(columns, list(reference.columns), prediction_column, exclude)
    require_columns(wanted, list(reference.columns), "reference profile")
    _check_kind_options(reference, kinds, wanted)
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


def _check_kind_options(
    reference: DatasetProfile, kinds: Mapping[str, str] | None, wanted: Sequence[str]
) -> None:
    for name, kind in (kinds or {}).items():
        recorded = reference.columns[name].kind if name in wanted else None
        if recorded is not None and ColumnKind(kind) is not recorded:
            raise InputError(
                f"kind {kind!r} for column {name!r} differs from the reference profile's "
                f"{recorded}: a profile is checked as the kinds it was built with; profile the "
                f"reference again with that kind",
                param="kinds",
            )


def _natural_kind(column: ColumnProfile) -> ColumnKind:
    """The kind a column's recorded Arrow type has without any override."""
    try:
        return kind_of_type(pa.type_for_alias(column.arrow_type))
    except (ValueError, KeyError):
        return column.kind


def _check_type(name: str, reference: ColumnProfile, arrow_type: str, natural: ColumnKind) -> None:
    """Raise when the current side's type changed from the reference's beyond what the
    reference's kind can compare (categorical columns take any scalar type)."""
    ref_natural = _natural_kind(reference)
    if {ref_natural, natural} - {ColumnKind.CATEGORICAL} and ref_natural != natural:
        raise SchemaMismatchError(
            f"column {name!r} changed type: reference {reference.arrow_type} "
            f"({reference.kind}), current {arrow_type} ({natural}); cast one side or set its "
            "kind",
            param=name,
        )


def _profile_current(
    reference: DatasetProfile,
    current: pa.Table | Iterable[pa.RecordBatch] | DatasetProfile,
    names: list[str],
) -> DatasetProfile:
    if isinstance(current, DatasetProfile):
        return _window_profile(reference, current, names)
    batches = iter(current.to_batches() if isinstance(current, pa.Table) else current)
    first = next(batches, None)
    if first is None:
        raise EmptyDataError("current window has no rows", param="current")
    require_columns(names, first.schema.names, "current")
    for name in names:
        arrow_type = first.schema.field(name).type
        _check_type(name, reference.columns[name], str(arrow_type), kind_of_type(arrow_type))
        kind = reference.columns[name].kind
        if not can_profile_as(kind, arrow_type):
            raise SchemaMismatchError(
                f"column {name!r} is {kind} in the reference profile, but its current type "
                f"{arrow_type} cannot be read as {kind}",
                param=name,
            )
    schema = pa.schema([_declared(first.schema.field(c)) for c in names])
    projected = (b.select(names) for b in itertools.chain([first], batches))
    kinds = {c: reference.columns[c].kind for c in names}
    return profile_batches(projected, kinds, schema=schema, **asdict(reference.options))


def categorical_columns(reference: DatasetProfile, names: Sequence[str] | None) -> list[str]:
    """The columns among `names` (default: all) the reference profile counts as categories:
    the current side's reader may hand them over dictionary-encoded
    (`iter_batches(read_dictionary=)`)."""
    columns = reference.columns
    return [
        n for n in names or columns if n in columns and columns[n].kind is ColumnKind.CATEGORICAL
    ]


def _declared(field: pa.Field) -> pa.Field:
    """A string column read dictionary-encoded is recorded as the string column it is."""
    if pa.types.is_dictionary(field.type) and pa.types.is_string(field.type.value_type):
        return field.with_type(field.type.value_type)
    return field


def _window_profile(
    reference: DatasetProfile, current: DatasetProfile, names: list[str]
) -> DatasetProfile:
    """`current`, a window profile, checked to be comparable with `reference`."""
    require_columns(names, list(current.columns), "current window profile")
    check_window_profile(current, reference)
    for name in names:
        column = current.columns[name]
        _check_type(name, reference.columns[name], column.arrow_type, _natural_kind(column))
        if column.kind is not reference.columns[name].kind:
            raise SchemaMismatchError(
                f"column {name!r} is {column.kind} in the window profile but "
                f"{reference.columns[name].kind} in the reference profile; profile the window "
                "with the reference profile's kinds (profile_window does)",
                param=name,
            )
    return current


def _usable(column: ColumnProfile) -> int:
    if column.numeric is not None:
        return column.numeric.count
    return column.categorical.count if column.categorical is not None else 0


def _numeric_distribution(
    column: ColumnProfile, other: ColumnProfile
) -> tuple[np.ndarray, np.ndarray, bool]:
    """`column`'s distribution, on the buckets `other`'s is read on (`distribution_like`)."""
    summary, theirs = column.numeric, other.numeric
    assert summary is not None and summary.min is not None and summary.max is not None
    assert theirs is not None
    values, counts = summary.distribution_like(theirs)
    return values, counts, summary.exact


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
    if high - low == math.inf:  # Python floats: no numpy warning
        return equal_width_edges(low, high, int(np.ceil(np.log2(n) + 1.0)))
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
        method = choose_method(
            method_name, kind, name, lambda: ColumnShape(kind, int(ref_counts.sum()), distinct)
        )
        assert method.score_binned is not None  # every categorical method has one
        score = method.score_binned(ref_counts, cur_counts)
        pictures = _category_sides(labels, ref_counts, cur_counts)
    else:
        method, score, pictures = _numeric(reference, current, method_name, name)
    return verdict(name, kind, method, score, threshold, pictures, policy_of(method_name))


def _numeric(
    reference: ColumnProfile, current: ColumnProfile, method_name: str | None, name: str
) -> tuple[DriftMethod, float, Sides]:

    ref_values, ref_counts, ref_exact = _numeric_distribution(reference, current)
    cur_values, cur_counts, cur_exact = _numeric_distribution(current, reference)
    exact = ref_exact and cur_exact
    n_ref, n_cur = int(ref_counts.sum()), int(cur_counts.sum())
    expandable = exact and n_ref + n_cur <= MAX_EXPANDED_ROWS

    def shape() -> ColumnShape:
        return ColumnShape(
            ColumnKind.NUMERIC,
            n_ref,
            len(np.union1d(ref_values, cur_values)) if exact else DISTINCT_CAP,
            few_integers=(
                _is_integer(reference) and ref_exact and len(ref_values) <= INTEGER_CATEGORY_LIMIT
            ),
            every_value=expandable,
        )

    method = choose_method(method_name, ColumnKind.NUMERIC, name, shape)
    if method.name in VALUE_TESTS:
        refuse_continuous(method.name, ref_values, cur_values, ColumnKind.NUMERIC)
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
        score = _wasserstein(ref_values, ref_counts, cur_values, cur_counts, ref_sum.std)
    elif method.name == "hellinger":
        edges = _sturges_edges(low, high, _distinct_union(ref_sum, cur_sum), integer)
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


def _distinct_union(reference: NumericSummary, current: NumericSummary) -> int:
    """Distinct finite values of both sides: exact while both profiles kept every value, else
    estimated from their distinct-count sketches (older profiles without one: the row count)."""
    if reference.exact_values is not None and current.exact_values is not None:
        return len(set(reference.exact_values) | set(current.exact_values))
    if reference.distinct is not None and current.distinct is not None:
        return union_estimate(reference.distinct, current.distinct)
    return reference.count + current.count


def _wasserstein(
    ref_values: np.ndarray,
    ref_counts: np.ndarray,
    cur_values: np.ndarray,
    cur_counts: np.ndarray,
    reference_std: float | None,
) -> float:
    """Wasserstein distance normed by the reference's standard deviation, on values scaled
    into [-1, 1] when they are huge (drift/stable.py)."""
    power = exponent(ref_values, cur_values)
    ref, cur = scaled(ref_values, power), scaled(cur_values, power)
    if reference_std is not None and math.isfinite(reference_std):
        std = math.ldexp(reference_std, -power)
    else:  # the profile's moments overflowed: the spread of its distribution instead
        mean = np.average(ref, weights=ref_counts)
        std = math.sqrt(np.average((ref - mean) ** 2, weights=ref_counts))
    norm = max(std, math.ldexp(MIN_NORM, -power))
    return weighted_wasserstein_1(ref, ref_counts, cur, cur_counts) / norm


def weighted_wasserstein_1(
    u: np.ndarray, u_weights: np.ndarray, v: np.ndarray, v_weights: np.ndarray
) -> float:
    """Wasserstein-1 distance between two weighted samples (values with counts): the integral
    of |F_u - F_v| over the values, F the weighted CDFs (as scipy's wasserstein_distance)."""
    points = np.union1d(u, v)
    if points.size < 2:
        return 0.0
    gaps = np.diff(points)
    return float(
        np.dot(np.abs(_cdf(u, u_weights, points[:-1]) - _cdf(v, v_weights, points[:-1])), gaps)
    )


def _cdf(values: np.ndarray, weights: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The weighted CDF of `values` at each of `at`: the share of weight on values <= it."""
    order = np.argsort(values, kind="stable")
    cumulative = np.concatenate([[0.0], np.cumsum(np.asarray(weights, np.float64)[order])])
    return cumulative[np.searchsorted(values[order], at, side="right")] / cumulative[-1]


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
) -> Sides:
    edges = equal_width_edges(low, high if high > low else low + 1.0, 10)

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


def _category_sides(labels: list[str], ref_counts: np.ndarray, cur_counts: np.ndarray) -> Sides:
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
