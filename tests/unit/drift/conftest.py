"""Data for the drift tests: the real bike data split by year and month, synthetic shifts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv
import pytest

BIKE_NUMERIC = ["temp", "atemp", "hum", "windspeed", "casual", "registered", "cnt", "hr", "mnth"]
BIKE_SMALL_INT = ["season", "holiday", "weekday", "workingday", "weathersit"]


@pytest.fixture(scope="session")
def bike(bike_hour_csv: Path) -> pa.Table:
    table = pv.read_csv(bike_hour_csv)
    weather = pc.cast(table["weathersit"], pa.string())
    return table.append_column("weather_label", pc.binary_join_element_wise("w", weather, ""))


@pytest.fixture(scope="session")
def bike_years(bike: pa.Table) -> tuple[pa.Table, pa.Table]:
    """2011 vs 2012: about 8.6k rows a side (large n), real drift."""
    return bike.filter(pc.equal(bike["yr"], 0)), bike.filter(pc.equal(bike["yr"], 1))


@pytest.fixture(scope="session")
def bike_months(bike: pa.Table) -> tuple[pa.Table, pa.Table]:
    """March 2011 vs April 2011: under 1000 rows a side (small n)."""
    in_2011 = bike.filter(pc.equal(bike["yr"], 0))
    return (
        in_2011.filter(pc.equal(in_2011["mnth"], 3)),
        in_2011.filter(pc.equal(in_2011["mnth"], 4)),
    )


def synthetic(n_ref: int, n_cur: int, seed: int = 7) -> tuple[pa.Table, pa.Table]:
    """Numeric and categorical columns, some shifted, some not."""
    rng = np.random.default_rng(seed)
    cats = np.array(["a", "b", "c", "d", "e"])

    def side(n: int, shift: float, probs: list[float]) -> pa.Table:
        return pa.table(
            {
                "stable": rng.normal(0, 1, n),
                "shifted": rng.normal(shift, 1 + shift, n),
                "skewed": rng.lognormal(shift, 1, n),
                "few": rng.integers(0, 4 if shift else 3, n).astype(float),
                "color": cats[rng.choice(5, n, p=probs)],
                "flag": rng.random(n) < (0.3 + shift / 4),
            }
        )

    return side(n_ref, 0.0, [0.3, 0.3, 0.2, 0.1, 0.1]), side(n_cur, 0.4, [0.2, 0.3, 0.2, 0.2, 0.1])
