"""Small gradient-boosted regression trees that are plain arrays: fit on histograms with
numpy, written to JSON and read back exactly.

Least squares boosting: the first guess is the mean target; each of `n_trees` trees of depth
`depth` is fit to what the sum so far leaves over, and adds `learning_rate` times its leaf
means. Splits are chosen among at most `BINS - 1` cut points per feature (quantiles of its
values in the fitting rows), as LightGBM and scikit-learn's HistGradientBoosting do; a row
goes left when its value is <= the cut. Missing values (NaN: a null, an unseen category) have
a bin of their own, and each split sends them the way that fits better. The nodes are
arrays (feature, threshold, children, missing branch, value), so a recorded model needs no
pickle and no library version to be applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from driftline.errors import InputError

N_TREES = 100
DEPTH = 3
LEARNING_RATE = 0.1
BINS = 64  # per feature: at most 63 cut points, and bin 64 holds the missing values
MIN_LEAF = 50
LEAF = -1  # children of a leaf
ALL_PRESENT = float(np.finfo(np.float64).max)  # the cut of a split of missing from present


@dataclass(frozen=True)
class Tree:
    """One regression tree as node arrays (node 0 is the root)."""

    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    missing_left: np.ndarray
    value: np.ndarray

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The leaf value of each row of `x` (rows x features)."""
        node = np.zeros(len(x), dtype=np.int64)
        rows = np.arange(len(x))
        while True:
            inner = self.left[node] != LEAF
            if not inner.any():
                return self.value[node]
            at = node[inner]
            values = x[rows[inner], np.maximum(self.feature[at], 0)]
            go_left = np.where(
                np.isnan(values), self.missing_left[at], values <= self.threshold[at]
            )
            node[inner] = np.where(go_left, self.left[at], self.right[at])

    def to_dict(self) -> dict[str, list[Any]]:
        return {
            "feature": self.feature.tolist(),
            "threshold": self.threshold.tolist(),
            "left": self.left.tolist(),
            "right": self.right.tolist(),
            "missing_left": self.missing_left.astype(int).tolist(),
            "value": self.value.tolist(),
        }

    @classmethod
    def from_dict(cls, document: Mapping[str, Any], n_features: int) -> Tree:
        """Read node arrays; raises InputError when they do not form a tree over
        `n_features` features."""
        tree = cls(
            feature=np.asarray(document["feature"], dtype=np.int64),
            threshold=np.asarray(document["threshold"], dtype=np.float64),
            left=np.asarray(document["left"], dtype=np.int64),
            right=np.asarray(document["right"], dtype=np.int64),
            missing_left=np.asarray(document["missing_left"], dtype=bool),
            value=np.asarray(document["value"], dtype=np.float64),
        )
        n = len(tree.feature)
        arrays = (tree.threshold, tree.left, tree.right, tree.missing_left, tree.value)
        if n == 0 or any(len(a) != n for a in arrays):
            raise _not_a_model("tree node arrays are empty or of unequal lengths")
        inner = tree.left != LEAF
        children = np.r_[tree.left[inner], tree.right[inner]]
        # children come after their parent, so walking down always ends at a leaf
        parents = np.r_[np.flatnonzero(inner), np.flatnonzero(inner)]
        if (
            (children <= parents).any()
            or (children >= n).any()
            or ((tree.right != LEAF) != inner).any()
            or (tree.feature[inner] < 0).any()
            or (tree.feature[inner] >= n_features).any()
            or not np.isfinite(tree.value).all()
        ):
            raise _not_a_model("tree nodes do not form a tree over the recorded features")
        return tree


