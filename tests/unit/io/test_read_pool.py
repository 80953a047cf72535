"""Streaming Parquet reads allocate from `read_pool`: jemalloc keeping freed pages for reuse
(the CSV and JSON readers allocate from Arrow's default pool whatever the scan is given)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from driftline.io import iter_batches
from driftline.io.memory import read_pool


def _table(n: int = 20_000) -> pa.Table:
    return pa.table({"x": pa.array(range(n), pa.float64()), "k": [f"k{i % 5}" for i in range(n)]})


@pytest.mark.parametrize("layout", ["file", "hive"])
def test_the_batches_of_a_streaming_parquet_read_live_in_the_read_pool(
    tmp_path: Path, layout: str
) -> None:
    if layout == "file":
        path = tmp_path / "t.parquet"
        pq.write_table(_table(), path, row_group_size=5_000)
    else:
        path = tmp_path / "t"
        pq.write_to_dataset(_table(), path, partition_cols=["k"])
    pool = read_pool()
    before = pool.bytes_allocated()
    batches = list(iter_batches(str(path)))
    assert sum(b.num_rows for b in batches) == 20_000
    held = pool.bytes_allocated() - before
    assert held >= 20_000 * 8  # at least the doubles of the batches still referenced here
    del batches
    assert pool.bytes_allocated() - before < held


def test_the_read_pool_is_jemalloc_where_pyarrow_has_it() -> None:
    try:
        pa.jemalloc_memory_pool()
    except NotImplementedError:
        assert read_pool() is pa.default_memory_pool()
    else:
        assert read_pool().backend_name == "jemalloc"
