"""Hostile input to `driftline performance` (issue 12, "Silent wrong answers" 1 and 5)."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from click.testing import CliRunner
from sklearn.metrics import accuracy_score, mean_absolute_error, mean_squared_error, r2_score

from driftline.cli import main
from driftline.errors import InputError
from driftline.performance import run_performance

ROWS = 400


def _regression(tmp_path: Path, infinite: float) -> tuple[Path, pd.DataFrame]:
    """Two days of predictions; day 2 is badly degraded and holds one infinite label."""
    rng = np.random.default_rng(3)
    label = rng.normal(100, 10, ROWS)
    noise = np.where(np.arange(ROWS) < ROWS // 2, 1.0, 30.0)  # day 2: 30x the error
    frame = pd.DataFrame(
        {
            "id": np.arange(ROWS),
            "timestamp": [datetime(2024, 3, 1) + timedelta(minutes=7 * i) for i in range(ROWS)],
            "prediction": label + rng.normal(0, 1, ROWS) * noise,
            "label": label,
        }
    )
    frame.loc[ROWS - 5, "label"] = infinite
    path = tmp_path / "predictions.parquet"
    frame.to_parquet(path)
    return path, frame


@pytest.mark.parametrize("infinite", [np.inf, -np.inf])
def test_one_infinite_label_never_leaves_a_degraded_window_ok(
    tmp_path: Path, infinite: float
) -> None:
    """Issue 12: "One `inf` label or prediction turns every metric of that window, and
    `overall`, into null. The window stays "ok", and `--fail-on-degradation` exits 0.\""""
    path, frame = _regression(tmp_path, infinite)
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({"mae": 0.8, "rmse": 1.0}))
    out = tmp_path / "out"
    done = CliRunner().invoke(
        main,
        [
            *("performance", "--predictions", str(path), "--task", "regression"),
            *("--window", "1d", "--min-labelled-rows", "10", "--baseline", str(baseline)),
            *("--out", str(out), "--fail-on-degradation"),
        ],
    )
    assert done.exit_code == 3, done.output
    report = json.loads((out / "performance_report.json").read_text())
    day2 = report["windows"][-1]
    assert day2["status"] == "invalid" and day2["non_finite_rows"] == 1
    assert day2["degraded"] and report["invalid_windows"] == [day2["start"]]
    assert report["overall"]["non_finite_rows"] == 1
    finite = frame[np.isfinite(frame["label"])]
    in_day2 = finite[finite["timestamp"] >= datetime(2024, 3, 2)]
    assert day2["labelled_rows"] == len(in_day2)
    assert day2["metrics"]["mae"] == pytest.approx(
        mean_absolute_error(in_day2["label"], in_day2["prediction"]), rel=1e-9
    )
    assert report["overall"]["metrics"]["rmse"] == pytest.approx(
        np.sqrt(mean_squared_error(finite["label"], finite["prediction"])), rel=1e-9
    )
    assert "non-finite" in done.output


def test_one_infinite_prediction_marks_its_window_invalid(tmp_path: Path) -> None:
    """Issue 12: one `inf` prediction must not leave its window "ok" either."""
    path, frame = _regression(tmp_path, 100.0)
    frame.loc[3, "prediction"] = np.inf
    frame.to_parquet(path)
    result = run_performance(str(path), None, tmp_path, task="regression", min_labelled_rows=10)
    day1, day2 = result.document["windows"]
    assert (day1["status"], day1["non_finite_rows"]) == ("invalid", 1)
    assert (day2["status"], day2["non_finite_rows"]) == ("ok", 0)
    assert np.isfinite(day1["metrics"]["mae"])


def test_regression_sums_of_huge_values_do_not_overflow(tmp_path: Path) -> None:
    """Issue 12: regression sums overflow on values near the largest float (1e308)."""
    rng = np.random.default_rng(5)
    label = rng.normal(0, 1, 200) * 1e307
    prediction = label + rng.normal(0, 1, 200) * 1e306
    label[:3], prediction[3:6] = 1.7e308, -1.7e308  # single errors beyond the float range
    frame = pd.DataFrame(
        {
            "timestamp": [datetime(2024, 1, 1, h % 24) for h in range(200)],
            "prediction": prediction,
            "label": label,
        }
    )
    result = run_performance(frame_table(frame), None, tmp_path, task="regression")
    metrics = result.document["overall"]["metrics"]
    # the oracle in exact integer and rational arithmetic (floats only at the end)
    errors = [int(p) - int(t) for p, t in zip(prediction, label, strict=True)]
    n = len(errors)
    assert metrics["mae"] == pytest.approx(float(Fraction(sum(map(abs, errors)), n)), rel=1e-9)
    assert metrics["mean_error"] == pytest.approx(float(Fraction(sum(errors), n)), rel=1e-9)
    squares = sum(e * e for e in errors)
    assert metrics["rmse"] == pytest.approx(float(math.isqrt(squares // n)), rel=1e-9)
    mean = Fraction(sum(int(t) for t in label), n)
    m2 = sum((int(t) - mean) ** 2 for t in label)
    assert metrics["r2"] == pytest.approx(float(1 - squares / m2), rel=1e-9)


def test_regression_of_ordinary_values_matches_sklearn(tmp_path: Path) -> None:
    """The overflow-free sums give scikit-learn's values on ordinary data, several batches."""
    rng = np.random.default_rng(8)
    label = rng.normal(50, 20, 3000)
    prediction = label * 0.9 + rng.normal(0, 5, 3000)
    frame = pd.DataFrame(
        {
            "timestamp": [datetime(2024, 1, 1) + timedelta(minutes=i) for i in range(3000)],
            "prediction": prediction,
            "label": label,
        }
    )
    result = run_performance(frame_table(frame), None, tmp_path, task="regression", window="1h")
    metrics = result.document["overall"]["metrics"]
    assert metrics["mae"] == pytest.approx(mean_absolute_error(label, prediction), rel=1e-12)
    assert metrics["r2"] == pytest.approx(r2_score(label, prediction), rel=1e-12)


