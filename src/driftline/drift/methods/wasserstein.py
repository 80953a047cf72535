"""Wasserstein (earth mover's) distance normed by the reference standard deviation."""

from __future__ import annotations

import math

import numpy as np

from driftline.drift.buckets import wasserstein_1
from driftline.drift.methods.base import NUMERIC, Direction, DriftMethod
from driftline.drift.stable import exponent, scaled
from driftline.io import ColumnKind

MIN_NORM = 0.001  # Evidently's floor for the reference standard deviation


def _score(ref: np.ndarray, cur: np.ndarray, kind: ColumnKind) -> float:
    # Scale-free: computed on values scaled into [-1, 1] when they are huge (drift/stable.py).
    power = exponent(ref, cur)
    ref, cur = scaled(ref, power), scaled(cur, power)
    norm = max(float(np.std(ref)), math.ldexp(MIN_NORM, -power))
    return wasserstein_1(ref, cur) / norm


METHOD = DriftMethod(
    name="wasserstein",
    title="Wasserstein distance (normed)",
    kinds=NUMERIC,
    default_threshold=0.1,
    direction=Direction.DISTANCE,
    score_exact=_score,
    evidently_name="wasserstein",
)
