"""Bad input: one clear driftline error naming what is wrong, and no report written."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from driftline.errors import EmptyDataError, InputError, UnknownNameError
from driftline.performance import run_performance

T = [datetime(2024, 1, 1) + timedelta(hours=h) for h in range(4)]


def preds(**extra) -> pa.Table:
    return pa.table({"id": [1, 2, 3, 4], "timestamp": T, "prediction": [0, 1, 1, 0], **extra})


LABELS = pa.table({"id": [1, 2, 3, 4], "label": [0, 1, 0, 0]})


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"score_columns": ["p"]}, InputError, r"'p'.*outside \[0, 1\].*max 1\.2"),
        ({"score_columns": ["p0", "p1"]}, InputError, r"do not sum to 1 in 1 row"),
        ({"classes": ["0", "2"]}, InputError, r"never seen at training time: \['1'\]"),
        (
            {"window": "daily"},
            InputError,
            r"window 'daily' is not a window; expected a calendar period",
        ),
        ({"task": "ranking"}, UnknownNameError, r"unknown task 'ranking'; valid: classif"),
        ({"bogus": 1}, UnknownNameError, r"unknown performance option 'bogus'; valid: .*window"),
        ({"prediction_column": "pred"}, InputError, r"predictions lack column\(s\) 'pred'"),
        ({"baseline": {"auc": 0.9}}, UnknownNameError, r"baseline metric 'auc'; valid: .*roc_auc"),
        ({"baseline": {"accuracy": "high"}}, InputError, r"'accuracy' must be a finite number"),
        ({"degradation_threshold": -1}, InputError, r"degradation_threshold must be"),
        ({"min_labelled_rows": 0}, InputError, r"min_labelled_rows must be a positive"),
        ({"positive_label": "yes"}, UnknownNameError, r"positive label 'yes'; valid: 0, 1"),
        ({"timestamp_column": "id"}, InputError, r"timestamp column 'id' has type int64"),
    ],
)
def test_bad_classification_input(kwargs, error, message, tmp_path: Path) -> None:
    table = preds(p=[0.1, 1.2, 0.5, 0.3], p0=[0.9, 0.5, 0.5, 0.7], p1=[0.1, 0.4, 0.5, 0.3])
    with pytest.raises(error, match=message):
        run_performance(table, LABELS, tmp_path, **kwargs)
    assert not list(tmp_path.iterdir())


def test_label_class_never_seen_at_training(tmp_path: Path) -> None:
    labels = pa.table({"id": [1, 2], "label": ["cat", "dog"]})
    table = preds(prediction=["cat", "cat", "cow", "cow"])
    with pytest.raises(InputError, match=r"'label' holds class\(es\) never seen.*\['dog'\]"):
        run_performance(table, labels, tmp_path, classes=["cat", "cow"])


def test_label_class_unseen_in_the_reference_set(tmp_path: Path) -> None:
    reference = pa.table({"prediction": ["cat", "cow"], "label": ["cat", "cow"]})
    labels = pa.table({"id": [1, 2], "label": ["cat", "dog"]})
    table = preds(prediction=["cat", "cat", "cow", "cow"])
    with pytest.raises(InputError, match=r"never seen at training time: \['dog'\]"):
        run_performance(table, labels, tmp_path, reference=reference)


def test_regression_target_with_nan(tmp_path: Path) -> None:
    labels = pa.table({"id": [1, 2], "label": [1.5, float("nan")]})
    table = preds(prediction=[1.0, 2.0, 3.0, 4.0])
    with pytest.raises(InputError, match=r"column 'label' holds NaN"):
        run_performance(table, labels, tmp_path, task="regression")


def test_regression_prediction_must_be_numeric(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"'prediction' has type string; expected numbers"):
        run_performance(preds(prediction=["a", "b", "c", "d"]), LABELS, tmp_path, task="regression")


def test_empty_predictions(tmp_path: Path) -> None:
    table = preds().slice(0, 0)
    with pytest.raises(EmptyDataError, match="no rows"):
        run_performance(table, LABELS, tmp_path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"predictions: data source not found"):
        run_performance(tmp_path / "nope.parquet", LABELS, tmp_path)


def test_window_without_labels_is_insufficient_not_a_crash(tmp_path: Path) -> None:
    table = pa.table(
        {
            "id": [1, 2, 3, 4],
            "timestamp": [T[0], T[1], datetime(2024, 1, 5), datetime(2024, 1, 5, 3)],
            "prediction": [0, 1, 1, 0],
            "p": [0.2, 0.9, 0.7, 0.4],
        }
    )
    labels = pa.table({"id": [1, 2], "label": [0, 1]})
    doc = run_performance(
        table,
        labels,
        tmp_path,
        score_columns=["p"],
        min_labelled_rows=2,
        baseline={"accuracy": 1.0},
    ).document
    first, last = doc["windows"]
    assert first["status"] == "ok" and first["sufficient"]
    assert last["status"] == "no labels" and not last["sufficient"]
    assert last["labelled_rows"] == 0 and last["metrics"] == {} and not last["degraded"]
    assert last["estimate"]["metrics"]["accuracy"]["value"] == pytest.approx((0.7 + 0.6) / 2)
