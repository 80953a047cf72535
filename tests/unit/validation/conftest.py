"""Bike data split by year: 2011 is the baseline, 2012 the production window (real drift)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc
import pyarrow.csv as csv
import pyarrow.parquet as pq
import pytest

from driftline.profile import profile_source


@pytest.fixture(scope="session")
def bike_years(bike_hour_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bike")
    table = csv.read_csv(bike_hour_csv)
    paths = {}
    for year, code in (("2011", 0), ("2012", 1)):
        paths[year] = folder / f"{year}.parquet"
        pq.write_table(table.filter(pc.equal(table["yr"], code)), paths[year])
    paths["profile"] = profile_source(str(paths["2011"])).save(folder / "profile_2011.json")
    return paths
