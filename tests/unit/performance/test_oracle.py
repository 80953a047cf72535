"""Every metric equals scikit-learn's on the same rows (real bike-sharing data and models)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from sklearn import metrics as skm

from driftline.performance import run_performance
from tests.unit.performance.conftest import Bike, window_rows


def _split(frame, label: str, keep_share: float, seed: int):
    """Predictions table, and a labels table for a random share of the ids."""
    rng = np.random.default_rng(seed)
    keep = rng.random(len(frame)) < keep_share
    labels = frame.loc[keep, ["id", label]].rename(columns={label: "label"})
    return frame, pa.Table.from_pandas(labels, preserve_index=False), keep


def test_regression_windows_match_sklearn(bike: Bike, tmp_path: Path) -> None:
    frame, labels, keep = _split(bike.frame, "cnt", 0.8, 1)
    preds = pa.Table.from_pandas(frame[["id", "timestamp", "cnt_pred", "season"]])
    result = run_performance(
        preds,
        labels,
        tmp_path,
        task="regression",
        prediction_column="cnt_pred",
        window="30d",
        segment_columns=["season"],
    )
    frame = frame.assign(labelled=keep)
    windows = result.document["windows"]
    assert len(windows) == 13
    for window in windows:
        rows = window_rows(frame, window["start"], window["end"])
        lab = rows[rows.labelled]
        assert window["rows"] == len(rows) and window["labelled_rows"] == len(lab)
        y, p = lab["cnt"].to_numpy(), lab["cnt_pred"].to_numpy()
        m = window["metrics"]
        assert m["mae"] == pytest.approx(skm.mean_absolute_error(y, p), rel=1e-12)
        assert m["rmse"] == pytest.approx(skm.root_mean_squared_error(y, p), rel=1e-12)
        assert m["mape"] == pytest.approx(skm.mean_absolute_percentage_error(y, p), rel=1e-12)
        assert m["r2"] == pytest.approx(skm.r2_score(y, p), rel=1e-9)
        assert m["mean_error"] == pytest.approx(np.mean(p - y), rel=1e-9)
        for segment in window["segments"]["season"]:
            part = lab[lab.season.astype(str) == segment["value"]]
            assert segment["labelled_rows"] == len(part)
            assert segment["metrics"]["mae"] == pytest.approx(
                skm.mean_absolute_error(part["cnt"], part["cnt_pred"]), rel=1e-12
            )
    lab = frame[frame.labelled]
    overall = result.document["overall"]["metrics"]  # merged from per-window sums
    assert overall["r2"] == pytest.approx(skm.r2_score(lab["cnt"], lab["cnt_pred"]), rel=1e-9)
    assert overall["rmse"] == pytest.approx(
        skm.root_mean_squared_error(lab["cnt"], lab["cnt_pred"]), rel=1e-12
    )


def _classification_checks(m: dict, y, pred, proba, labels: list[str], binary: bool) -> None:
    assert m["accuracy"] == pytest.approx(skm.accuracy_score(y, pred), abs=1e-12)
    for average in ("macro", "weighted"):
        p, r, f, _ = skm.precision_recall_fscore_support(y, pred, average=average, zero_division=0)
        assert m[f"precision_{average}"] == pytest.approx(p, abs=1e-12)
        assert m[f"recall_{average}"] == pytest.approx(r, abs=1e-12)
        assert m[f"f1_{average}"] == pytest.approx(f, abs=1e-12)
    assert m["log_loss"] == pytest.approx(skm.log_loss(y, proba, labels=labels), rel=1e-9)
    if binary:
        p, r, f, _ = skm.precision_recall_fscore_support(
            y, pred, pos_label=labels[1], average="binary", zero_division=0
        )
        assert (m["precision"], m["recall"], m["f1"]) == pytest.approx((p, r, f), abs=1e-12)
        score = proba[:, 1]
        positive = y == labels[1]
        assert m["roc_auc"] == pytest.approx(skm.roc_auc_score(positive, score), rel=1e-12)
        assert m["pr_auc"] == pytest.approx(skm.average_precision_score(positive, score), rel=1e-12)
    else:
        assert m["roc_auc"] == pytest.approx(
            skm.roc_auc_score(y, proba, multi_class="ovr", labels=labels), rel=1e-12
        )
        onehot = np.stack([y == c for c in labels], axis=1)
        assert m["pr_auc"] == pytest.approx(
            skm.average_precision_score(onehot, proba, average="macro"), rel=1e-12
        )


def test_binary_windows_match_sklearn(bike: Bike, tmp_path: Path) -> None:
    frame, labels, keep = _split(bike.frame, "high", 0.7, 2)
    preds = pa.Table.from_pandas(frame[["id", "timestamp", "high_pred", "p_high"]])
    result = run_performance(
        preds,
        labels,
        tmp_path,
        prediction_column="high_pred",
        score_columns=["p_high"],
        window="7d",
        min_labelled_rows=50,
    )
    frame = frame.assign(labelled=keep)
    document = result.document
    assert document["classes"] == ["0", "1"] and document["positive_label"] == "1"
    for window in document["windows"]:
        lab = window_rows(frame, window["start"], window["end"])
        lab = lab[lab.labelled]
        y, pred = lab["high"].astype(str).to_numpy(), lab["high_pred"].astype(str).to_numpy()
        proba = np.column_stack([1 - lab["p_high"], lab["p_high"]])
        _classification_checks(window["metrics"], y, pred, proba, ["0", "1"], binary=True)
        assert (
            window["confusion_matrix"] == skm.confusion_matrix(y, pred, labels=["0", "1"]).tolist()
        )
    lab = frame[frame.labelled]
    assert (
        document["overall"]["confusion_matrix"]
        == skm.confusion_matrix(lab["high"], lab["high_pred"]).tolist()
    )
    fpr, tpr, _ = result.roc_curve  # binned curve: close to the exact one
    exact_auc = skm.roc_auc_score(lab["high"], lab["p_high"])
    overall = document["overall"]["metrics"]  # exact, over every labelled row
    assert overall["roc_auc"] == pytest.approx(exact_auc, rel=1e-12)
    assert overall["pr_auc"] == pytest.approx(
        skm.average_precision_score(lab["high"], lab["p_high"]), rel=1e-12
    )
    assert overall["f1"] == pytest.approx(skm.f1_score(lab["high"], lab["high_pred"]), abs=1e-12)
    assert np.trapezoid(tpr[::-1], fpr[::-1]) == pytest.approx(exact_auc, abs=2e-3)


def test_multiclass_windows_match_sklearn(bike: Bike, tmp_path: Path) -> None:
    frame = bike.frame
    preds = pa.Table.from_pandas(
        frame[["id", "timestamp", "demand_pred", "p_high", "p_low", "p_mid"]]
    )
    labels = pa.Table.from_pandas(frame[["id", "demand"]].rename(columns={"demand": "label"}))
    result = run_performance(
        preds,
        labels,
        tmp_path,
        prediction_column="demand_pred",
        score_columns=["p_high", "p_low", "p_mid"],
        window="30d",
    )
    classes = ["high", "low", "mid"]
    assert result.document["classes"] == classes
    estimated = result.document["windows"][0]["estimate"]  # CBPE one-vs-rest
    assert set(estimated["metrics"]) == {
        *("accuracy", "precision_macro", "recall_macro", "f1_macro", "f1_weighted", "roc_auc")
    }
    overall = result.document["overall"]["metrics"]
    assert overall["roc_auc"] == pytest.approx(
        skm.roc_auc_score(frame["demand"], frame[["p_high", "p_low", "p_mid"]], multi_class="ovr"),
        rel=1e-12,
    )
    for window in result.document["windows"]:
        rows = window_rows(frame, window["start"], window["end"])
        proba = rows[["p_high", "p_low", "p_mid"]].to_numpy()
        _classification_checks(
            window["metrics"],
            rows["demand"].to_numpy(),
            rows["demand_pred"].to_numpy(),
            proba,
            classes,
            binary=False,
        )
