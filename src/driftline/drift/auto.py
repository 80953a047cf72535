"""`auto`: pick each column's method the way Evidently 0.7 does by default.

Evidently's rule (legacy `_get_default_stattest`), on the non-null finite values:
reference of at most 1000 rows: numeric with > 5 distinct values -> ks, else chi2
(3-5 values) or z (1-2 values); categorical -> chi2 (> 2 values) or z. Larger
references get distances, because at large n p-value tests flag negligible shifts:
numeric with > 5 distinct values -> wasserstein, else jensenshannon; categorical ->
jensenshannon. Distinct values are counted over both sides together.
"""

from __future__ import annotations

import numpy as np

from driftline.drift.methods.binning import count_distinct, value_counts
from driftline.io import ColumnKind

SMALL_REFERENCE_ROWS = 1000
FEW_NUMERIC_VALUES = 5


def auto_method(kind: ColumnKind, reference_size: int, distinct: int) -> str:
    """The method Evidently 0.7 would choose for a column of this kind and shape."""
    numeric = kind is ColumnKind.NUMERIC
    if reference_size <= SMALL_REFERENCE_ROWS:
        if numeric and distinct > FEW_NUMERIC_VALUES:
            return "ks"
        return "chi2" if distinct > 2 else "z"
    if numeric and distinct > FEW_NUMERIC_VALUES:
        return "wasserstein"
    return "jensenshannon"


def auto_method_for(ref: np.ndarray, cur: np.ndarray, kind: ColumnKind) -> str:
    """`auto_method` for the values of both sides (as given to `DriftMethod.score_exact`)."""
    if kind is ColumnKind.NUMERIC:
        distinct = count_distinct(np.concatenate([ref, cur]), FEW_NUMERIC_VALUES)
    else:
        distinct = len(value_counts(ref, cur)[0])
    return auto_method(kind, len(ref), distinct)
