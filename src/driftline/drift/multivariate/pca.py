"""PCA reconstruction error: does the current window leave the reference's principal subspace?

The sampled reference is split in two halves (seeded). On the first, each numeric column is
standardized (mean, standard deviation) after filling missing values with its median, and
categorical columns become indicator columns of their `TOP_CATEGORIES` most frequent
reference categories plus one for all others, also standardized: an indicator is scaled as
if its value were seen in at least 1 of n + 1 rows, so a category or a missing value the
reference never had shows up as a large error (a numeric column constant in the reference
keeps scale 1). Columns with missing values on either side get a missing indicator. PCA
keeps the fewest components that explain `VARIANCE_KEPT` of the variance (none when every
feature is constant in the reference).

Each row's error is the squared distance between its scaled features and their projection
on the components (numpy's SVD of the scaled fit rows, which the scaling centres). The score
is the current rows' mean error; the null is a permutation null: the held-out reference half
was not used to fit, so without drift its errors and the current ones are exchangeable, and
shuffling them `PERMUTATIONS` times gives the distribution of the current mean. The
threshold is the value the mean must exceed for a permutation p-value <= alpha. PCA finds
changes of the reference's structure (a correlation that breaks, a value far off the data's
subspace); a new correlation between columns that were independent in the reference can lie
inside the kept subspace, which the domain classifier finds instead. With a single column
(or when the kept components explain everything) the error is always 0: PCA sees nothing.

A row's error |r|^2, with r = z - projection(z) the residual of its scaled features z,
equals the sum over features j of z_j r_j. A column's contribution is its share of the
change in the mean of these terms (current minus held-out reference, summed over its scaled
features): a column shifted alone gets all of the change (terms of unchanged columns keep
their mean), where the squared residuals r_j^2 would spread it over every column that the
discarded components mix.
"""

from __future__ import annotations

import numpy as np

from driftline.drift.multivariate.features import Features
from driftline.report.multivariate import FeatureContribution, MultivariateDrift

TOP_CATEGORIES = 20
VARIANCE_KEPT = 0.8
PERMUTATIONS = 499
NULL = (
    "permutation null of the mean error: held-out reference rows (not used to fit) and "
    f"current rows exchanged, {PERMUTATIONS} permutations"
)


