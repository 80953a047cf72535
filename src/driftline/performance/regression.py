"""Regression quality from mergeable sums (Chan's parallel update for the label variance).

Definitions follow scikit-learn: MAPE divides by max(|y|, eps); R2 is 1 when the labels are
constant and predicted exactly, 0 when constant and not; mean_error = mean(prediction - label)
(positive: the model over-predicts).

Every sum is a `ScaledSum` (a float and a power-of-two exponent), and differences are taken
of halves, so values up to the largest float (1e308) neither overflow nor warn: a metric is
infinite only when its true value is beyond the float range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

REGRESSION_METRICS = ("mae", "rmse", "mape", "r2", "mean_error")
_EPS = float(np.finfo(np.float64).eps)


def _split(values: np.ndarray) -> tuple[np.ndarray, int]:
    """(mantissas, e) with values == mantissas * 2**e and every |mantissa| < 1."""
    largest = float(np.max(np.abs(values))) if len(values) else 0.0
    if largest == 0.0:
        return values, 0
    exponent = math.frexp(largest)[1]
    return np.ldexp(values, -exponent), exponent


def _ldexp(value: float, exponent: int) -> float:
    """value * 2**exponent; +-inf instead of an overflow error when out of range."""
    try:
        return math.ldexp(value, exponent)
    except OverflowError:
        return math.copysign(math.inf, value)


@dataclass
class ScaledSum:
    """A sum kept as total * 2**exponent with |total| < 2, so it never overflows."""

    total: float = 0.0
    exponent: int = 0

    def add_scaled(self, values: np.ndarray, exponent: int = 0) -> None:
        """Add sum(values) * 2**exponent (values finite)."""
        mantissas, shift = _split(values)
        self.add(ScaledSum(float(mantissas.sum()), exponent + shift))

    def add(self, other: ScaledSum) -> None:
        """Add another scaled sum."""
        if other.total == 0.0:
            return
        if self.total == 0.0:
            self.total, self.exponent = other.total, other.exponent
            return
        top = max(self.exponent, other.exponent)
        total = math.ldexp(self.total, self.exponent - top) + math.ldexp(
            other.total, other.exponent - top
        )
        mantissa, shift = math.frexp(total)
        self.total, self.exponent = mantissa, top + shift if mantissa else 0

    def value(self) -> float:
        return _ldexp(self.total, self.exponent)

    def divided(self, n: float) -> float:
        """This sum / n (n > 0)."""
        return _ldexp(self.total / n, self.exponent)

    def ratio(self, other: ScaledSum) -> float:
        """This sum / other (other non-zero)."""
        return _ldexp(self.total / other.total, self.exponent - other.exponent)

    def mean_sqrt(self, n: float) -> float:
        """sqrt(this sum / n) (a sum of squares)."""
        even = self.exponent - (self.exponent % 2)
        return _ldexp(math.sqrt(math.ldexp(self.total, self.exponent - even) / n), even // 2)


def _half_difference(a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    """(a - b) / 2, finite for any finite a and b."""
    return np.multiply(a, 0.5) - np.multiply(b, 0.5)


def _sum_of_squares(half: np.ndarray, weight: float = 1.0) -> ScaledSum:
    """weight * sum((2 * half) ** 2) without overflow."""
    mantissas, exponent = _split(half)
    squares = ScaledSum()
    squares.add_scaled(np.square(mantissas) * weight, 2 * (exponent + 1))
    return squares


@dataclass
class RegressionStats:
    """Sums over labelled rows that give every regression metric and merge exactly."""

    rows: int = 0
    sum_error: ScaledSum = field(default_factory=ScaledSum)
    sum_abs_error: ScaledSum = field(default_factory=ScaledSum)
    sum_sq_error: ScaledSum = field(default_factory=ScaledSum)
    sum_abs_pct_error: ScaledSum = field(default_factory=ScaledSum)
    label_mean: float = 0.0
    label_m2: ScaledSum = field(default_factory=ScaledSum)  # squared deviations from the mean

    def update(self, y_true: np.ndarray, y_pred: np.ndarray) -> None:
        """Add rows of labels and predictions (finite float arrays)."""
        if len(y_true) == 0:
            return
        half_error, exponent = _split(_half_difference(y_pred, y_true))
        other = RegressionStats(rows=len(y_true))
        other.sum_error.add_scaled(half_error, exponent + 1)
        other.sum_abs_error.add_scaled(np.abs(half_error), exponent + 1)
        other.sum_sq_error.add_scaled(np.square(half_error), 2 * (exponent + 1))
        ratio = np.abs(half_error) / np.maximum(np.abs(y_true), _EPS)  # < 1 / eps: finite
        other.sum_abs_pct_error.add_scaled(ratio, exponent + 1)
        mantissas, shift = _split(y_true)
        other.label_mean = _ldexp(float(mantissas.mean()), shift)
        other.label_m2 = _sum_of_squares(_half_difference(y_true, other.label_mean))
        self.merge(other)

    def merge(self, other: RegressionStats) -> None:
        """Add the statistics of another disjoint set of rows."""
        if other.rows == 0:
            return
        n = self.rows + other.rows
        half_delta = float(_half_difference(other.label_mean, self.label_mean))
        self.label_m2.add(other.label_m2)
        self.label_m2.add(_sum_of_squares(np.array([half_delta]), self.rows * other.rows / n))
        # a weighted average of two finite means: between them, so finite
        self.label_mean = self.label_mean * (self.rows / n) + other.label_mean * (other.rows / n)
        self.rows = n
        self.sum_error.add(other.sum_error)
        self.sum_abs_error.add(other.sum_abs_error)
        self.sum_sq_error.add(other.sum_sq_error)
        self.sum_abs_pct_error.add(other.sum_abs_pct_error)

    def metrics(self) -> dict[str, float]:
        """MAE, RMSE, MAPE, R2 and mean error (bias); empty without rows."""
        n = self.rows
        if n == 0:
            return {}
        if n < 2:
            r2 = float("nan")
        elif self.label_m2.total == 0:
            r2 = 1.0 if self.sum_sq_error.total == 0 else 0.0
        else:
            r2 = 1.0 - self.sum_sq_error.ratio(self.label_m2)
        return {
            "mae": self.sum_abs_error.divided(n),
            "rmse": self.sum_sq_error.mean_sqrt(n),
            "mape": self.sum_abs_pct_error.divided(n),
            "r2": r2,
            "mean_error": self.sum_error.divided(n),
        }
