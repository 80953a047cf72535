"""Regression estimates before labels (DLE) in `run_performance`, the CLI and a recorded
loss model, on the real bike-sharing hours."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from sklearn.ensemble import HistGradientBoostingRegressor

from driftline.cli import main
from driftline.errors import InputError
from driftline.performance import run_performance

FEATURES = ["season", "hr", "holiday", "weekday", "workingday", "weathersit", "temp", "hum", "yr"]


@pytest.fixture(scope="module")
def hours(bike_hour_csv: Path) -> dict[str, pa.Table]:
    """A count model fit on days 1-10 of each month; reference days 11-20 (labelled); the
    predictions of days 21-31, with their labels in a separate table."""
    data = pd.read_csv(bike_hour_csv)
    data["timestamp"] = pd.to_datetime(data["dteday"]) + pd.to_timedelta(data["hr"], unit="h")
    data["label"] = data["cnt"].astype(float)
    day = data["timestamp"].dt.day
    train = data[day <= 10]
    model = HistGradientBoostingRegressor(random_state=0).fit(train[FEATURES], train["label"])
    data["prediction"] = model.predict(data[FEATURES])
    data = data.rename(columns={"instant": "id"})
    table = lambda f, c: pa.Table.from_pandas(f[c], preserve_index=False)  # noqa: E731
    current = data[day > 20]
    return {
        "reference": table(data[(day > 10) & (day <= 20)], [*FEATURES, "prediction", "label"]),
        "predictions": table(current, ["id", "timestamp", *FEATURES, "prediction"]),
        "labels": table(current, ["id", "label"]),
    }


OPTIONS = {"task": "regression", "feature_columns": FEATURES, "window": "1mo"}


def test_estimates_follow_the_realized_error_month_by_month(hours: dict, tmp_path: Path) -> None:
    """No labels yet: an MAE/RMSE estimate per month. Once the labels are in, the estimates
    come closer to each month's realized MAE than the reference's MAE does (what a monitor
    without an estimate assumes). The intervals are not checked here: hourly errors of one
    day move together (weather, holidays), which an interval for independent rows does not
    hold; bench/results/dle.md measures how often they hold."""
    early = run_performance(
        hours["predictions"], None, tmp_path / "early", reference=hours["reference"], **OPTIONS
    )
    assert early.document["label_status"] == "no labels yet"
    late = run_performance(
        hours["predictions"],
        hours["labels"],
        tmp_path / "late",
        reference=hours["reference"],
        **OPTIONS,
    )
    estimated, realized = [], []
    for before, after in zip(early.document["windows"], late.document["windows"], strict=True):
        assert before["status"] == "no labels" and before["estimate"]["method"] == "dle"
        assert before["estimate"]["metrics"] == after["estimate"]["metrics"]
        comparison = after["estimate"]["comparison"]
        assert set(comparison) == {"mae", "rmse"}
        assert comparison["mae"]["realized"] == after["metrics"]["mae"]
        estimated.append(comparison["mae"]["estimate"])
        realized.append(comparison["mae"]["realized"])
    assert len(realized) == 24
    assert max(realized) > 2 * min(realized)  # the error does move from month to month
    assert max(estimated) > 2 * min(estimated)  # and so do the estimates
    reference_mae = late.document["baseline"]["mae"]
    constant_error = np.mean(np.abs(np.array(realized) - reference_mae))
    assert np.mean(np.abs(np.array(realized) - estimated)) < constant_error
    page = Path(late.html_path).read_text()
    assert "estimated mae [95%]" in page and "<h2>Estimate against actual</h2>" in page


def test_a_recorded_loss_model_is_applied_without_refitting(hours: dict, tmp_path: Path) -> None:
    """The report records the loss model; the CLI given that report as --baseline reuses it
    (and the baseline metrics) without the reference, and estimates the same."""
    fitted = run_performance(
        hours["predictions"], None, tmp_path / "fit", reference=hours["reference"], **OPTIONS
    )
    recorded = fitted.document["loss_model"]
    assert recorded["method"] == "dle" and recorded["fit_rows"] + recorded["holdout_rows"] > 5000
    preds = tmp_path / "predictions.parquet"
    pq.write_table(hours["predictions"], preds)
    args = [
        "performance",
        "--predictions",
        str(preds),
        "--task",
        "regression",
        "--feature-columns",
        ",".join(FEATURES),
        "--window",
        "1mo",
        "--baseline",
        fitted.json_path,
        "--out",
        str(tmp_path / "cli"),
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    again = json.loads((tmp_path / "cli" / "performance_report.json").read_text())
    assert again["loss_model"] == recorded
    for a, b in zip(fitted.document["windows"], again["windows"], strict=True):
        assert a["estimate"] == b["estimate"]


def _heteroscedastic(rng: np.random.Generator, n: int, low: float) -> pd.DataFrame:
    """The model predicts the mean 3 x1 + x2; the noise's scale is 0.2 + 2 x1."""
    x1, x2 = rng.uniform(low, 1, n), rng.normal(size=n)
    prediction = 3 * x1 + x2
    label = prediction + (0.2 + 2 * x1) * rng.normal(size=n)
    return pd.DataFrame({"x1": x1, "x2": x2, "prediction": prediction, "label": label})


