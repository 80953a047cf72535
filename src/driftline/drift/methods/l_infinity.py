"""L-infinity distance: the largest difference of one bin's share between the sides."""

from __future__ import annotations

import numpy as np

from driftline.drift.methods.base import BOTH, Direction, DriftMethod
from driftline.drift.methods.binning import binned_counts, shares
from driftline.io import ColumnKind


def _binned(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    ref, cur = shares(ref_counts, cur_counts, fill=False)
    return float(np.max(np.abs(ref - cur), initial=0.0))


def _score(ref: np.ndarray, cur: np.ndarray, kind: ColumnKind) -> float:
    return _binned(*binned_counts(ref, cur, kind))


METHOD = DriftMethod(
    name="l_infinity",
    title="L-infinity distance",
    kinds=BOTH,
    default_threshold=0.1,
    direction=Direction.DISTANCE,
    score_exact=_score,
    score_binned=_binned,
)
