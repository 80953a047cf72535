"""Degradation against a baseline: direction-aware, relative or absolute, enough labels."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from sklearn import metrics as skm

from driftline.performance import run_performance
from driftline.performance.degradation import judge, worsening
from tests.unit.performance.conftest import Bike


@pytest.mark.parametrize(
    ("metric", "value", "baseline", "mode", "expected"),
    [
        ("accuracy", 0.72, 0.8, "relative", 0.1),  # quality metric falls
        ("accuracy", 0.9, 0.8, "relative", -0.125),
        ("rmse", 110.0, 100.0, "relative", 0.1),  # error metric rises
        ("rmse", 90.0, 100.0, "absolute", -10.0),
        ("r2", 0.5, 0.6, "absolute", 0.1),
        ("mean_error", -12.0, 10.0, "absolute", 2.0),  # bias: farther from zero
        ("mae", 1.0, 0.0, "relative", float("inf")),
    ],
)
def test_worsening_direction(metric, value, baseline, mode, expected) -> None:
    assert worsening(metric, value, baseline, mode) == pytest.approx(expected)


def test_judge_only_metrics_with_a_baseline() -> None:
    verdict = judge({"mae": 12.0, "rmse": 15.0}, {"mae": 10.0}, 0.1, "relative", None)
    assert list(verdict) == ["mae"]
    assert verdict["mae"]["degraded"] and verdict["mae"]["worsening"] == pytest.approx(0.2)


def test_bike_regression_degrades_against_the_2011_fit(bike: Bike, tmp_path: Path) -> None:
    """Demand grew in 2012, so the 2011 model's error rises beyond its training error."""
    frame = bike.frame
    preds = pa.Table.from_pandas(frame[["id", "timestamp", "cnt_pred"]])
    labels = pa.Table.from_pandas(frame[["id", "cnt"]].rename(columns={"cnt": "label"}))
    early = frame[frame.timestamp < "2012-02-01"]
    baseline_mae = skm.mean_absolute_error(early["cnt"], early["cnt_pred"])
    result = run_performance(
        preds,
        labels,
        tmp_path,
        task="regression",
        prediction_column="cnt_pred",
        window="30d",
        baseline={"mae": baseline_mae},
        degradation_threshold=0.5,
    )
    windows = result.document["windows"]
    for window in windows:
        expected = window["metrics"]["mae"] > 1.5 * baseline_mae
        assert window["degraded"] == expected
        assert window["degradation"]["mae"]["degraded"] == expected
    assert result.degraded and any(not w["degraded"] for w in windows)
    assert result.document["degraded_windows"] == [w["start"] for w in windows if w["degraded"]]


def test_too_few_labels_are_not_judged(tmp_path: Path) -> None:
    n = 50
    preds = pa.table(
        {
            "id": np.arange(n),
            "timestamp": [np.datetime64("2024-01-01T00:00:00", "s")] * n,
            "prediction": [0] * n,
        }
    )
    labels = pa.table({"id": np.arange(n), "label": [1] * n})
    doc = run_performance(
        preds,
        labels,
        tmp_path,
        baseline={"accuracy": 0.9},
        classes=["0", "1"],
        min_labelled_rows=51,
    ).document
    (window,) = doc["windows"]
    assert window["metrics"]["accuracy"] == 0.0
    assert window["status"] == "insufficient labels" and not window["degraded"]
    doc = run_performance(
        preds,
        labels,
        tmp_path,
        baseline={"accuracy": 0.9},
        classes=["0", "1"],
        min_labelled_rows=50,
    ).document
    assert doc["degraded"]


def test_baseline_from_a_labelled_reference_set(bike: Bike, tmp_path: Path) -> None:
    frame = bike.frame
    reference = pa.Table.from_pandas(
        frame[frame.timestamp < "2012-03-01"][["high_pred", "high", "p_high"]].rename(
            columns={"high": "label"}
        )
    )
    preds = pa.Table.from_pandas(frame[["id", "timestamp", "high_pred", "p_high"]])
    labels = pa.Table.from_pandas(frame[["id", "high"]].rename(columns={"high": "label"}))
    doc = run_performance(
        preds,
        labels,
        tmp_path,
        prediction_column="high_pred",
        score_columns=["p_high"],
        reference=reference,
        window="30d",
        degradation_metrics=["roc_auc", "accuracy"],
    ).document
    ref = reference.to_pandas()
    assert doc["baseline_source"] == "reference"
    assert doc["baseline"]["roc_auc"] == pytest.approx(skm.roc_auc_score(ref.label, ref.p_high))
    assert set(doc["windows"][0]["degradation"]) == {"roc_auc", "accuracy"}
    json.loads((tmp_path / "performance_report.json").read_text())
