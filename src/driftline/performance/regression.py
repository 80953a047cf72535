"""Regression quality from mergeable sums (Chan's parallel update for the label variance).

Definitions follow scikit-learn: MAPE divides by max(|y|, eps); R2 is 1 when the labels are
constant and predicted exactly, 0 when constant and not; mean_error = mean(prediction - label)
(positive: the model over-predicts).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

REGRESSION_METRICS = ("mae", "rmse", "mape", "r2", "mean_error")
_EPS = float(np.finfo(np.float64).eps)


@dataclass
class RegressionStats:
    """Sums over labelled rows that give every regression metric and merge exactly."""

    rows: int = 0
    sum_error: float = 0.0
    sum_abs_error: float = 0.0
    sum_sq_error: float = 0.0
    sum_abs_pct_error: float = 0.0
    label_mean: float = 0.0
    label_m2: float = 0.0  # sum of squared deviations of the labels from their mean

    def update(self, y_true: np.ndarray, y_pred: np.ndarray) -> None:
        """Add rows of labels and predictions (float arrays, no NaN)."""
        if len(y_true) == 0:
            return
        error = y_pred - y_true
        other = RegressionStats(
            rows=len(y_true),
            sum_error=float(error.sum()),
            sum_abs_error=float(np.abs(error).sum()),
            sum_sq_error=float(np.square(error).sum()),
            sum_abs_pct_error=float((np.abs(error) / np.maximum(np.abs(y_true), _EPS)).sum()),
            label_mean=float(y_true.mean()),
            label_m2=float(np.square(y_true - y_true.mean()).sum()),
        )
        self.merge(other)

    def merge(self, other: RegressionStats) -> None:
        """Add the statistics of another disjoint set of rows."""
        if other.rows == 0:
            return
        n = self.rows + other.rows
        delta = other.label_mean - self.label_mean
        self.label_m2 += other.label_m2 + delta * delta * self.rows * other.rows / n
        self.label_mean += delta * other.rows / n
        self.rows = n
        self.sum_error += other.sum_error
        self.sum_abs_error += other.sum_abs_error
        self.sum_sq_error += other.sum_sq_error
        self.sum_abs_pct_error += other.sum_abs_pct_error

    def metrics(self) -> dict[str, float]:
        """MAE, RMSE, MAPE, R2 and mean error (bias); empty without rows."""
        n = self.rows
        if n == 0:
            return {}
        if n < 2:
            r2 = float("nan")
        elif self.label_m2 == 0:
            r2 = 1.0 if self.sum_sq_error == 0 else 0.0
        else:
            r2 = 1.0 - self.sum_sq_error / self.label_m2
        return {
            "mae": self.sum_abs_error / n,
            "rmse": float(np.sqrt(self.sum_sq_error / n)),
            "mape": self.sum_abs_pct_error / n,
            "r2": r2,
            "mean_error": self.sum_error / n,
        }
