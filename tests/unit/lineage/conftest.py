"""Fixtures: a real MLMD store on SQLite, seeded with KFP-shaped records."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftline.lineage import open_store
from tests.unit.lineage.support import seed_training


@pytest.fixture
def store_uri(tmp_path: Path) -> str:
    return f"sqlite://{tmp_path}/mlmd.sqlite"


@pytest.fixture
def store(store_uri: str):
    lineage_store = open_store(store_uri)
    yield lineage_store
    lineage_store.close()


@pytest.fixture
def trained(store):
    """A store holding one KFP training run; returns the `TrainingRun` ids."""
    return seed_training(store)
