"""Hellinger distance: Sturges densities over distinct values (numeric), frequencies
(categorical), as Evidently's `hellinger`."""

from __future__ import annotations

import numpy as np

from driftline.drift.methods.base import BOTH, Direction, DriftMethod
from driftline.drift.methods.binning import shares, value_counts
from driftline.drift.stable import exponent, scaled
from driftline.io import ColumnKind


def _from_affinity(affinity: float) -> float:
    return float(np.sqrt(1 - np.clip(affinity, 0, 1)))


def _binned(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    ref, cur = shares(ref_counts, cur_counts, fill=False)
    return _from_affinity(float(np.sum(np.sqrt(ref * cur))))


def _score(ref: np.ndarray, cur: np.ndarray, kind: ColumnKind) -> float:
    if kind is not ColumnKind.NUMERIC:
        return _binned(*value_counts(ref, cur))
    # Densities of huge values underflow: compute on values scaled into [-1, 1] (scale-free).
    power = exponent(ref, cur)
    ref, cur = scaled(ref, power), scaled(cur, power)
    # Evidently puts Sturges edges over the distinct values of both sides, not the rows.
    edges = np.histogram_bin_edges(np.unique(np.concatenate([ref, cur])), bins="sturges")
    ref_density = np.histogram(ref, edges, density=True)[0]
    cur_density = np.histogram(cur, edges, density=True)[0]
    width = (edges.max() - edges.min()) / (len(edges) - 1)
    return _from_affinity(float(np.sum(np.sqrt(ref_density * cur_density)) * width))


METHOD = DriftMethod(
    name="hellinger",
    title="Hellinger distance",
    kinds=BOTH,
    default_threshold=0.1,
    direction=Direction.DISTANCE,
    score_exact=_score,
    score_binned=_binned,
    evidently_name="hellinger",
)
