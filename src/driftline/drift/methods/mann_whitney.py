"""Mann-Whitney U rank test (p-value), as Evidently's `mannw`.

Evidently runs the one-sided test (`alternative="less"`): it finds a current window whose
values are stochastically larger than the reference's, not smaller ones. driftline keeps
that for parity; use `ks` or `auto` to find shifts in both directions.
"""

from __future__ import annotations

import numpy as np

from driftline.drift.methods.base import NUMERIC, Direction, DriftMethod
from driftline.io import ColumnKind


def _score(ref: np.ndarray, cur: np.ndarray, kind: ColumnKind) -> float:
    from scipy import stats  # lazy: importing scipy.stats costs ~0.5 s

    return float(stats.mannwhitneyu(ref, cur, alternative="less").pvalue)


METHOD = DriftMethod(
    name="mannw",
    title="Mann-Whitney U p-value (one-sided)",
    kinds=NUMERIC,
    default_threshold=0.05,
    direction=Direction.P_VALUE,
    score_exact=_score,
    evidently_name="mannw",
)
