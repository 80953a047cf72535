"""Estimate classification quality before labels arrive (confidence-based, as CBPE).

If the class probabilities P are calibrated (after the reference's calibration, see
`calibration.py`) and P(label | features) has not changed, row i is of class k with
probability P[i, k]. The expected confusion matrix (row i adds P[i, k] to cell [k, its
predicted class]) gives accuracy, precision, recall and F1 (of the positive class of a binary
task, macro and weighted); the expected ROC curve of each class, with the rows ordered by the
model's own scores, gives ROC AUC (one-vs-rest macro for multiclass).

The interval is the 2.5-97.5 % range of each metric over `DRAWS` simulated label sets. Each
draw first draws a calibration as uncertain as its fit on the reference (when there is one),
then labels from the probabilities it gives: the realized value varies by label chance and
the estimate by the calibration's error, and the interval holds both.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from driftline.performance.calibration import Calibration
from driftline.performance.classification import confusion_matrix, metrics_from_confusion
from driftline.performance.ranking import average_ranks

BINARY_METRICS = ("accuracy", "precision", "recall", "f1", "f1_macro", "f1_weighted", "roc_auc")
MULTICLASS_METRICS = (
    "accuracy",
    "precision_macro",
    "recall_macro",
    "f1_macro",
    "f1_weighted",
    "roc_auc",
)
DRAWS = 200
LEVEL = 0.95


def expected_confusion(predicted: np.ndarray, proba: np.ndarray) -> np.ndarray:
    """cm[k, j]: expected rows of class k predicted j (`predicted`: class indices)."""
    n_classes = proba.shape[1]
    cm = np.zeros((n_classes, n_classes))
    for j in range(n_classes):
        cm[:, j] = proba[predicted == j].sum(axis=0)
    return cm


def expected_roc_auc(p: np.ndarray, score: np.ndarray | None = None) -> float:
    """ROC AUC expected when row i is positive with probability p_i, rows ranked by `score`
    (default `p`; ties in the score count one half)."""
    score = p if score is None else score
    order = np.argsort(-score, kind="mergesort")
    ps, ss = p[order], score[order]
    last_of_tie = np.r_[ss[1:] != ss[:-1], True]
    tp = np.cumsum(ps)[last_of_tie]
    fp = np.cumsum(1 - ps)[last_of_tie]
    if tp[-1] <= 0 or fp[-1] <= 0:
        return float("nan")
    tpr = np.r_[0.0, tp / tp[-1]]
    fpr = np.r_[0.0, fp / fp[-1]]
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


class _Estimator:
    """The rows of one window: predictions, raw scores, ranks, the metrics to estimate."""

    def __init__(self, predicted: np.ndarray, scores: np.ndarray, positive_index: int) -> None:
        self.predicted = predicted
        self.scores = scores
        self.positive = positive_index
        self.binary = scores.shape[1] == 2
        self.names = BINARY_METRICS if self.binary else MULTICLASS_METRICS
        self.ranked = [positive_index] if self.binary else list(range(scores.shape[1]))
        self.ranks = {k: average_ranks(scores[:, k]) for k in self.ranked}

    def point(self, proba: np.ndarray) -> dict[str, float]:
        """Expected metrics under the probability matrix `proba`."""
        cm = expected_confusion(self.predicted, proba)
        out = metrics_from_confusion(cm, self.positive if self.binary else None)
        aucs = [expected_roc_auc(proba[:, k], self.scores[:, k]) for k in self.ranked]
        finite = [a for a in aucs if np.isfinite(a)]
        out["roc_auc"] = float(np.mean(finite)) if finite else float("nan")
        return {name: out[name] for name in self.names}

    def drawn(self, proba: np.ndarray, rng: np.random.Generator) -> list[float]:
        """The metrics of one label set drawn from `proba`."""
        n, n_classes = proba.shape
        if self.binary:
            hit = rng.random(n) < proba[:, self.positive]
            y = np.where(hit, self.positive, 1 - self.positive)
        else:
            cumulative = np.cumsum(proba, axis=1)
            draw = rng.random((n, 1))
            y = np.minimum((draw > cumulative).sum(axis=1), n_classes - 1)
        cm = confusion_matrix(y, self.predicted, n_classes)
        out = metrics_from_confusion(cm, self.positive if self.binary else None)
        aucs = []
        for k in self.ranked:
            mask = y == k
            pos = int(mask.sum())
            if 0 < pos < n:
                rank_sum = float(self.ranks[k][mask].sum())
                aucs.append((rank_sum - pos * (pos + 1) / 2) / (pos * (n - pos)))
        out["roc_auc"] = float(np.mean(aucs)) if aucs else float("nan")
        return [out[name] for name in self.names]


def estimate(
    predicted: np.ndarray,
    scores: np.ndarray,
    positive_index: int = 1,
    calibration: Calibration | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Estimated metrics, with intervals, of rows with predicted class indices `predicted`
    and the model's probability matrix `scores` (rows x classes)."""
    if len(scores) == 0:
        return {}
    estimator = _Estimator(predicted, scores, positive_index)
    proba = calibration.apply(scores) if calibration else scores
    point = estimator.point(proba)
    rng = np.random.default_rng(seed)
    drawn = np.array(
        [
            estimator.drawn(calibration.apply(scores, rng) if calibration else proba, rng)
            for _ in range(DRAWS)
        ]
    )
    tail = (1 - LEVEL) / 2 * 100
    metrics = {}
    for j, name in enumerate(estimator.names):
        values = drawn[:, j][np.isfinite(drawn[:, j])]
        low, high = np.percentile(values, [tail, 100 - tail]) if len(values) else (np.nan,) * 2
        metrics[name] = {"value": point[name], "low": float(low), "high": float(high)}
    return {
        "method": "cbpe",
        "calibration": calibration.method if calibration else "none",
        "rows": len(scores),
        "draws": DRAWS,
        "level": LEVEL,
        "metrics": metrics,
    }


def compare(estimated: dict[str, Any], realized: dict[str, float]) -> dict[str, dict[str, Any]]:
    """How close each estimate was to the metric measured once labels arrived."""
    out = {}
    for name, entry in estimated.get("metrics", {}).items():
        value = realized.get(name)
        if value is None or not np.isfinite(value):
            continue
        out[name] = {
            "estimate": entry["value"],
            "realized": value,
            "error": value - entry["value"],
            "within_interval": bool(entry["low"] <= value <= entry["high"]),
        }
    return out
