"""Jensen-Shannon distance (natural log) on Evidently's bins (distance)."""

from __future__ import annotations

import numpy as np

from driftline.drift.methods.base import BOTH, Direction, DriftMethod
from driftline.drift.methods.binning import binned_counts, shares
from driftline.io import ColumnKind


def _relative_entropy(p: np.ndarray, m: np.ndarray) -> float:
    """sum of p * log(p / m) over p > 0 (scipy.special.rel_entr summed; m > 0 where p > 0)."""
    present = p > 0
    return float(np.sum(p[present] * np.log(p[present] / m[present])))


def jensenshannon_distance(p: np.ndarray, q: np.ndarray) -> float:
    """scipy.spatial.distance.jensenshannon(p, q) with the same steps, without importing scipy."""
    p, q = p / np.sum(p), q / np.sum(q)
    m = (p + q) / 2.0
    return float(np.sqrt((_relative_entropy(p, m) + _relative_entropy(q, m)) / 2.0))


def _binned(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    ref, cur = shares(ref_counts, cur_counts, fill=False)
    return jensenshannon_distance(ref, cur)


def _score(ref: np.ndarray, cur: np.ndarray, kind: ColumnKind) -> float:
    return _binned(*binned_counts(ref, cur, kind))


METHOD = DriftMethod(
    name="jensenshannon",
    title="Jensen-Shannon distance",
    kinds=BOTH,
    default_threshold=0.1,
    direction=Direction.DISTANCE,
    score_exact=_score,
    score_binned=_binned,
    evidently_name="jensenshannon",
)
