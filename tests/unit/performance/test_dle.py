"""Direct loss estimation: regression error before labels, on a known noise model."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pytest

from driftline.errors import InputError
from driftline.performance.dle import Feature, LossModel

SQRT_2_OVER_PI = np.sqrt(2 / np.pi)


def _rows(
    rng: np.random.Generator, n: int, low: float = 0.0
) -> tuple[list[pa.Array], np.ndarray, np.ndarray]:
    """x1 ~ U(low, 1), x2 ~ N(0, 1); the model predicts the mean 3 x1 + x2 exactly, the label
    adds Gaussian noise of standard deviation 0.2 + 2 x1 (heteroscedastic)."""
    x1, x2 = rng.uniform(low, 1, n), rng.normal(size=n)
    prediction = 3 * x1 + x2
    label = prediction + (0.2 + 2 * x1) * rng.normal(size=n)
    return [pa.array(x1), pa.array(x2)], prediction, label


def _fit(seed: int = 0, rows: int = 5000) -> LossModel:
    columns, prediction, label = _rows(np.random.default_rng(seed), rows)
    features = [
        Feature.of(name, pa.chunked_array([c]))
        for name, c in zip(("x1", "x2"), columns, strict=True)
    ]
    return LossModel.fit(features, columns, prediction, label, seed=seed)


def test_the_estimate_tracks_a_known_heteroscedastic_shift() -> None:
    """Moving x1 to [0.6, 1] raises the expected MAE from 1.2 to 1.8 sqrt(2/pi) (E|N(0, s)| =
    s sqrt(2/pi)); the estimate follows within 5 %, where the reference MAE stays at 0.96."""
    model = _fit()
    rng = np.random.default_rng(100)
    for low, mean_sd in ((0.0, 1.2), (0.6, 1.8)):
        columns, prediction, _ = _rows(rng, 20_000, low)
        estimate = model.estimate(columns, prediction)["metrics"]
        assert estimate["mae"]["value"] == pytest.approx(mean_sd * SQRT_2_OVER_PI, rel=0.05)
        # E[e^2] = E[(0.2 + 2 x1)^2] over x1 ~ U(low, 1)
        mean_square = np.mean((0.2 + 2 * np.linspace(low, 1, 100_001)) ** 2)
        assert estimate["rmse"]["value"] == pytest.approx(np.sqrt(mean_square), rel=0.05)


def test_intervals_hold_the_realized_error_of_fresh_windows() -> None:
    """Over references of several seeds and shifted and unshifted windows of 1000 rows, the
    95 % interval holds the realized MAE and RMSE in 85-100 % of the windows."""
    hits = {"mae": [], "rmse": []}
    for seed in range(3):
        model = _fit(seed)
        rng = np.random.default_rng(1000 + seed)
        for window in range(16):
            columns, prediction, label = _rows(rng, 1000, 0.6 * (window % 2))
            estimate = model.estimate(columns, prediction, seed=window)["metrics"]
            error = prediction - label
            realized = {"mae": np.mean(np.abs(error)), "rmse": np.sqrt(np.mean(error**2))}
            for name in hits:
                hits[name].append(estimate[name]["low"] <= realized[name] <= estimate[name]["high"])
    for name, inside in hits.items():
        assert 0.85 <= np.mean(inside) <= 1.0, (name, np.mean(inside))


def test_text_features_and_unseen_categories() -> None:
    """The error's size depends on a text column; an unseen category is a missing value."""
    rng = np.random.default_rng(5)
    n = 4000
    city = rng.choice(["berlin", "lisbon", "oslo"], n)
    scale = np.where(city == "oslo", 3.0, 1.0)
    prediction = rng.normal(size=n)
    label = prediction + scale * rng.normal(size=n)
    columns = [pa.array(city)]
    features = [Feature.of("city", pa.chunked_array(columns))]
    assert features[0].categories == ("berlin", "lisbon", "oslo")
    model = LossModel.fit(features, columns, prediction, label)
    fresh = rng.normal(size=2000)
    oslo = model.estimate([pa.array(["oslo"] * 2000)], fresh)["metrics"]["mae"]["value"]
    berlin = model.estimate([pa.array(["berlin"] * 2000)], fresh)["metrics"]["mae"]["value"]
    assert oslo == pytest.approx(3 * SQRT_2_OVER_PI, rel=0.1)
    assert berlin == pytest.approx(SQRT_2_OVER_PI, rel=0.1)
    unseen = model.estimate([pa.array(["paris", None] * 50)], np.zeros(100))
    assert np.isfinite(unseen["metrics"]["mae"]["value"])


def test_a_recorded_loss_model_gives_the_same_estimates() -> None:
    model = _fit()
    again = LossModel.from_dict(json.loads(json.dumps(model.to_dict())), ["x1", "x2"])
    columns, prediction, _ = _rows(np.random.default_rng(9), 500)
    assert again.estimate(columns, prediction, seed=3) == model.estimate(
        columns, prediction, seed=3
    )


def test_bad_input_is_refused_naming_it() -> None:
    columns, prediction, label = _rows(np.random.default_rng(0), 50)
    features = [
        Feature.of(n, pa.chunked_array([c])) for n, c in zip(("x1", "x2"), columns, strict=True)
    ]
    with pytest.raises(InputError, match="at least 100 labelled reference rows, got 50"):
        LossModel.fit(features, columns, prediction, label)
    stamps = pa.chunked_array([pa.array([0, 1], pa.timestamp("s"))])
    with pytest.raises(InputError, match="feature column 'when' has type timestamp"):
        Feature.of("when", stamps)
    recorded = _fit(rows=400).to_dict()
    with pytest.raises(InputError, match=r"fit on feature columns \['x1', 'x2'\]"):
        LossModel.from_dict(recorded, ["x1"])
    with pytest.raises(InputError, match="not a driftline direct loss estimation model"):
        LossModel.from_dict({**recorded, "held_error": [-1.0]}, ["x1", "x2"])
    with pytest.raises(InputError, match="not a driftline direct loss estimation model"):
        LossModel.from_dict({"method": "dle"}, ["x1", "x2"])
