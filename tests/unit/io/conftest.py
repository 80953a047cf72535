"""Fixtures for the IO tests: a small synthetic event table (the object-store servers are in
tests/object_store.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa
import pytest


@pytest.fixture(scope="session")
def events() -> pa.Table:
    """240 hourly rows over 10 days (naive timestamps = UTC) with mixed column types."""
    rng = np.random.default_rng(7)
    n = 240
    first = datetime(2024, 3, 1)
    return pa.table(
        {
            "ts": pa.array([first + timedelta(hours=i) for i in range(n)], pa.timestamp("us")),
            "x": rng.normal(size=n),
            "k": rng.integers(0, 5, size=n),
            "color": pa.array(rng.choice(["red", "green", "blue"], size=n).tolist()),
            "flag": pa.array((rng.random(n) > 0.5).tolist()),
            "day": pa.array([(first + timedelta(hours=i)).strftime("%Y-%m-%d") for i in range(n)]),
        }
    )
