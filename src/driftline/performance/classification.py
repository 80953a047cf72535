"""Classification quality from mergeable sufficient statistics (confusion matrix, log-loss sum).

Definitions follow scikit-learn: macro/weighted averages run over the classes that occur in
the labels or the predictions, an undefined precision/recall/F1 counts as 0, log loss clips
probabilities to [eps, 1 - eps].
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from driftline.performance.ranking import ROC_BINS, binary_rank_metrics
from driftline.performance.score_counts import EXACT_BITS, ScoreCounts

CLASSIFICATION_METRICS = (
    "accuracy",
    "precision",
    "recall",
    "f1",
    "precision_macro",
    "recall_macro",
    "f1_macro",
    "precision_weighted",
    "recall_weighted",
    "f1_weighted",
    "log_loss",
    "roc_auc",
    "pr_auc",
)
_EPS = float(np.finfo(np.float64).eps)


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts[i, j] of rows with true class index i and predicted class index j."""
    flat = np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes)
    return flat.reshape(n_classes, n_classes)


def metrics_from_confusion(cm: np.ndarray, positive_index: int | None = None) -> dict[str, float]:
    """Accuracy and macro/weighted precision, recall, F1 of a (possibly expected) matrix;
    with `positive_index` (binary tasks) also precision, recall and F1 of that class, as
    scikit-learn's default `average="binary"`."""
    cm = np.asarray(cm, dtype=np.float64)
    total = cm.sum()
    if total == 0:
        return {}
    tp = np.diag(cm)
    true_count = cm.sum(axis=1)
    pred_count = cm.sum(axis=0)
    present = (true_count + pred_count) > 0
    precision = np.divide(tp, pred_count, out=np.zeros_like(tp), where=pred_count > 0)
    recall = np.divide(tp, true_count, out=np.zeros_like(tp), where=true_count > 0)
    both = true_count + pred_count
    f1 = np.divide(2 * tp, both, out=np.zeros_like(tp), where=both > 0)
    support = true_count[present]
    out = {"accuracy": float(tp.sum() / total)}
    for name, values in (("precision", precision), ("recall", recall), ("f1", f1)):
        out[f"{name}_macro"] = float(values[present].mean())
        weighted = float(np.dot(values[present], support) / support.sum()) if support.sum() else 0.0
        out[f"{name}_weighted"] = weighted
        if positive_index is not None:
            out[name] = float(values[positive_index])
    return out


def probability_matrix(scores: np.ndarray, n_classes: int, positive_index: int) -> np.ndarray:
    """Rows of class probabilities; one score column is the positive class of a binary task."""
    if scores.shape[1] == n_classes:
        return scores
    proba = np.empty((scores.shape[0], 2))
    proba[:, positive_index] = scores[:, 0]
    proba[:, 1 - positive_index] = 1.0 - scores[:, 0]
    return proba


