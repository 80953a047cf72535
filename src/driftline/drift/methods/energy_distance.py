"""Energy distance between the two samples, as Evidently's `ed` (drift above the threshold)."""

from __future__ import annotations

import numpy as np

from driftline.drift.methods.base import NUMERIC, Direction, DriftMethod
from driftline.io import ColumnKind


def _score(ref: np.ndarray, cur: np.ndarray, kind: ColumnKind) -> float:
    from scipy import stats  # lazy: importing scipy.stats costs ~0.5 s

    return float(stats.energy_distance(ref, cur))


METHOD = DriftMethod(
    name="ed",
    title="energy distance",
    kinds=NUMERIC,
    default_threshold=0.1,
    direction=Direction.DISTANCE,
    score_exact=_score,
    inclusive=False,
    evidently_name="ed",
)