def pca_drift(features: Features, *, alpha: float = 0.05, seed: int = 0) -> MultivariateDrift:
    """PCA reconstruction-error drift of `features` at false-alarm rate `alpha`."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(features.reference))
    half = len(order) // 2
    fit_rows, held_out = features.reference[order[:half]], features.reference[order[half:]]
    with_missing = np.isnan(features.reference).any(axis=0) | np.isnan(features.current).any(axis=0)
    scaling = _Scaling.fit(fit_rows, features.categorical, list(np.flatnonzero(with_missing)))
    fit_scaled = scaling.apply(fit_rows)
    components = _components(fit_scaled)

    def error_terms(rows: np.ndarray) -> np.ndarray:
        # error = |r|^2 = z.r (r = z - projection of z is orthogonal to the projection)
        scaled = scaling.apply(rows)
        return scaled * (scaled - (scaled @ components.T) @ components)

    ref_res, cur_res = error_terms(held_out), error_terms(features.current)
    ref_err, cur_err = ref_res.sum(axis=1), cur_res.sum(axis=1)
    score = float(cur_err.mean())
    null = _permutation_means(ref_err, cur_err, rng)
    exceed = int(np.sum(null >= score))
    p_value = (1 + exceed) / (PERMUTATIONS + 1)
    threshold = _threshold(null, alpha)
    change = cur_res.mean(axis=0) - ref_res.mean(axis=0)
    by_column = np.bincount(scaling.owner, weights=change, minlength=len(features.names))
    total = float(change.sum())
    shares = by_column / total if total != 0 else np.zeros_like(by_column)
    ranked = sorted(zip(features.names, shares, strict=True), key=lambda f: -f[1])
    return MultivariateDrift(
        method="pca",
        score=score,
        threshold=threshold,
        p_value=p_value,
        alpha=alpha,
        drift_detected=score > threshold,
        null=NULL,
        contribution_unit="share of the change in mean reconstruction error",
        reference_rows=len(features.reference),
        current_rows=len(features.current),
        columns=features.names,
        features=[FeatureContribution(name=n, contribution=float(s)) for n, s in ranked],
        details={
            "components": len(components),
            "scaled_features": len(scaling.owner),
            "reference_error": float(ref_err.mean()),
            "error_ratio": score / float(ref_err.mean()) if ref_err.mean() > 0 else None,
            "fit_rows": int(half),
            "held_out_rows": len(held_out),
        },
    )


def _components(scaled: np.ndarray) -> np.ndarray:
    """The principal axes (rows) of the standardized fit rows that explain `VARIANCE_KEPT` of
    their variance; none when every feature is constant (the error is then the distance to
    the reference's mean)."""
    _, singular, axes = np.linalg.svd(scaled, full_matrices=False)
    variance = singular**2
    total = float(variance.sum())
    if total <= 0:
        return axes[:0]
    kept = int(np.searchsorted(np.cumsum(variance) / total, VARIANCE_KEPT - 1e-12)) + 1
    return axes[:kept]


def _permutation_means(
    reference: np.ndarray, current: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    pooled = np.concatenate([reference, current])
    n = len(current)
    return np.array([pooled[rng.permutation(len(pooled))[:n]].mean() for _ in range(PERMUTATIONS)])


def _threshold(null: np.ndarray, alpha: float) -> float:
    """The mean error above which the permutation p-value, (1 + #null >= score) / (B + 1),
    is at most `alpha`: the (k+1)-th largest null mean, k = floor(alpha (B + 1)) - 1."""
    k = int(np.floor(alpha * (len(null) + 1))) - 1
    if k < 0:
        return float("inf")
    return float(np.sort(null)[::-1][k])


class _Scaling:
    """Reference-fitted encoding: median fill, indicators, standardization; `owner[i]` is
    the index of the original column scaled feature i comes from."""

    def __init__(
        self,
        categorical: list[bool],
        fill: np.ndarray,
        indicated: list[int],
        levels: list[int],
    ) -> None:
        self.categorical, self.fill, self.indicated, self.levels = (
            categorical,
            fill,
            indicated,
            levels,
        )
        self.mean = np.zeros(0)
        self.scale = np.ones(0)
        owner, indicator = [], []
        for j, is_categorical in enumerate(categorical):
            width = levels[j] + 1 if is_categorical else 1
            owner += [j] * width
            indicator += [is_categorical] * width
        self.owner = np.array(owner + indicated, dtype=np.int64)
        self.indicator = np.array(indicator + [True] * len(indicated), dtype=bool)

    @classmethod
    def fit(cls, rows: np.ndarray, categorical: list[bool], indicated: list[int]) -> _Scaling:
        """Fit on reference `rows`; `indicated` columns get a missing-value indicator."""
        missing = np.isnan(rows)
        fill = np.array(
            [
                np.nanmedian(rows[:, j]) if not categorical[j] and (~missing[:, j]).any() else 0.0
                for j in range(rows.shape[1])
            ]
        )
        levels = [
            int(min(TOP_CATEGORIES, np.nanmax(rows[:, j]) + 1))
            if c and (~missing[:, j]).any()
            else 0
            for j, c in enumerate(categorical)
        ]
        scaling = cls(categorical, fill, indicated, levels)
        raw = scaling._expand(rows)
        scaling.mean = raw.mean(axis=0)
        std = raw.std(axis=0)
        # An indicator is scaled as if it were at least 1 in n + 1 rows: a category or a
        # missing value the reference never had counts as very unlikely, not as nothing.
        rare = 1 / (len(rows) + 1)
        floor = np.where(scaling.indicator, np.sqrt(rare * (1 - rare)), 0.0)
        std = np.maximum(std, floor)
        scaling.scale = np.where(std > 0, std, 1.0)
        return scaling

    def apply(self, rows: np.ndarray) -> np.ndarray:
        """The scaled features of `rows`."""
        return (self._expand(rows) - self.mean) / self.scale

    def _expand(self, rows: np.ndarray) -> np.ndarray:
        missing = np.isnan(rows)
        parts = []
        for j, is_categorical in enumerate(self.categorical):
            column = rows[:, j]
            if is_categorical:
                levels = self.levels[j]
                codes = np.where(missing[:, j], -1, column)
                onehot = np.zeros((len(rows), levels + 1))
                known = (codes >= 0) & (codes < levels)
                onehot[np.flatnonzero(known), codes[known].astype(np.int64)] = 1.0
                onehot[codes >= levels, levels] = 1.0  # all other (and unseen) categories
                parts.append(onehot)
            else:
                parts.append(np.where(missing[:, j], self.fill[j], column)[:, None])
        parts += [missing[:, [j]].astype(np.float64) for j in self.indicated]
        return np.hstack(parts)
