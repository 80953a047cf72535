"""Two-proportion z-test on the share of the smallest value (p-value), as Evidently's `z`."""

from __future__ import annotations

import math

import numpy as np

from driftline.drift.methods.base import CATEGORICAL, NUMERIC, Direction, DriftMethod
from driftline.drift.methods.binning import refuse_continuous, seen_only
from driftline.io import ColumnKind


def _proportions(n1: int, hits1: float, n2: int, hits2: float) -> float:
    from scipy import stats  # lazy: importing scipy.stats costs ~0.5 s

    p1, p2 = hits1 / n1, hits2 / n2
    pooled = (hits1 + hits2) / (n1 + n2)
    z = (p1 - p2) / math.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2))
    return float(2 * (1 - stats.norm.cdf(abs(z))))


def _score(ref: np.ndarray, cur: np.ndarray, kind: ColumnKind) -> float:
    refuse_continuous(METHOD.name, ref, cur, kind)
    ref_min, cur_min = ref.min(), cur.min()
    if ref_min == ref.max() and cur_min == cur.max() and ref_min == cur_min:
        return 1.0
    first = min(ref_min, cur_min)
    # Evidently tests the share of every value other than the smallest one.
    return _proportions(
        len(ref),
        float(np.count_nonzero(ref != first)),
        len(cur),
        float(np.count_nonzero(cur != first)),
    )


def _binned(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    ref_counts, cur_counts = seen_only(ref_counts, cur_counts)
    if len(ref_counts) == 1:
        return 1.0
    n1, n2 = int(ref_counts.sum()), int(cur_counts.sum())
    return _proportions(n1, float(n1 - ref_counts[0]), n2, float(n2 - cur_counts[0]))


METHOD = DriftMethod(
    name="z",
    title="two-proportion z-test p-value",
    kinds=CATEGORICAL | NUMERIC,
    default_threshold=0.05,
    direction=Direction.P_VALUE,
    score_exact=_score,
    score_binned=_binned,
    evidently_name="z",
)
