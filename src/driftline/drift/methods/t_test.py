"""Student's two-sample t-test of equal means (p-value), as Evidently's `t_test`."""

from __future__ import annotations

import warnings

import numpy as np

from driftline.drift.methods.base import NUMERIC, Direction, DriftMethod
from driftline.drift.stable import exponent, scaled
from driftline.io import ColumnKind


def _score(ref: np.ndarray, cur: np.ndarray, kind: ColumnKind) -> float:
    from scipy import stats  # lazy: importing scipy.stats costs ~0.5 s

    power = exponent(ref, cur)  # t is scale-free: divide by a power of two (exact) first,
    with warnings.catch_warnings():  # so variances of values near 1e300 do not overflow
        warnings.simplefilter("ignore")  # constant sides: scipy warns and returns NaN
        return float(stats.ttest_ind(scaled(ref, power), scaled(cur, power)).pvalue)


METHOD = DriftMethod(
    name="t_test",
    title="t-test p-value",
    kinds=NUMERIC,
    default_threshold=0.05,
    direction=Direction.P_VALUE,
    score_exact=_score,
    evidently_name="t_test",
)
