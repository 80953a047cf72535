"""Shared counting and binning, done the way Evidently 0.7 does it (get_binned_data)."""

from __future__ import annotations

import numpy as np

from driftline.drift.stable import exponent, scaled
from driftline.errors import InputError
from driftline.io import ColumnKind

# Evidently bins a numeric column by Sturges on both sides when the reference has more
# distinct values than this; otherwise it compares value frequencies.
NUMERIC_BINNING_MIN_DISTINCT = 20


def count_distinct(values: np.ndarray, cap: int) -> int:
    """Distinct values in `values`, exact up to `cap` (returns cap + 1 beyond it), fast."""
    head = values[: 4 * (cap + 1) * 64]
    if len(np.unique(head)) > cap:
        return cap + 1
    return min(len(np.unique(values)), cap + 1)


def refuse_continuous(method: str, ref: np.ndarray, cur: np.ndarray, kind: ColumnKind) -> None:
    """Raise if a method that compares value frequencies gets a continuous numeric column
    (more than `NUMERIC_BINNING_MIN_DISTINCT` distinct values): each value would be its own
    category, and almost every row a category unseen on the other side."""
    if kind is not ColumnKind.NUMERIC:
        return
    distinct = count_distinct(np.concatenate([ref, cur]), NUMERIC_BINNING_MIN_DISTINCT)
    if distinct > NUMERIC_BINNING_MIN_DISTINCT:
        raise InputError(
            f"method {method!r} compares value frequencies, and this numeric column has more "
            f"than {NUMERIC_BINNING_MIN_DISTINCT} distinct values; bin it first (a categorical "
            "column of bins), or use a method for continuous columns: auto, ks, "
            "chi2_contingency (binned), psi, wasserstein",
            param="method",
        )


def value_counts(ref: np.ndarray, cur: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Counts of each value seen on either side, aligned: (reference counts, current counts)."""
    low = min(ref.min(initial=0), cur.min(initial=0))
    high = max(ref.max(initial=-1), cur.max(initial=-1))
    if ref.dtype.kind in "iu" and cur.dtype.kind in "iu" and low >= 0 and high < 2**20:
        size = int(high) + 1
        ref_counts = np.bincount(ref, minlength=size)
        cur_counts = np.bincount(cur, minlength=size)
        return seen_only(ref_counts, cur_counts)
    _, inverse = np.unique(np.concatenate([ref, cur]), return_inverse=True)
    size = int(inverse.max(initial=-1)) + 1
    return (
        np.bincount(inverse[: len(ref)], minlength=size),
        np.bincount(inverse[len(ref) :], minlength=size),
    )


def seen_only(ref_counts: np.ndarray, cur_counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Aligned counts without the values seen on neither side."""
    seen = (ref_counts > 0) | (cur_counts > 0)
    return ref_counts[seen], cur_counts[seen]


def sturges_counts(ref: np.ndarray, cur: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Counts on Sturges edges computed over both sides together (on values scaled by a
    power of two when huge: the same counts, without overflow)."""
    power = exponent(ref, cur)
    ref, cur = scaled(ref, power), scaled(cur, power)
    edges = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
    return np.histogram(ref, edges)[0], np.histogram(cur, edges)[0]


def binned_counts(
    ref: np.ndarray, cur: np.ndarray, kind: ColumnKind
) -> tuple[np.ndarray, np.ndarray]:
    """Evidently's binning: Sturges bins for numeric columns with > 20 distinct reference
    values, else the frequency of each value."""
    if (
        kind is ColumnKind.NUMERIC
        and count_distinct(ref, NUMERIC_BINNING_MIN_DISTINCT) > NUMERIC_BINNING_MIN_DISTINCT
    ):
        return sturges_counts(ref, cur)
    return value_counts(ref, cur)


def fill_zeros(shares: np.ndarray) -> np.ndarray:
    """Replace empty bins by a tiny share so logarithms stay finite (Evidently's rule)."""
    nonzero = shares[shares != 0]
    if len(nonzero) == 0:
        return shares
    smallest = nonzero.min()
    fill = smallest / 10**6 if smallest <= 0.0001 else 0.0001
    return np.where(shares == 0, fill, shares)


def shares(
    ref_counts: np.ndarray, cur_counts: np.ndarray, *, fill: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Counts to shares of each side's total, optionally with empty bins filled."""
    ref_shares = ref_counts / max(ref_counts.sum(), 1)
    cur_shares = cur_counts / max(cur_counts.sum(), 1)
    if fill:
        return fill_zeros(ref_shares), fill_zeros(cur_shares)
    return ref_shares, cur_shares
