"""Helpers for reading what a kfp.local run left under its pipeline root."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

# A reference the browser would fetch: src/href/url() pointing at a scheme or a //host.
_FETCH = re.compile(
    r"""(?:\b(?:src|href)\s*=\s*["']?|url\(\s*["']?)(?:[a-z][a-z0-9+.-]*:|//)""", re.I
)


def task_dir(pipeline_root: Path, task: str) -> Path:
    """The folder of `task` (e.g. "check-drift") of the one run under `pipeline_root`."""
    (run,) = list(pipeline_root.iterdir())
    return run / task


def assert_self_contained(html: str) -> None:
    """The page needs no network: no external scripts, styles, images or links."""
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert not _FETCH.search(html.replace('xmlns="http://www.w3.org/2000/svg"', "")), _FETCH.search(
        html
    )
    assert "<link" not in html.lower()


def timestamped_bikes(bike_hour_csv: Path, out: Path) -> Path:
    """The bike data with a UTC `timestamp` column (dteday + hr), as one Parquet file."""
    table = pacsv.read_csv(bike_hour_csv)
    day = pc.cast(table.column("dteday"), pa.timestamp("us", tz="UTC"))
    hours = pc.multiply(pc.cast(table.column("hr"), pa.int64()), 3_600_000_000)
    stamp = pc.cast(pc.add(pc.cast(day, pa.int64()), hours), pa.timestamp("us", tz="UTC"))
    pq.write_table(table.append_column("timestamp", stamp), out)
    return out