@dataclass
class ClassificationStats:
    """Mergeable statistics of labelled rows: confusion matrix, log-loss sum, ROC histogram."""

    n_classes: int
    positive_index: int | None = None  # binary tasks: precision, recall, F1 of this class
    confusion: np.ndarray = field(init=False)
    log_loss_sum: float = 0.0
    scored: bool = False
    roc_positive: np.ndarray = field(init=False)
    roc_negative: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.confusion = np.zeros((self.n_classes, self.n_classes), dtype=np.int64)
        self.roc_positive = np.zeros(ROC_BINS, dtype=np.int64)
        self.roc_negative = np.zeros(ROC_BINS, dtype=np.int64)

    def update(
        self,
        y_true: np.ndarray,
        y_pred: np.ndarray,
        proba: np.ndarray | None = None,
        positive_index: int = 1,
    ) -> None:
        """Add rows: class indices of labels and predictions, optional probability matrix."""
        self.confusion += confusion_matrix(y_true, y_pred, self.n_classes)
        if proba is None:
            return
        self.scored = True
        p_true = np.clip(proba[np.arange(len(y_true)), y_true], _EPS, 1 - _EPS)
        self.log_loss_sum += float(-np.log(p_true).sum())
        if self.n_classes == 2:
            bins = np.clip((proba[:, positive_index] * ROC_BINS).astype(np.int64), 0, ROC_BINS - 1)
            positive = y_true == positive_index
            self.roc_positive += np.bincount(bins[positive], minlength=ROC_BINS)
            self.roc_negative += np.bincount(bins[~positive], minlength=ROC_BINS)

    def merge(self, other: ClassificationStats) -> None:
        """Add the statistics of another disjoint set of rows."""
        self.confusion += other.confusion
        self.log_loss_sum += other.log_loss_sum
        self.scored = self.scored or other.scored
        self.roc_positive += other.roc_positive
        self.roc_negative += other.roc_negative

    @property
    def rows(self) -> int:
        return int(self.confusion.sum())

    def metrics(self) -> dict[str, float]:
        """Confusion-matrix metrics, plus log loss when probabilities were given."""
        out = metrics_from_confusion(self.confusion, self.positive_index)
        if self.scored and self.rows:
            out["log_loss"] = self.log_loss_sum / self.rows
        return out


def rank_metrics(y_true: np.ndarray, proba: np.ndarray, positive_index: int) -> dict[str, float]:
    """ROC AUC and PR AUC (average precision); one-vs-rest macro averages for multiclass.

    Multiclass averages run over the classes with both positive and negative rows.
    """
    if proba.shape[1] == 2:
        auc, ap = binary_rank_metrics(y_true == positive_index, proba[:, positive_index])
        return {"roc_auc": auc, "pr_auc": ap}
    aucs, aps = [], []
    for k in range(proba.shape[1]):
        positive = y_true == k
        if 0 < positive.sum() < len(positive):
            auc, ap = binary_rank_metrics(positive, proba[:, k])
            aucs.append(auc)
            aps.append(ap)
    if not aucs:
        return {"roc_auc": float("nan"), "pr_auc": float("nan")}
    return {"roc_auc": float(np.mean(aucs)), "pr_auc": float(np.mean(aps))}


def rank_metrics_of_counts(
    counts: dict[int, ScoreCounts], positive_index: int, n_classes: int
) -> tuple[dict[str, float], dict[str, Any]]:
    """ROC AUC and PR AUC from score counts (class index -> counts of its score column), and
    how they were computed: `exact`, or `rounded` scores with the error bound of each.

    Binary tasks read the positive class's counts; multiclass tasks average one-vs-rest over
    the classes with both positive and negative rows, and so do the bounds.
    """
    targets = [positive_index] if n_classes == 2 else sorted(counts)
    aucs, aps, auc_bounds, ap_bounds, bits = [], [], [], [], []
    for k in targets:
        pos, neg = counts[k].positive_negative(k)
        if n_classes != 2 and not (pos.sum() and neg.sum()):
            continue
        auc, ap = counts[k].metrics(k)
        auc_bound, ap_bound = counts[k].error_bounds(k)
        aucs.append(auc)
        aps.append(ap)
        auc_bounds.append(auc_bound)
        ap_bounds.append(ap_bound)
        bits.append(counts[k].bits)
    if not aucs:
        return {"roc_auc": float("nan"), "pr_auc": float("nan")}, {"method": "exact"}
    exact = all(b >= EXACT_BITS for b in bits)
    method: dict[str, Any] = {"method": "exact" if exact else "rounded"}
    if not exact:
        method["significant_bits"] = min(bits)
        method["roc_auc_error_bound"] = float(np.mean(auc_bounds))
        method["pr_auc_error_bound"] = float(np.mean(ap_bounds))
    return {"roc_auc": float(np.mean(aucs)), "pr_auc": float(np.mean(aps))}, method
