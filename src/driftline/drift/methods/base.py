"""The contract every drift method fulfils: kinds, default threshold, direction, scoring."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from driftline.drift.buckets import SharedBuckets
from driftline.errors import InputError
from driftline.io import ColumnKind


class Direction(StrEnum):
    """Which way a score means drift."""

    P_VALUE = "p_value"  # drift when the p-value is below the threshold
    DISTANCE = "distance"  # drift when the distance is at or above the threshold


NUMERIC = frozenset({ColumnKind.NUMERIC})
CATEGORICAL = frozenset({ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN})
BOTH = NUMERIC | CATEGORICAL

ExactScore = Callable[[np.ndarray, np.ndarray, ColumnKind], float]
BinnedScore = Callable[[np.ndarray, np.ndarray], float]
SharedScore = Callable[[SharedBuckets], float]


@dataclass(frozen=True)
class DriftMethod:
    """A named two-sample drift method.

    `score_exact(ref, cur, kind)` takes the finite, non-null values of both sides: numbers
    in any order for numeric columns, integer category codes (ordered like the sorted
    category values) for categorical and boolean ones. `score_binned(ref_counts, cur_counts)`,
    where the method is sound on binned data, takes counts per shared bin (profile mode).
    `score_shared(buckets)`, where a method can, scores a numeric column from both sides'
    values in shared buckets, which exact mode computes once per column and reuses for the
    report's quantiles and histogram; it gives `score_exact`'s number.
    `inclusive` says whether a score equal to the threshold is drift; None takes the
    direction's usual rule (Evidently's): p-values strictly below, distances at or above.
    """

    name: str
    kinds: frozenset[ColumnKind]
    default_threshold: float
    direction: Direction
    score_exact: ExactScore
    score_binned: BinnedScore | None = None
    score_shared: SharedScore | None = None
    inclusive: bool | None = None
    evidently_name: str | None = None
    title: str = ""

    def is_drift(self, score: float, threshold: float) -> bool:
        """The verdict of `score` against `threshold` in this method's direction."""
        if math.isnan(score):
            return False
        inclusive = self.inclusive
        if inclusive is None:
            inclusive = self.direction is Direction.DISTANCE
        if score == threshold:
            return inclusive
        return score > threshold if self.direction is Direction.DISTANCE else score < threshold

    @property
    def rule(self) -> str:
        """How `is_drift` reads a score against the threshold: "p ≤", "p <" or "d ≥"."""
        if self.direction is Direction.DISTANCE:
            return "d ≥"
        return "p ≤" if self.inclusive else "p <"

    def check_threshold(self, threshold: float, column: str) -> float:
        """Return `threshold` if it is valid for this method's direction, else raise."""
        value = float(threshold)
        if self.direction is Direction.P_VALUE and not 0.0 < value < 1.0:
            raise InputError(
                f"`threshold` {threshold!r} for column {column!r} is out of range: {self.name} "
                "gives a p-value, valid thresholds are in (0, 1)",
                param="threshold",
            )
        if self.direction is Direction.DISTANCE and not (math.isfinite(value) and value >= 0.0):
            raise InputError(
                f"`threshold` {threshold!r} for column {column!r} is out of range: {self.name} "
                "gives a distance, valid thresholds are finite and >= 0",
                param="threshold",
            )
        return value
