"""Epps-Singleton test on the empirical characteristic functions (p-value), as Evidently's `es`.

The test scales by the interquartile range of both sides together: where it is zero, or
a side has fewer than 5 values, the score cannot be computed and is NaN (status unknown);
Evidently raises an error instead.
"""

from __future__ import annotations

import numpy as np

from driftline.drift.methods.base import NUMERIC, Direction, DriftMethod
from driftline.io import ColumnKind

MIN_VALUES = 5  # scipy's epps_singleton_2samp needs at least this many values a side


def _score(ref: np.ndarray, cur: np.ndarray, kind: ColumnKind) -> float:
    from scipy import stats  # lazy: importing scipy.stats costs ~0.5 s

    if min(len(ref), len(cur)) < MIN_VALUES or stats.iqr(np.concatenate([ref, cur])) == 0:
        return float("nan")
    return float(stats.epps_singleton_2samp(ref, cur).pvalue)


METHOD = DriftMethod(
    name="es",
    title="Epps-Singleton p-value",
    kinds=NUMERIC,
    default_threshold=0.05,
    direction=Direction.P_VALUE,
    score_exact=_score,
    evidently_name="es",
)
