"""Wasserstein (earth mover's) distance normed by the reference standard deviation."""

from __future__ import annotations

import numpy as np

from driftline.drift.methods.base import NUMERIC, Direction, DriftMethod
from driftline.io import ColumnKind

MIN_NORM = 0.001  # Evidently's floor for the reference standard deviation


def wasserstein_sorted(u: np.ndarray, v: np.ndarray) -> float:
    """W1 = integral of |F_u - F_v| for ascending `u` and `v`: the two sorted runs merged by
    a stable argsort, CDFs from running counts. scipy's result without its two argsorts."""
    both = np.concatenate([u, v])
    order = np.argsort(both, kind="stable")
    from_u = order < len(u)
    u_cdf = np.cumsum(from_u[:-1]) / len(u)
    v_cdf = np.cumsum(~from_u[:-1]) / len(v)
    return float(np.dot(np.abs(u_cdf - v_cdf), np.diff(both[order])))


def _score(ref: np.ndarray, cur: np.ndarray, kind: ColumnKind) -> float:
    norm = max(float(np.std(ref)), MIN_NORM)
    return wasserstein_sorted(ref, cur) / norm


METHOD = DriftMethod(
    name="wasserstein",
    title="Wasserstein distance (normed)",
    kinds=NUMERIC,
    default_threshold=0.1,
    direction=Direction.DISTANCE,
    score_exact=_score,
    evidently_name="wasserstein",
)