def frame_table(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame, preserve_index=False)


def _mismatched(tmp_path: Path) -> tuple[Path, Path]:
    predictions = pd.DataFrame(
        {
            "id": np.arange(8),
            "timestamp": [datetime(2024, 1, 1, h) for h in range(8)],
            "prediction": [0, 1, 1, 0, 1, 0, 0, 1],
        }
    )
    labels = pd.DataFrame(
        {"id": np.arange(8), "label": ["no", "yes", "yes", "no", "no", "no", "no", "yes"]}
    )
    predictions.to_parquet(tmp_path / "p.parquet")
    labels.to_parquet(tmp_path / "l.parquet")
    return tmp_path / "p.parquet", tmp_path / "l.parquet"


def test_yes_no_labels_against_0_1_predictions_are_refused(tmp_path: Path) -> None:
    """Issue 12: "Labels 'yes'/'no' joined to predictions 0/1 give classes
    `['0','1','no','yes']` and accuracy 0.0, exit 0.\""""
    predictions, labels = _mismatched(tmp_path)
    with pytest.raises(InputError, match=r"labels in 'label' are text \(no, yes\).*numbers"):
        run_performance(str(predictions), str(labels), tmp_path / "out")
    assert not (tmp_path / "out").exists()
    done = CliRunner().invoke(
        main,
        [
            *("performance", "--predictions", str(predictions), "--labels", str(labels)),
            *("--out", str(tmp_path / "cli")),
        ],
    )
    assert done.exit_code == 2 and "--label-map yes=1,no=0" in done.output, done.output


def test_label_map_maps_yes_no_labels_explicitly(tmp_path: Path) -> None:
    """The explicit way out: `--label-map yes=1,no=0` scores the labels as classes 1/0."""
    predictions, labels = _mismatched(tmp_path)
    out = tmp_path / "out"
    done = CliRunner().invoke(
        main,
        [
            *("performance", "--predictions", str(predictions), "--labels", str(labels)),
            *("--label-map", "yes=1,no=0", "--min-labelled-rows", "1", "--out", str(out)),
        ],
    )
    assert done.exit_code == 0, done.output
    report = json.loads((out / "performance_report.json").read_text())
    assert report["classes"] == ["0", "1"]
    truth = [1 if v == "yes" else 0 for v in pd.read_parquet(labels)["label"]]
    expected = accuracy_score(truth, pd.read_parquet(predictions)["prediction"])
    assert report["overall"]["metrics"]["accuracy"] == pytest.approx(expected)
    with pytest.raises(InputError, match=r"\['no'\] that the label map does not name"):
        run_performance(str(predictions), str(labels), tmp_path / "o2", label_map="yes=1")
