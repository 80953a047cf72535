"""CBPE estimates before labels arrive: exact expectations, honest intervals, later comparison."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, roc_auc_score

from driftline.performance import run_performance
from driftline.performance.calibration import Calibration, ClassCalibration
from driftline.performance.estimate import estimate, expected_confusion, expected_roc_auc
from tests.unit.performance.conftest import Bike


def _binary(p: np.ndarray) -> np.ndarray:
    return np.column_stack([1 - p, p])


def test_expected_accuracy_is_mean_confidence() -> None:
    p = np.array([0.9, 0.2, 0.6, 0.5])
    predicted = (p >= 0.5).astype(int)
    cm = expected_confusion(predicted, _binary(p))
    assert np.trace(cm) / cm.sum() == pytest.approx(np.mean(np.maximum(p, 1 - p)))


def test_expected_roc_auc_matches_simulated_labels() -> None:
    rng = np.random.default_rng(3)
    p = rng.beta(2, 2, 2000)
    simulated = [roc_auc_score(rng.random(2000) < p, p) for _ in range(200)]
    assert expected_roc_auc(p) == pytest.approx(np.mean(simulated), abs=3e-3)


def _realized(y: np.ndarray, predicted: np.ndarray, score: np.ndarray) -> dict[str, float]:
    return {
        "accuracy": accuracy_score(y, predicted),
        "f1": f1_score(y, predicted),
        "precision": precision_score(y, predicted, zero_division=0),
        "recall": recall_score(y, predicted),
        "f1_macro": f1_score(y, predicted, average="macro"),
        "roc_auc": roc_auc_score(y, score),
    }


def test_intervals_cover_realized_metrics_of_calibrated_scores() -> None:
    """With calibrated probabilities, about 95 % of realized values fall in the interval."""
    rng = np.random.default_rng(7)
    hits = dict.fromkeys(("accuracy", "f1", "precision", "recall", "f1_macro", "roc_auc"), 0)
    trials = 60
    for trial in range(trials):
        p = rng.beta(2, 3, 400)
        y = (rng.random(400) < p).astype(int)
        predicted = (p >= 0.5).astype(int)
        result = estimate(predicted, _binary(p), seed=trial)["metrics"]
        realized = _realized(y, predicted, p)
        for name in hits:
            hits[name] += result[name]["low"] <= realized[name] <= result[name]["high"]
    for name, count in hits.items():
        assert 0.85 <= count / trials <= 1.0, (name, count)


def _underconfident(p: np.ndarray) -> np.ndarray:
    """A model whose scores run towards 0.5: the true rate of a 0.9 score is above 0.9."""
    return 0.5 + 0.6 * (p - 0.5)


def test_calibration_on_the_reference_removes_the_bias_and_keeps_coverage() -> None:
    """Under-confident scores: raw CBPE runs low; calibrated on a labelled reference, the
    estimate is unbiased and the interval (label noise + calibration error) holds its level."""
    rng = np.random.default_rng(11)
    raw_errors, calibrated_errors, hits, trials = [], [], 0, 80
    for trial in range(trials):
        p = rng.beta(0.6, 0.6, 1000)
        y = (rng.random(1000) < p).astype(int)
        score = _underconfident(p)
        predicted = (score >= 0.5).astype(int)
        realized = accuracy_score(y, predicted)
        # a fresh reference per trial: the calibration's own error varies too
        p_ref = rng.beta(0.6, 0.6, 3000)
        y_ref = (rng.random(3000) < p_ref).astype(int)
        calibration = Calibration.fit(y_ref, _binary(_underconfident(p_ref)), 1)
        raw = estimate(predicted, _binary(score), seed=trial)["metrics"]["accuracy"]
        fitted = estimate(predicted, _binary(score), 1, calibration, trial)["metrics"]["accuracy"]
        raw_errors.append(realized - raw["value"])
        calibrated_errors.append(realized - fitted["value"])
        hits += fitted["low"] <= realized <= fitted["high"]
    assert np.mean(raw_errors) > 0.05  # raw scores: estimate far too low
    assert abs(np.mean(calibrated_errors)) < 0.01
    assert 0.88 <= hits / trials <= 1.0, hits


def test_multiclass_intervals_cover_realized_metrics() -> None:
    rng = np.random.default_rng(5)
    hits = dict.fromkeys(("accuracy", "f1_macro", "roc_auc"), 0)
    trials = 40
    for trial in range(trials):
        proba = rng.dirichlet([1.0, 1.0, 1.0], 600)
        y = (rng.random((600, 1)) > np.cumsum(proba, axis=1)).sum(axis=1)
        predicted = proba.argmax(axis=1)
        result = estimate(predicted, proba, seed=trial)["metrics"]
        realized = {
            "accuracy": accuracy_score(y, predicted),
            "f1_macro": f1_score(y, predicted, average="macro"),
            "roc_auc": roc_auc_score(y, proba, multi_class="ovr"),
        }
        for name in hits:
            hits[name] += result[name]["low"] <= realized[name] <= result[name]["high"]
    for name, count in hits.items():
        assert 0.85 <= count / trials <= 1.0, (name, count)


def test_isotonic_blocks_match_sklearn() -> None:
    """The calibration's block rates are scikit-learn's isotonic fit at the reference scores."""
    rng = np.random.default_rng(2)
    score = np.round(rng.random(2000), 3)  # with ties
    y = rng.random(2000) < score**2
    blocks = ClassCalibration.fit(y, score)
    fitted = IsotonicRegression().fit(score, y).predict(score)
    edges = np.cumsum(blocks.rows)
    order = np.argsort(score, kind="stable")
    for first, last, rate in zip(
        np.r_[0, edges[:-1]], edges, blocks.positives / blocks.rows, strict=True
    ):
        assert fitted[order[first:last]] == pytest.approx(rate, abs=1e-12)
    assert blocks.rows.sum() == 2000 and blocks.positives.sum() == y.sum()


def test_recorded_calibration_is_applied_without_refitting(tmp_path: Path) -> None:
    """A scheduled run given the baseline's recorded calibration estimates exactly as the run
    that fit it on the reference."""
    rng = np.random.default_rng(4)

    def table(rows: int, start: int) -> pa.Table:
        p = rng.beta(0.7, 0.7, rows)
        score = _underconfident(p)
        return pa.table(
            {
                "id": np.arange(start, start + rows),
                "timestamp": pa.array(
                    np.datetime64("2024-01-01T00:00", "s")
                    + np.arange(rows) * np.timedelta64(60, "s")
                ),
                "prediction": (score >= 0.5).astype(int),
                "score": score,
                "label": (rng.random(rows) < p).astype(int),
            }
        )

    reference, current = table(2000, 0), table(3000, 10_000)
    options = {"score_columns": ["score"], "window": "1d", "min_labelled_rows": 10}
    unlabelled = current.drop(["label"])
    fitted = run_performance(unlabelled, None, tmp_path / "a", reference=reference, **options)
    document = fitted.document
    assert document["label_status"] == "no labels yet"
    assert document["calibration"]["method"] == "isotonic"
    assert document["calibration"]["fit_rows"] == 2000
    recorded = json.loads(json.dumps(document["calibration"]))
    scheduled = run_performance(
        unlabelled,
        None,
        tmp_path / "b",
        baseline=document["baseline"],
        calibration=recorded,
        classes=["0", "1"],
        **options,
    )
    assert scheduled.document["calibration"] == document["calibration"]
    for a, b in zip(document["windows"], scheduled.document["windows"], strict=True):
        assert a["estimate"] == b["estimate"] and a["estimate"]["calibration"] == "isotonic"
    raw = run_performance(
        unlabelled,
        None,
        tmp_path / "c",
        reference=reference,
        calibration_method="none",
        **options,
    )
    realized = accuracy_score(current["label"], current["prediction"])
    calibrated_error = abs(
        document["windows"][0]["estimate"]["metrics"]["accuracy"]["value"] - realized
    )
    raw_error = abs(
        raw.document["windows"][0]["estimate"]["metrics"]["accuracy"]["value"] - realized
    )
    assert calibrated_error < raw_error


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
    page = Path(late.html_path).read_text()
    total = sum(len(w["estimate"]["comparison"]) for w in late.document["windows"])
    inside = sum(
        c["within_interval"]
        for w in late.document["windows"]
        for c in w["estimate"]["comparison"].values()
    )
    assert "<h2>Estimate against actual</h2>" in page
    assert f"{inside} of {total} realized values fell inside" in page
    assert page.count("<span class='bad'>outside</span>") == total - inside
