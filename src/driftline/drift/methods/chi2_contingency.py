"""Two-sample chi-square test of homogeneity on the 2 x k table of both sides' counts (p-value).

Unlike `chi2` (Evidently's goodness of fit, which treats the reference shares as exact and so
raises false alarms at small references and many categories), both sides are samples here.
The chi-square approximation needs enough rows per cell: values whose expected count on
either side is below `MIN_EXPECTED` are pooled, rarest first, into one cell until every cell
meets it. The pooling looks only at the pooled counts of both sides, which do not depend on
which rows are reference and which current, so the test keeps its level. Numeric columns
are compared on Evidently's bins (Sturges edges above 20 distinct values).
"""

from __future__ import annotations

import numpy as np

from driftline.drift.chisquare import chi2_sf
from driftline.drift.methods.base import BOTH, Direction, DriftMethod
from driftline.drift.methods.binning import binned_counts, seen_only
from driftline.io import ColumnKind

MIN_EXPECTED = 5.0  # Cochran's rule for the chi-square approximation


def pool_rare(ref_counts: np.ndarray, cur_counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Merge the rarest cells into one until every cell's expected count on both sides is
    at least `MIN_EXPECTED` (or one cell is left)."""
    total = ref_counts + cur_counts
    smaller_side = min(ref_counts.sum(), cur_counts.sum())
    needed = MIN_EXPECTED * total.sum() / smaller_side  # pooled count giving that expectation
    order = np.argsort(total, kind="stable")
    pooled = np.cumsum(total[order])
    # the rarest cells go into the pool until the pool and the next cell are both big enough
    rare = int(np.searchsorted(total[order], needed))
    while 0 < rare < len(order) and pooled[rare - 1] < needed:
        rare += 1
    keep, merge = order[rare:], order[:rare]
    if len(merge) == 0:
        return ref_counts, cur_counts
    return (
        np.append(ref_counts[keep], ref_counts[merge].sum()),
        np.append(cur_counts[keep], cur_counts[merge].sum()),
    )


def _binned(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    ref_counts, cur_counts = seen_only(ref_counts, cur_counts)
    if ref_counts.sum() == 0 or cur_counts.sum() == 0:
        return float("nan")
    ref_counts, cur_counts = pool_rare(ref_counts, cur_counts)
    if len(ref_counts) < 2:
        return 1.0
    return homogeneity_p_value(np.array([ref_counts, cur_counts], dtype=np.float64))


def homogeneity_p_value(table: np.ndarray) -> float:
    """scipy.stats.chi2_contingency(table, correction=False).pvalue of a 2 x k table of
    counts (k >= 2, no empty row or column): Pearson's statistic against the counts the
    margins expect, on a chi-square with k - 1 degrees of freedom; scipy's arithmetic, without
    importing scipy (the tail from `chi2_sf`: scipy's to about 1e-11 relative)."""
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    statistic = np.sum(((table - expected) ** 2 / expected).ravel())
    return chi2_sf(float(statistic), table.shape[1] - 1)


def _score(ref: np.ndarray, cur: np.ndarray, kind: ColumnKind) -> float:
    return _binned(*binned_counts(ref, cur, kind))


METHOD = DriftMethod(
    name="chi2_contingency",
    title="two-sample chi-square p-value",
    kinds=BOTH,
    default_threshold=0.05,
    direction=Direction.P_VALUE,
    score_exact=_score,
    score_binned=_binned,
)
