"""Real reports from the three engines on small synthetic data, written once per session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from driftline.drift import run_drift
from driftline.performance import run_performance
from driftline.profile import profile_source
from driftline.validation import run_validation

DAYS = 4
ROWS_PER_DAY = 500
LATE_LABELS = 20  # labelled predictions of the newest day: fewer than min_labelled_rows


@dataclass(frozen=True)
class Outputs:
    """Report folders written by the engines."""

    validation: Path
    drift: Path
    performance: Path


def _tables(rng: np.random.Generator) -> tuple[pa.Table, pa.Table, pa.Table]:
    start = datetime(2012, 3, 1, tzinfo=UTC)
    rows = DAYS * ROWS_PER_DAY
    times = [start + timedelta(seconds=int(s)) for s in np.linspace(0, DAYS * 86400 - 1, rows)]
    x = rng.normal(size=rows)
    label = 3 * x + rng.normal(size=rows)
    # the model gets worse day by day: the newest judged day is worse than the run overall
    noise = np.repeat(np.arange(1, DAYS + 1), ROWS_PER_DAY) * rng.normal(size=rows)
    window = pa.table(
        {
            "id": np.arange(rows),
            "timestamp": pa.array(times, pa.timestamp("us", tz="UTC")),
            "x": x + 0.5,
            "color": rng.choice(["red", "green", "blue"], rows),
            "prediction": 3 * x + noise,
        }
    )
    reference = pa.table({"x": rng.normal(size=2000), "color": rng.choice(["red", "green"], 2000)})
    labelled = np.arange(rows) < (DAYS - 1) * ROWS_PER_DAY + LATE_LABELS
    labels = pa.table({"id": np.arange(rows)[labelled], "label": label[labelled]})
    return reference, window, labels


@pytest.fixture(scope="session")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Outputs:
    folder = tmp_path_factory.mktemp("reports")
    reference, window, labels = _tables(np.random.default_rng(7))
    for name, table in (("reference", reference), ("window", window), ("labels", labels)):
        pq.write_table(table, folder / f"{name}.parquet")
    profile = profile_source(str(folder / "reference.parquet")).save(folder / "profile.json")
    run_validation(
        profile, str(folder / "window.parquet"), folder / "validation", columns=["x", "color"]
    )
    run_drift(
        current=str(folder / "window.parquet"),
        reference=str(folder / "reference.parquet"),
        out_dir=folder / "drift",
        columns=["x", "color"],
    )
    run_performance(
        str(folder / "window.parquet"),
        str(folder / "labels.parquet"),
        folder / "performance",
        task="regression",
        id_column="id",
        window="1d",
        baseline={"mae": 0.8, "rmse": 1.0},
        min_labelled_rows=100,
    )
    return Outputs(folder / "validation", folder / "drift", folder / "performance")
