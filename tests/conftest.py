"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

import driftline

DEMO_DATA = Path(driftline.__file__).parent / "demo" / "data"


@pytest.fixture(scope="session")
def bike_hour_csv() -> Path:
    """The real UCI Bike Sharing hourly data (2011-2012) shipped for the demo."""
    return DEMO_DATA / "hour.csv"
