"""Fixtures for running components with the real KFP local runner."""

from __future__ import annotations

from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from kfp import local


@pytest.fixture
def kfp_local(tmp_path: Path) -> Path:
    """kfp.local with the subprocess runner in this environment; returns the pipeline root."""
    root = tmp_path / "pipeline_root"
    local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=str(root))
    return root


@pytest.fixture
def bike_years(tmp_path: Path, bike_hour_csv: Path) -> tuple[Path, Path]:
    """The bike data split into 2011 (baseline) and 2012 (production) Parquet files."""
    table = pacsv.read_csv(bike_hour_csv)
    years = table.column("yr").to_numpy()
    paths = []
    for year in (0, 1):
        path = tmp_path / f"bikes_{2011 + year}.parquet"
        pq.write_table(table.filter(years == year).drop(["instant", "yr"]), path)
        paths.append(path)
    return paths[0], paths[1]


from tests.aws_server import aws, aws_endpoint  # noqa: E402, F401  moto for the SageMaker tests
