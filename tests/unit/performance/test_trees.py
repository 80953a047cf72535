"""The boosted trees of the loss model: splits as scikit-learn's, missing values, JSON."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.tree import DecisionTreeRegressor

from driftline.errors import InputError
from driftline.performance.trees import BoostedTrees, Tree


def test_one_tree_splits_as_scikit_learn_on_few_distinct_values() -> None:
    """With at most 64 distinct values per feature the cut points are the midpoints between
    them, the cuts scikit-learn tries: the same least squares tree."""
    rng = np.random.default_rng(1)
    x = np.column_stack(
        [rng.integers(0, 24, 3000), rng.integers(0, 7, 3000), rng.random(3000).round(1)]
    )
    y = np.sin(x[:, 0] / 4) * 3 + (x[:, 1] >= 5) * 2 + x[:, 2] + rng.normal(size=3000)
    ours = BoostedTrees.fit(x, y, n_trees=1, learning_rate=1.0)
    oracle = DecisionTreeRegressor(max_depth=3, min_samples_leaf=50).fit(x, y)
    np.testing.assert_allclose(ours.predict(x), oracle.predict(x), rtol=1e-12)


def test_boosting_fits_a_smooth_function() -> None:
    rng = np.random.default_rng(2)
    x = rng.uniform(-2, 2, (4000, 2))
    truth = x[:, 0] ** 2 + np.abs(x[:, 1])
    model = BoostedTrees.fit(x, truth + rng.normal(scale=0.3, size=4000))
    fresh = rng.uniform(-2, 2, (2000, 2))
    error = model.predict(fresh) - (fresh[:, 0] ** 2 + np.abs(fresh[:, 1]))
    assert np.sqrt(np.mean(error**2)) < 0.15  # the noise alone is 0.3


def test_missing_values_take_the_branch_that_fits_them() -> None:
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 1, (2000, 1))
    y = x[:, 0].copy()
    x[:500, 0] = np.nan
    y[:500] = 5.0  # missing rows are the high ones
    model = BoostedTrees.fit(x, y)
    assert model.predict(np.array([[np.nan]]))[0] == pytest.approx(5.0, abs=0.2)
    assert model.predict(np.array([[0.1]]))[0] == pytest.approx(0.1, abs=0.1)


def test_a_recorded_model_predicts_exactly_the_same() -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(size=(1000, 3))
    x[::7, 1] = np.nan
    model = BoostedTrees.fit(x, x[:, 0] * 2 + rng.normal(size=1000), n_trees=20)
    again = BoostedTrees.from_dict(json.loads(json.dumps(model.to_dict())), 3)
    np.testing.assert_array_equal(again.predict(x), model.predict(x))


def test_a_recorded_tree_that_loops_or_names_unknown_features_is_refused() -> None:
    looping = {
        "feature": [0, -2, 0],
        "threshold": [0.0, 0.0, 0.0],
        "left": [1, -1, 0],
        "right": [2, -1, 1],
        "missing_left": [0, 0, 0],
        "value": [0.0, 1.0, 2.0],
    }
    with pytest.raises(InputError, match="do not form a tree"):
        Tree.from_dict(looping, 1)
    unknown = {**looping, "left": [1, -1, -1], "right": [2, -1, -1], "feature": [5, -2, -2]}
    with pytest.raises(InputError, match="do not form a tree"):
        Tree.from_dict(unknown, 2)
    Tree.from_dict({**unknown, "feature": [1, -2, -2]}, 2)  # the same tree over 2 features
