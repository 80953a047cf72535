"""Energy distance between the two samples, as Evidently's `ed` (drift above the threshold)."""

from __future__ import annotations

import numpy as np

from driftline.drift.methods.base import NUMERIC, Direction, DriftMethod
from driftline.drift.stable import exponent, scaled, unscaled
from driftline.io import ColumnKind


def _score(ref: np.ndarray, cur: np.ndarray, kind: ColumnKind) -> float:
    from scipy import stats  # lazy: importing scipy.stats costs ~0.5 s

    # scipy's energy distance grows with the square root of the values' scale: compute it on
    # values divided by an even power of two (exact), then multiply back by half that power
    power = exponent(ref, cur)
    power += power % 2
    distance = float(stats.energy_distance(scaled(ref, power), scaled(cur, power)))
    return unscaled(distance, power // 2)


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
