"""Real data for the performance tests: bike-sharing 2012 predictions from models fit on 2011."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

FEATURES = [
    "season",
    "hr",
    "holiday",
    "weekday",
    "workingday",
    "weathersit",
    "temp",
    "hum",
    "windspeed",
]


@dataclass
class Bike:
    """2012 hours with regression, binary and 3-class predictions of models fit on 2011."""

    frame: pd.DataFrame  # id, timestamp, season, cnt, cnt_pred, high, high_pred, p_high, ...
    high_threshold: float


@pytest.fixture(scope="session")
def bike(bike_hour_csv: Path) -> Bike:
    data = pd.read_csv(bike_hour_csv)
    data["timestamp"] = pd.to_datetime(data["dteday"]) + pd.to_timedelta(data["hr"], unit="h")
    train, test = data[data.yr == 0], data[data.yr == 1].copy()
    x_train, x_test = train[FEATURES].to_numpy(), test[FEATURES].to_numpy()
    regression = LinearRegression().fit(x_train, train["cnt"])
    test["cnt_pred"] = regression.predict(x_test)
    threshold = float(train["cnt"].median())
    binary = LogisticRegression(max_iter=2000).fit(x_train, train["cnt"] > threshold)
    test["high"] = (test["cnt"] > threshold).astype(int)
    test["p_high"] = binary.predict_proba(x_test)[:, 1]
    test["high_pred"] = (test["p_high"] >= 0.5).astype(int)
    edges = train["cnt"].quantile([1 / 3, 2 / 3]).to_numpy()
    names = np.array(["high", "low", "mid"])  # sorted order = predict_proba column order
    demand = np.where(
        train["cnt"] <= edges[0], "low", np.where(train["cnt"] <= edges[1], "mid", "high")
    )
    tercile = LogisticRegression(max_iter=3000).fit(x_train, demand)
    assert list(tercile.classes_) == list(names)
    proba = tercile.predict_proba(x_test)
    test["demand"] = np.where(
        test["cnt"] <= edges[0], "low", np.where(test["cnt"] <= edges[1], "mid", "high")
    )
    test["demand_pred"] = names[proba.argmax(axis=1)]
    for i, name in enumerate(names):
        test[f"p_{name}"] = proba[:, i]
    test = test.rename(columns={"instant": "id"}).reset_index(drop=True)
    return Bike(test, threshold)


def window_rows(frame: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    """Rows whose prediction time falls in [start, end) (report ISO strings)."""
    lo = pd.Timestamp(start.rstrip("Z"))
    hi = pd.Timestamp(end.rstrip("Z"))
    return frame[(frame["timestamp"] >= lo) & (frame["timestamp"] < hi)]
