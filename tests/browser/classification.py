"""A classification performance page from the bike data: a "busy hour" model (demand above
2011's median) fit on the first half of 2011, its second half as the labelled reference, 2012
as production whose labels stop arriving in October (CBPE estimates with intervals)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
from sklearn.linear_model import LogisticRegression

from tests.unit.performance.conftest import FEATURES

LABELS_UNTIL = "2012-10-01"


def _scored(model: LogisticRegression, frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[["id", "timestamp", "busy"]].copy()
    out["p_busy"] = model.predict_proba(frame[FEATURES].to_numpy())[:, 1]
    out["busy_pred"] = (out["p_busy"] >= 0.5).astype(int)
    return out


def classification_page(hour_csv: Path, out: Path) -> Path:
    """Write the performance report of the busy-hour model under `out`; returns the page."""
    from driftline.performance import run_performance

    data = pd.read_csv(hour_csv)
    data["id"] = data["instant"].astype(str)
    data["timestamp"] = pd.to_datetime(data["dteday"]) + pd.to_timedelta(data["hr"], unit="h")
    data["busy"] = (data["cnt"] > data[data.yr == 0]["cnt"].median()).astype(int)
    fit = data[(data.yr == 0) & (data.mnth <= 6)]
    model = LogisticRegression(max_iter=3000).fit(fit[FEATURES].to_numpy(), fit["busy"])
    reference = _scored(model, data[(data.yr == 0) & (data.mnth > 6)])
    predictions = _scored(model, data[data.yr == 1])
    labelled = predictions[predictions["timestamp"] < pd.Timestamp(LABELS_UNTIL)]
    run_performance(
        pa.Table.from_pandas(predictions.drop(columns=["busy"]), preserve_index=False),
        pa.Table.from_pandas(labelled[["id", "busy"]], preserve_index=False),
        out,
        prediction_column="busy_pred",
        label_column="busy",
        score_columns=["p_busy"],
        window="30d",
        reference=pa.Table.from_pandas(reference, preserve_index=False),
    )
    return out / "performance_report.html"
