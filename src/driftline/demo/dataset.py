"""The demo story's data: UCI Bike Sharing (hourly, 2011-2012), a model, its production logs.

A model trained on 2011 predicts hourly rentals (`cnt`) for 2012. 2012 differs
from 2011 in real ways (63% more rentals at similar weather, seasons move the
weather features), so the monitoring windows find real drift and a real drop in
quality. See data/SOURCE.md for the dataset's origin and licence.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from driftline import storage

DATA_DIR = Path(__file__).parent / "data"
HOUR_CSV = DATA_DIR / "hour.csv"

FEATURES = [
    "season",
    "mnth",
    "hr",
    "holiday",
    "weekday",
    "workingday",
    "weathersit",
    "temp",
    "atemp",
    "hum",
    "windspeed",
]
CATEGORICAL_FEATURES = ["season", "holiday", "weekday", "workingday", "weathersit"]
TARGET = "cnt"
PREDICTION = "prediction"
TIMESTAMP = "ts"
ID = "request_id"
LABEL_DELAY = pd.Timedelta(days=2)


@dataclass(frozen=True)
class DemoFiles:
    """Where the demo's prepared files are."""

    training: Path  # 2011 rows: features, target, model output (the training dataset = baseline)
    production: Path  # 2012 rows: features + prediction + timestamp + id (the inference log)
    labels: Path  # 2012 ground truth: id + cnt + label timestamp (arrives LABEL_DELAY later)
    model: Path  # the trained model (joblib)
    training_metrics: dict[str, float]


def load_hours() -> pd.DataFrame:
    """The hourly table with a UTC timestamp, a request id and categorical codes as strings."""
    frame = pd.read_csv(io.BytesIO(storage.read_bytes(HOUR_CSV, what="demo data")))
    frame[TIMESTAMP] = pd.to_datetime(frame["dteday"]).dt.tz_localize("UTC") + pd.to_timedelta(
        frame["hr"], unit="h"
    )
    frame[ID] = "req-" + frame["instant"].astype(str).str.zfill(6)
    for column in CATEGORICAL_FEATURES:
        frame[column] = frame[column].astype(str)
    return frame


def _train(training: pd.DataFrame) -> Any:
    from sklearn.ensemble import HistGradientBoostingRegressor

    x = training[FEATURES].copy()
    for column in CATEGORICAL_FEATURES:
        x[column] = x[column].astype(int)
    model = HistGradientBoostingRegressor(max_iter=100, random_state=0)
    model.fit(x, training[TARGET])
    return model


def _predict(model: Any, frame: pd.DataFrame) -> np.ndarray:
    x = frame[FEATURES].copy()
    for column in CATEGORICAL_FEATURES:
        x[column] = x[column].astype(int)
    return np.clip(model.predict(x), 0, None)


def prepare(out_dir: str | Path) -> DemoFiles:
    """Write the demo's training set, model, production log and late labels under `out_dir`."""
    import joblib
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    out = Path(out_dir)
    hours = load_hours()
    train_year = hours[hours["yr"] == 0]
    production = hours[hours["yr"] == 1]

    # Hold out every fifth 2011 day to measure the model's training-time quality.
    holdout = pd.to_datetime(train_year["dteday"]).dt.dayofyear % 5 == 0
    model = _train(train_year[~holdout])
    held = train_year[holdout]
    predicted = _predict(model, held)
    training_metrics = {
        "mae": float(mean_absolute_error(held[TARGET], predicted)),
        "rmse": float(np.sqrt(mean_squared_error(held[TARGET], predicted))),
        "r2": float(r2_score(held[TARGET], predicted)),
    }

    files = DemoFiles(
        training=out / "training.parquet",
        production=out / "production.parquet",
        labels=out / "labels.parquet",
        model=out / "model" / "model.joblib",
        training_metrics=training_metrics,
    )
    # The baseline holds the model's own predictions too, so prediction drift has a reference.
    training = train_year[[ID, TIMESTAMP, *FEATURES, TARGET]].copy()
    training[PREDICTION] = _predict(model, train_year)
    _write_parquet(training, files.training)

    log = production[[ID, TIMESTAMP, *FEATURES]].copy()
    log[PREDICTION] = _predict(model, production)
    _write_parquet(log, files.production)

    labels = production[[ID, TARGET]].copy()
    labels["label_ts"] = production[TIMESTAMP] + LABEL_DELAY
    _write_parquet(labels, files.labels)

    with storage.atomic_output(files.model) as tmp:
        joblib.dump(model, tmp)
    return files


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    with storage.atomic_output(path) as tmp:
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp)
