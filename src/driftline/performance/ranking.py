"""Rank metrics on exact scores (ROC AUC, average precision) and a binned ROC curve."""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata

ROC_BINS = 1000  # resolution of the mergeable ROC curve drawn in the KFP UI


def roc_auc(positive: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney U with tied ranks averaged); NaN if one class."""
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(score)
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def average_precision(positive: np.ndarray, score: np.ndarray) -> float:
    """Average precision: sum over score thresholds of precision x recall increase."""
    n_pos = int(positive.sum())
    if n_pos == 0:
        return float("nan")
    order = np.argsort(-score, kind="mergesort")
    sorted_score = score[order]
    hits = positive[order].astype(np.float64)
    last_of_tie = np.r_[np.diff(sorted_score) != 0, True]
    tps = np.cumsum(hits)[last_of_tie]
    predicted = (np.arange(len(score)) + 1.0)[last_of_tie]
    precision = tps / predicted
    recall_gain = np.diff(np.r_[0.0, tps]) / n_pos
    return float(np.dot(recall_gain, precision))


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
