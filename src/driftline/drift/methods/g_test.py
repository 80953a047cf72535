"""G-test (log-likelihood ratio) of current frequencies against reference ones (p-value).

As Evidently's `g_test`: a goodness-of-fit test of the current counts against the reference
counts. Evidently requires equal sizes; driftline scales the reference counts to the current
total (the same numbers whenever the sizes are equal).
"""

from __future__ import annotations

import numpy as np

from driftline.drift.methods.base import CATEGORICAL, Direction, DriftMethod
from driftline.drift.methods.binning import seen_only, value_counts
from driftline.io import ColumnKind


def _binned(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    from scipy import stats  # lazy: importing scipy.stats costs ~0.5 s

    ref_counts, cur_counts = seen_only(ref_counts, cur_counts)
    if ref_counts.sum() == 0:  # every value is new in current
        return 0.0
    expected = ref_counts * (cur_counts.sum() / ref_counts.sum())
    with np.errstate(divide="ignore", invalid="ignore"):  # a new value: infinite statistic
        terms = np.where(cur_counts > 0, cur_counts * np.log(cur_counts / expected), 0.0)
    statistic = 2.0 * float(np.sum(terms))
    return float(stats.chi2.sf(statistic, len(ref_counts) - 1))


def _score(ref: np.ndarray, cur: np.ndarray, kind: ColumnKind) -> float:
    return _binned(*value_counts(ref, cur))


METHOD = DriftMethod(
    name="g_test",
    title="G-test p-value",
    kinds=CATEGORICAL,
    default_threshold=0.1,
    direction=Direction.P_VALUE,
    score_exact=_score,
    score_binned=_binned,
    evidently_name="g_test",
)
