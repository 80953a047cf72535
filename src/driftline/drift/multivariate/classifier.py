"""Domain classifier: can gradient boosting tell the current window from the reference?

A `HistGradientBoostingClassifier` learns to tell reference rows (label 0) from current rows
(label 1) in 2-fold cross-validation: the rows are split in two stratified halves, a model
fitted on each half scores the other. On a held-out half the ROC AUC is the Mann-Whitney
statistic of the scores, and the model never saw those rows; without drift they are
exchangeable whatever the model, so each half's AUC has the Mann-Whitney null: mean 0.5 and
a variance known from the class sizes and the tied scores.

The score is the mean of the two AUCs. The two can be positively correlated without drift
(both measure how the chance differences of one half agree with the other's), so their mean
is tested against a normal null whose standard deviation is the mean of the two halves' (the
largest it can be, at correlation 1): the false-alarm rate is at most `alpha` whatever the
correlation. With more folds this bound grows (each held-out part is smaller), and treating
the folds as independent has no such guarantee (5 folds: 6.5 % false alarms at alpha = 0.05
over 200 seeds, interval 3.5-10.9 %). The measured rates are in
bench/results/multivariate.md.

Gradient boosting handles missing values (NaN) natively and treats category codes as
categories (not as numbers). Features are ranked by permutation importance: the fall of
the held-out AUC when one column is shuffled within its half.

The two fits run side by side, one OpenMP thread each: scikit-learn's OpenMP threads slow a
fit down some 50-fold on a machine whose cores are busy with other work.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from driftline.drift.multivariate.features import Features
from driftline.report.multivariate import FeatureContribution, MultivariateDrift

FOLDS = 2
#: Codes above this are pooled into one "other" category (the model's limit is 255 bins).
MAX_CODES = 250
NULL = (
    "normal null of the mean held-out ROC AUC over 2 folds: each fold's AUC is a "
    "Mann-Whitney statistic with mean 0.5 and tie-corrected variance under no drift; the "
    "mean's standard deviation is bounded by the folds' mean standard deviation"
)


def classifier_drift(
    features: Features, *, alpha: float = 0.05, seed: int = 0
) -> MultivariateDrift:
    """Cross-validated domain-classifier drift of `features` at false-alarm rate `alpha`."""
    from scipy import stats  # lazy, like scikit-learn: importing scipy.stats costs ~0.5 s
    from sklearn.model_selection import StratifiedKFold
    from threadpoolctl import threadpool_limits

    x = np.vstack([features.reference, features.current])
    for j, categorical in enumerate(features.categorical):
        if categorical:
            x[:, j] = np.minimum(x[:, j], MAX_CODES - 1)
    y = np.r_[np.zeros(len(features.reference)), np.ones(len(features.current))]
    splits = list(StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=seed).split(x, y))

    def fold(k: int) -> tuple[float, float, np.ndarray]:
        train, test = splits[k]
        model = _model(features.categorical, seed).fit(x[train], y[train])
        held_out, labels = x[test], y[test]
        auc, variance = auc_with_null_variance(model.predict_proba(held_out)[:, 1], labels)
        rng = np.random.default_rng([seed, k])
        importance = np.zeros(len(features.names))
        for j in range(len(features.names)):
            shuffled = held_out.copy()
            shuffled[:, j] = rng.permutation(shuffled[:, j])
            scores = model.predict_proba(shuffled)[:, 1]
            importance[j] = auc - auc_with_null_variance(scores, labels)[0]
        return auc, variance, importance

    with threadpool_limits(limits=1, user_api="openmp"), ThreadPoolExecutor(FOLDS) as pool:
        folds = list(pool.map(fold, range(FOLDS)))
    aucs = [f[0] for f in folds]
    score = float(np.mean(aucs))
    sd = float(np.mean([math.sqrt(f[1]) for f in folds]))
    threshold = 0.5 + float(stats.norm.isf(alpha)) * sd
    p_value = float(stats.norm.sf((score - 0.5) / sd)) if sd > 0 else 1.0
    importance = np.mean([f[2] for f in folds], axis=0)
    ranked = sorted(zip(features.names, importance, strict=True), key=lambda f: -f[1])
    return MultivariateDrift(
        method="classifier",
        score=score,
        threshold=threshold,
        p_value=p_value,
        alpha=alpha,
        drift_detected=score > threshold,
        null=NULL,
        contribution_unit="fall of the held-out ROC AUC when the column is shuffled",
        reference_rows=len(features.reference),
        current_rows=len(features.current),
        columns=features.names,
        features=[FeatureContribution(name=n, contribution=float(c)) for n, c in ranked],
        details={"folds": FOLDS, "fold_auc": [float(a) for a in aucs], "null_sd": sd},
    )


def _model(categorical: list[bool], seed: int) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier

    # Early stopping is always on (scikit-learn's "auto" turns it on above 10,000 rows,
    # and behaviour must not jump with one more row).
    return HistGradientBoostingClassifier(
        categorical_features=np.array(categorical, dtype=bool) if any(categorical) else None,
        max_iter=100,
        early_stopping=True,
        random_state=seed,
    )


def auc_with_null_variance(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """ROC AUC of `scores` for `labels` (1 = positive) and its variance under no association
    (the Mann-Whitney null, corrected for tied scores)."""
    from scipy import stats

    positives = labels == 1
    n1, n0 = int(positives.sum()), int((~positives).sum())
    n = n1 + n0
    ranks = stats.rankdata(scores)
    u = ranks[positives].sum() - n1 * (n1 + 1) / 2
    _, ties = np.unique(scores, return_counts=True)
    tie_term = float(np.sum(ties.astype(np.float64) ** 3 - ties)) / (n * (n - 1))
    variance_u = n1 * n0 / 12 * ((n + 1) - tie_term)
    return float(u / (n1 * n0)), float(variance_u / (n1 * n0) ** 2)
