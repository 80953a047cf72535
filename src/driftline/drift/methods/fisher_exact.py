"""Fisher's exact test on a binary column's 2x2 table (p-value), as Evidently's `fisher_exact`.

Evidently also requires both sides to have the same number of rows; the table is defined
for any sizes, so driftline does not.
"""

from __future__ import annotations

import numpy as np

from driftline.drift.methods.base import CATEGORICAL, Direction, DriftMethod
from driftline.drift.methods.binning import seen_only, value_counts
from driftline.errors import InputError
from driftline.io import ColumnKind


def _binned(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    from scipy import stats  # lazy: importing scipy.stats costs ~0.5 s

    ref_counts, cur_counts = seen_only(ref_counts, cur_counts)
    if len(ref_counts) > 2:
        raise InputError(
            f"method 'fisher_exact' needs a binary column, this one has {len(ref_counts)} "
            "values; for more categories use chi2, g_test or TVD",
            param="method",
        )
    if len(ref_counts) < 2:  # one value on both sides: a column of zeros in the table
        return 1.0
    return float(stats.fisher_exact(np.array([cur_counts, ref_counts])).pvalue)


def _score(ref: np.ndarray, cur: np.ndarray, kind: ColumnKind) -> float:
    return _binned(*value_counts(ref, cur))


METHOD = DriftMethod(
    name="fisher_exact",
    title="Fisher's exact test p-value",
    kinds=CATEGORICAL,
    default_threshold=0.1,
    direction=Direction.P_VALUE,
    score_exact=_score,
    score_binned=_binned,
    evidently_name="fisher_exact",
)
