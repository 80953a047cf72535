"""Kullback-Leibler divergence of reference from current on Evidently's bins (distance)."""

from __future__ import annotations

import numpy as np

from driftline.drift.methods.base import BOTH, Direction, DriftMethod
from driftline.drift.methods.binning import binned_counts, shares
from driftline.io import ColumnKind


def _binned(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    from scipy import stats  # lazy: importing scipy.stats costs ~0.5 s

    ref, cur = shares(ref_counts, cur_counts, fill=True)
    return float(stats.entropy(ref, cur))


def _score(ref: np.ndarray, cur: np.ndarray, kind: ColumnKind) -> float:
    return _binned(*binned_counts(ref, cur, kind))


METHOD = DriftMethod(
    name="kl_div",
    title="Kullback-Leibler divergence",
    kinds=BOTH,
    default_threshold=0.1,
    direction=Direction.DISTANCE,
    score_exact=_score,
    score_binned=_binned,
    evidently_name="kl_div",
)
