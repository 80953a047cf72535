"""Estimate binary-classification quality before labels arrive (confidence-based, as CBPE).

If the positive-class probabilities p are calibrated and P(label | features) has not changed,
row i is positive with probability p_i. The expected confusion matrix (TP += p, FP += 1 - p
for predicted positives; FN += p, TN += 1 - p for predicted negatives) gives the point
estimates, the expected ROC curve gives ROC AUC. The interval is the 2.5-97.5 % range of the
metric over labels drawn from Bernoulli(p): how much the realized value can vary by chance.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from driftline.performance.classification import metrics_from_confusion
from driftline.performance.ranking import average_ranks

ESTIMATED_METRICS = (
    "accuracy",
    "precision_macro",
    "recall_macro",
    "f1_macro",
    "f1_weighted",
    "roc_auc",
)
DRAWS = 200
_CELLS_PER_CHUNK = 8_000_000  # draws x rows held at once


def expected_confusion(predicted_positive: np.ndarray, p: np.ndarray) -> np.ndarray:
    """[[TN, FP], [FN, TP]] expected under calibrated probabilities."""
    tp = p[predicted_positive].sum()
    fp = (1 - p[predicted_positive]).sum()
    fn = p[~predicted_positive].sum()
    tn = (1 - p[~predicted_positive]).sum()
    return np.array([[tn, fp], [fn, tp]])


def expected_roc_auc(p: np.ndarray) -> float:
    """Area under the ROC curve expected when row i is positive with probability p_i."""
    order = np.argsort(-p, kind="mergesort")
    ps = p[order]
    last_of_tie = np.r_[np.diff(ps) != 0, True]
    tp = np.cumsum(ps)[last_of_tie]
    fp = np.cumsum(1 - ps)[last_of_tie]
    if tp[-1] == 0 or fp[-1] == 0:
        return float("nan")
    tpr = np.r_[0.0, tp / tp[-1]]
    fpr = np.r_[0.0, fp / fp[-1]]
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def _drawn_metrics(predicted_positive: np.ndarray, p: np.ndarray, seed: int) -> np.ndarray:
    """Metrics (rows: draws, columns: ESTIMATED_METRICS) for labels drawn from Bernoulli(p)."""
    rng = np.random.default_rng(seed)
    n = len(p)
    ranks = average_ranks(p)
    n_pred_pos = int(predicted_positive.sum())
    out = []
    chunk = max(1, _CELLS_PER_CHUNK // n)
    for start in range(0, DRAWS, chunk):
        drawn = rng.random((min(chunk, DRAWS - start), n)) < p
        tp = drawn[:, predicted_positive].sum(axis=1)
        pos = drawn.sum(axis=1)
        rank_sum = drawn.astype(np.float64) @ ranks
        for tp_i, pos_i, rank_i in zip(tp, pos, rank_sum, strict=True):
            fp, fn = n_pred_pos - tp_i, pos_i - tp_i
            cm = np.array([[n - tp_i - fp - fn, fp], [fn, tp_i]])
            row = metrics_from_confusion(cm)
            auc = (
                (rank_i - pos_i * (pos_i + 1) / 2) / (pos_i * (n - pos_i))
                if 0 < pos_i < n
                else np.nan
            )
            out.append([row[m] for m in ESTIMATED_METRICS[:-1]] + [auc])
    return np.array(out)


def estimate(predicted_positive: np.ndarray, p: np.ndarray, seed: int = 0) -> dict[str, Any]:
    """Estimated metrics of rows with predictions and positive-class probabilities `p`."""
    if len(p) == 0:
        return {}
    point = metrics_from_confusion(expected_confusion(predicted_positive, p))
    point["roc_auc"] = expected_roc_auc(p)
    drawn = _drawn_metrics(predicted_positive, p, seed)
    metrics = {}
    for j, name in enumerate(ESTIMATED_METRICS):
        values = drawn[:, j][np.isfinite(drawn[:, j])]
        low, high = np.percentile(values, [2.5, 97.5]) if len(values) else (np.nan, np.nan)
        metrics[name] = {"value": point[name], "low": float(low), "high": float(high)}
    return {"method": "cbpe", "rows": len(p), "draws": DRAWS, "metrics": metrics}


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
