"""k-sample Anderson-Darling test (p-value, scipy caps it to [0.001, 0.25])."""

from __future__ import annotations

import warnings

import numpy as np

from driftline.drift.methods.base import NUMERIC, Direction, DriftMethod
from driftline.io import ColumnKind


def _score(ref: np.ndarray, cur: np.ndarray, kind: ColumnKind) -> float:
    from scipy import stats  # lazy: importing scipy.stats costs ~0.5 s

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns when it caps the p-value
        return float(stats.anderson_ksamp([ref, cur]).pvalue)


METHOD = DriftMethod(
    name="anderson",
    title="Anderson-Darling p-value",
    kinds=NUMERIC,
    default_threshold=0.1,
    direction=Direction.P_VALUE,
    score_exact=_score,
    evidently_name="anderson",
)
