"""CBPE estimates before labels arrive: exact expectations, honest intervals, later comparison."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from sklearn.metrics import roc_auc_score

from driftline.performance import run_performance
from driftline.performance.estimate import estimate, expected_confusion, expected_roc_auc
from tests.unit.performance.conftest import Bike


def test_expected_accuracy_is_mean_confidence() -> None:
    p = np.array([0.9, 0.2, 0.6, 0.5])
    predicted = p >= 0.5
    cm = expected_confusion(predicted, p)
    assert np.trace(cm) / cm.sum() == pytest.approx(np.mean(np.maximum(p, 1 - p)))


def test_expected_roc_auc_matches_simulated_labels() -> None:
    rng = np.random.default_rng(3)
    p = rng.beta(2, 2, 2000)
    simulated = [roc_auc_score(rng.random(2000) < p, p) for _ in range(200)]
    assert expected_roc_auc(p) == pytest.approx(np.mean(simulated), abs=3e-3)


def test_intervals_cover_realized_metrics_of_calibrated_scores() -> None:
    """With calibrated probabilities, about 95 % of realized values fall in the interval."""
    rng = np.random.default_rng(7)
    hits = {"accuracy": 0, "f1_macro": 0, "roc_auc": 0}
    trials = 60
    for trial in range(trials):
        p = rng.beta(2, 3, 400)
        y = rng.random(400) < p
        predicted = p >= 0.5
        result = estimate(predicted, p, seed=trial)["metrics"]
        realized = {
            "accuracy": np.mean(predicted == y),
            "roc_auc": roc_auc_score(y, p),
        }
        tp, fp = np.sum(predicted & y), np.sum(predicted & ~y)
        fn, tn = np.sum(~predicted & y), np.sum(~predicted & ~y)
        realized["f1_macro"] = (2 * tp / (2 * tp + fp + fn) + 2 * tn / (2 * tn + fn + fp)) / 2
        for name in hits:
            hits[name] += result[name]["low"] <= realized[name] <= result[name]["high"]
    for name, count in hits.items():
        assert 0.85 <= count / trials <= 1.0, (name, count)


def test_bike_estimates_then_labels_arrive(bike: Bike, tmp_path: Path) -> None:
    """Before labels: estimates per window; after: how close they were to the realized values."""
    frame = bike.frame
    preds = pa.Table.from_pandas(frame[["id", "timestamp", "high_pred", "p_high"]])
    early = run_performance(
        preds,
        preds.slice(0, 0).select(["id"]).append_column("label", pa.array([], pa.int64())),
        tmp_path / "before",
        prediction_column="high_pred",
        score_columns=["p_high"],
        window="30d",
        classes=["0", "1"],
    )
    labels = pa.Table.from_pandas(frame[["id", "high"]].rename(columns={"high": "label"}))
    late = run_performance(
        preds,
        labels,
        tmp_path / "after",
        prediction_column="high_pred",
        score_columns=["p_high"],
        window="30d",
    )
    for before, after in zip(early.document["windows"], late.document["windows"], strict=True):
        assert before["status"] == "no labels" and "comparison" not in before["estimate"]
        assert before["estimate"]["metrics"] == after["estimate"]["metrics"]
        comparison = after["estimate"]["comparison"]["accuracy"]
        assert comparison["realized"] == after["metrics"]["accuracy"]
        assert comparison["error"] == pytest.approx(comparison["realized"] - comparison["estimate"])
    # 2012 demand grew past the 2011 model's world: its confidence no longer matches reality
    # (CBPE assumes calibrated scores and no concept drift), and the comparison shows it.
    outside = [
        not w["estimate"]["comparison"]["accuracy"]["within_interval"]
        for w in late.document["windows"]
    ]
    assert any(outside)
