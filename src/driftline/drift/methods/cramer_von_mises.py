"""Two-sample Cramér-von Mises test (p-value), as Evidently's `cramer_von_mises`."""

from __future__ import annotations

import numpy as np

from driftline.drift.methods.base import NUMERIC, Direction, DriftMethod
from driftline.io import ColumnKind


def _score(ref: np.ndarray, cur: np.ndarray, kind: ColumnKind) -> float:
    from scipy import stats  # lazy: importing scipy.stats costs ~0.5 s

    return float(stats.cramervonmises_2samp(ref, cur).pvalue)


METHOD = DriftMethod(
    name="cramer_von_mises",
    title="Cramér-von Mises p-value",
    kinds=NUMERIC,
    default_threshold=0.1,
    direction=Direction.P_VALUE,
    score_exact=_score,
    inclusive=True,
    evidently_name="cramer_von_mises",
)