@dataclass(frozen=True)
class BoostedTrees:
    """base + learning_rate * (sum of the trees' leaf values)."""

    base: float
    learning_rate: float
    trees: tuple[Tree, ...]

    @classmethod
    def fit(
        cls,
        x: np.ndarray,
        y: np.ndarray,
        *,
        n_trees: int = N_TREES,
        depth: int = DEPTH,
        learning_rate: float = LEARNING_RATE,
    ) -> BoostedTrees:
        """Least squares boosting of `y` on the rows of `x` (NaN = missing)."""
        edges = [_cuts(x[:, f]) for f in range(x.shape[1])]
        bins = np.column_stack(
            [
                np.where(np.isnan(x[:, f]), BINS, np.searchsorted(e, x[:, f]))
                for f, e in enumerate(edges)
            ]
        )
        base = float(np.mean(y))
        fitted = np.full(len(y), base)
        leaf = max(MIN_LEAF, len(y) // 100)
        trees = []
        for _ in range(n_trees):
            tree = _grow(bins, edges, y - fitted, depth, leaf)
            fitted += learning_rate * tree.predict(x)
            trees.append(tree)
        return cls(base, learning_rate, tuple(trees))

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The model's value for each row of `x`."""
        out = np.full(len(x), self.base)
        for tree in self.trees:
            out += self.learning_rate * tree.predict(x)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "learning_rate": self.learning_rate,
            "trees": [t.to_dict() for t in self.trees],
        }

    @classmethod
    def from_dict(cls, document: Mapping[str, Any], n_features: int) -> BoostedTrees:
        """Read a recorded model; raises InputError (KeyError, TypeError: fields missing)."""
        base, rate = float(document["base"]), float(document["learning_rate"])
        if not (np.isfinite(base) and np.isfinite(rate)):
            raise _not_a_model("base and learning rate must be finite")
        trees = tuple(Tree.from_dict(t, n_features) for t in document["trees"])
        return cls(base, rate, trees)


def _not_a_model(reason: str) -> InputError:
    return InputError(
        f"the recorded loss model's trees cannot be read: {reason}", param="loss_model"
    )


def _cuts(values: np.ndarray) -> np.ndarray:
    """At most BINS - 1 increasing cut points: the distinct values' midpoints when few,
    else quantiles of the values."""
    present = np.unique(values[~np.isnan(values)])
    if len(present) <= BINS:
        return (present[1:] + present[:-1]) / 2
    return np.unique(np.quantile(values[~np.isnan(values)], np.arange(1, BINS) / BINS))


def _grow(
    bins: np.ndarray, edges: list[np.ndarray], residual: np.ndarray, depth: int, leaf: int
) -> Tree:
    """One least squares tree on binned features, level by level."""
    n_rows = len(bins)
    feature, threshold, left, right, missing_left, value = [], [], [], [], [], []

    def add(rows: np.ndarray) -> int:
        feature.append(-2)
        threshold.append(0.0)
        left.append(LEAF)
        right.append(LEAF)
        missing_left.append(False)
        value.append(float(residual[rows].mean()))
        return len(value) - 1

    level = [(add(np.arange(n_rows)), np.arange(n_rows))]
    for _ in range(depth):
        following = []
        for node, rows in level:
            split = _best_split(bins[rows], residual[rows], leaf)
            if split is None:
                continue
            f, cut, nan_left = split
            column = bins[rows, f]
            goes_left = np.where(column == BINS, nan_left, column <= cut)
            cut_value = float(edges[f][cut]) if cut < len(edges[f]) else ALL_PRESENT
            feature[node], threshold[node], missing_left[node] = f, cut_value, nan_left
            left[node] = add(rows[goes_left])
            right[node] = add(rows[~goes_left])
            following += [(left[node], rows[goes_left]), (right[node], rows[~goes_left])]
        level = following
    return Tree(
        np.array(feature, dtype=np.int64),
        np.array(threshold),
        np.array(left, dtype=np.int64),
        np.array(right, dtype=np.int64),
        np.array(missing_left, dtype=bool),
        np.array(value),
    )


def _best_split(bins: np.ndarray, residual: np.ndarray, leaf: int) -> tuple[int, int, bool] | None:
    """(feature, cut bin, missing go left) that most reduces the squared error, leaving at
    least `leaf` rows on each side; None when no split does."""
    n = len(residual)
    if n < 2 * leaf:
        return None
    total = residual.sum()
    best, best_gain = None, 1e-12 * float(np.dot(residual, residual))
    for f in range(bins.shape[1]):
        sums = np.bincount(bins[:, f], weights=residual, minlength=BINS + 1)
        counts = np.bincount(bins[:, f], minlength=BINS + 1).astype(np.float64)
        sum_left, count_left = np.cumsum(sums[: BINS - 1]), np.cumsum(counts[: BINS - 1])
        for nan_left in (False, True):
            s_left = sum_left + sums[BINS] * nan_left
            c_left = count_left + counts[BINS] * nan_left
            c_right = n - c_left
            valid = (c_left >= leaf) & (c_right >= leaf)
            if not valid.any():
                continue
            with np.errstate(divide="ignore", invalid="ignore"):
                gain = s_left**2 / c_left + (total - s_left) ** 2 / c_right - total**2 / n
            gain = np.where(valid, gain, -np.inf)
            cut = int(np.argmax(gain))
            if gain[cut] > best_gain:
                best, best_gain = (f, cut, nan_left), float(gain[cut])
    return best
