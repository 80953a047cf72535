"""Pearson chi-square goodness of fit of current frequencies to reference ones (p-value)."""

from __future__ import annotations

import numpy as np

from driftline.drift.chisquare import chi2_sf
from driftline.drift.methods.base import CATEGORICAL, NUMERIC, Direction, DriftMethod
from driftline.drift.methods.binning import refuse_continuous, seen_only, value_counts
from driftline.io import ColumnKind


def _binned(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    ref_counts, cur_counts = seen_only(ref_counts, cur_counts)
    expected = ref_counts * (cur_counts.sum() / ref_counts.sum())
    with np.errstate(divide="ignore"):  # a value new in current: infinite statistic, p = 0
        statistic = float(np.sum((cur_counts - expected) ** 2 / expected))
    return chi2_sf(statistic, len(ref_counts) - 1)


def _score(ref: np.ndarray, cur: np.ndarray, kind: ColumnKind) -> float:
    refuse_continuous(METHOD.name, ref, cur, kind)
    return _binned(*value_counts(ref, cur))


METHOD = DriftMethod(
    name="chi2",
    title="chi-square p-value",
    kinds=CATEGORICAL | NUMERIC,
    default_threshold=0.05,
    direction=Direction.P_VALUE,
    score_exact=_score,
    score_binned=_binned,
    evidently_name="chisquare",
)