def test_a_known_error_rise_is_an_estimated_degradation(tmp_path: Path) -> None:
    """January looks like the reference; in February x1 moves to [0.6, 1], which raises the
    expected MAE by half (1.2 -> 1.8 times sqrt(2/pi)). Before labels, only February is an
    estimated degradation against the reference's MAE; once labels are in, it degraded."""
    rng = np.random.default_rng(0)
    reference = _heteroscedastic(rng, 5000, 0.0)
    months = [_heteroscedastic(rng, 1000, 0.0), _heteroscedastic(rng, 1000, 0.6)]
    for month, frame in enumerate(months):
        frame["timestamp"] = pd.Timestamp(f"2024-0{month + 1}-01") + pd.to_timedelta(
            np.arange(len(frame)), unit="min"
        )
    current = pd.concat(months, ignore_index=True)
    current["id"] = np.arange(len(current))
    options = {
        "task": "regression",
        "feature_columns": ["x1", "x2"],
        "window": "1mo",
        "reference": pa.Table.from_pandas(reference),
        "degradation_metrics": ["mae"],
    }
    columns = ["id", "timestamp", "x1", "x2", "prediction"]
    early = run_performance(pa.Table.from_pandas(current[columns]), None, tmp_path / "a", **options)
    assert early.estimated_degraded_windows == ["2024-02-01T00:00:00Z"]
    late = run_performance(
        pa.Table.from_pandas(current[[*columns, "label"]]), None, tmp_path / "b", **options
    )
    assert late.document["degraded_windows"] == ["2024-02-01T00:00:00Z"]


def test_bad_options_are_refused_naming_them(hours: dict, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="feature_columns feed the regression loss estimate"):
        run_performance(hours["predictions"], None, tmp_path, feature_columns=["hr"])
    with pytest.raises(InputError, match=r"lack column.*'wind'"):
        run_performance(
            hours["predictions"],
            None,
            tmp_path,
            reference=hours["reference"],
            **{**OPTIONS, "feature_columns": ["hr", "wind"]},
        )
    small = hours["reference"].slice(0, 50)
    with pytest.raises(InputError, match="at least 100 labelled reference rows, got 50"):
        run_performance(hours["predictions"], None, tmp_path, reference=small, **OPTIONS)
    fitted = run_performance(
        hours["predictions"], None, tmp_path / "fit", reference=hours["reference"], **OPTIONS
    )
    with pytest.raises(InputError, match=r"fit on feature columns \['season'"):
        run_performance(
            hours["predictions"],
            None,
            tmp_path,
            loss_model=fitted.document["loss_model"],
            **{**OPTIONS, "feature_columns": ["hr"]},
        )
