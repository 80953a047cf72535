"""Rows to Hive-partitioned Parquet (`model=/date=/hour=`), staged in the sink's local state
folder, then published through `driftline.storage` so no reader sees a half-written file."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from driftline import storage
from driftline.inference_log.payload import Row
from driftline.inference_log.table import partition_tables


def write_batch(directory: Path, rows: list[Row], file_name: str) -> list[str]:
    """Write `rows` as `<directory>/<partition>/<file_name>` files, each whole and on disk
    (`storage.atomic_output`); returns their relative paths."""
    written = []
    for partition, table in partition_tables(rows).items():
        with storage.atomic_output(directory / partition / file_name) as tmp:
            pq.write_table(table, tmp, compression="zstd")
        written.append(f"{partition}/{file_name}")
    return written


def publish(source_dir: Path, relative_paths: list[str], out: str) -> None:
    """Copy staged files to `out` (a folder path or URI) under the same relative paths, each
    published whole; idempotent (overwrites)."""
    for rel in relative_paths:
        data = storage.read_bytes(source_dir / rel, what="staged batch")
        storage.write_bytes(storage.join(out, *rel.split("/")), data)
