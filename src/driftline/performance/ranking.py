"""Rank metrics on exact scores (ROC AUC, average precision) and a binned ROC curve."""

from __future__ import annotations

import numpy as np

ROC_BINS = 1000  # resolution of the mergeable ROC curve drawn in the KFP UI


def threshold_counts(positive: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative (true positives, predicted positives) at each distinct score, descending.

    One sort serves both ROC AUC and average precision.
    """
    order = np.argsort(score)[::-1]
    sorted_score = score[order]
    last_of_tie = np.flatnonzero(np.r_[sorted_score[1:] != sorted_score[:-1], True])
    tps = np.cumsum(positive[order], dtype=np.int64)[last_of_tie]
    return tps, last_of_tie + 1


def roc_auc(positive: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve (ties count one half); NaN if one class is absent."""
    return binary_rank_metrics(positive, score)[0]


def average_precision(positive: np.ndarray, score: np.ndarray) -> float:
    """Average precision: sum over score thresholds of precision x recall increase."""
    return binary_rank_metrics(positive, score)[1]


def binary_rank_metrics(positive: np.ndarray, score: np.ndarray) -> tuple[float, float]:
    """(ROC AUC, average precision) of a binary task from one sort of the scores."""
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0:
        return float("nan"), float("nan")
    tps, predicted = threshold_counts(positive, score)
    tp_gain = np.diff(tps, prepend=0).astype(np.float64)
    average_precision = float(np.dot(tp_gain / n_pos, tps / predicted))
    if n_neg == 0:
        return float("nan"), average_precision
    fps = (predicted - tps).astype(np.float64)
    fp_gain = np.diff(fps, prepend=0.0)
    below = np.r_[0.0, tps[:-1]].astype(np.float64)
    area = float(np.dot(fp_gain, below + tp_gain / 2))  # trapezoids under the ROC steps
    return area / (n_pos * n_neg), average_precision


def average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks of `values`, ties given the mean of their ranks (as scipy's rankdata)."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], len(values)]
    mean_rank = (starts + ends + 1) / 2.0
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = np.repeat(mean_rank, ends - starts)
    return ranks


def roc_curve_from_bins(
    positive: np.ndarray, negative: np.ndarray
) -> tuple[list[float], list[float], list[float]]:
    """(fpr, tpr, thresholds) from per-bin counts of positive and negative rows.

    Threshold t_i is the lower edge of bin i: rows in bins >= i count as predicted positive.
    """
    n_pos, n_neg = positive.sum(), negative.sum()
    if n_pos == 0 or n_neg == 0:
        return [], [], []
    tp = np.cumsum(positive[::-1])[::-1]
    fp = np.cumsum(negative[::-1])[::-1]
    keep = (positive + negative) > 0
    keep[0] = True
    thresholds = np.arange(len(positive))[keep] / len(positive)
    fpr = [*(fp[keep] / n_neg).tolist(), 0.0]
    tpr = [*(tp[keep] / n_pos).tolist(), 0.0]
    return fpr, tpr, [*thresholds.tolist(), 1.0]
