"""Two-sample Kolmogorov-Smirnov test (p-value), as Evidently's `ks`."""

from __future__ import annotations

import numpy as np

from driftline.drift.buckets import SharedBuckets
from driftline.drift.kolmogorov import two_sided_sf
from driftline.drift.methods.base import NUMERIC, Direction, DriftMethod
from driftline.io import ColumnKind

#: scipy's ks_2samp computes the exact distribution up to this sample size (its MAX_AUTO_N)
#: and Smirnov's asymptotic one above it
EXACT_SIZE = 10_000


def _score(ref: np.ndarray, cur: np.ndarray, kind: ColumnKind) -> float:
    """scipy.stats.ks_2samp(ref, cur).pvalue."""
    if max(len(ref), len(cur)) <= EXACT_SIZE:
        return _exact_distribution(ref, cur)
    return _score_shared(SharedBuckets(ref, cur))


def _score_shared(shared: SharedBuckets) -> float:
    """scipy.stats.ks_2samp(ref, cur).pvalue of the two samples in `shared`. On large
    samples the statistic comes from the buckets (O(n), the same number) instead of two
    sorts and 2n binary searches, and the p-value from `two_sided_sf`."""
    ref, cur = shared.samples
    if max(len(ref), len(cur)) <= EXACT_SIZE:
        return _exact_distribution(ref, cur)
    # ks_2samp's 'asymp' branch (two-sided), from the same statistic
    m, n = sorted([float(len(ref)), float(len(cur))], reverse=True)
    return two_sided_sf(shared.ks_statistic(), float(np.round(m * n / (m + n))))


def _exact_distribution(ref: np.ndarray, cur: np.ndarray) -> float:
    """Small samples: scipy's exact distribution (no buckets needed)."""
    from scipy import stats  # lazy: importing scipy.stats costs ~0.5 s

    return float(stats.ks_2samp(ref, cur).pvalue)


METHOD = DriftMethod(
    name="ks",
    title="Kolmogorov-Smirnov p-value",
    kinds=NUMERIC,
    default_threshold=0.05,
    direction=Direction.P_VALUE,
    score_exact=_score,
    score_shared=_score_shared,
    inclusive=True,
    evidently_name="ks",
)
