"""Rows to Hive-partitioned Parquet (`model=/date=/hour=`), staged in the sink's local state
folder, then published through `driftline.storage` so no reader sees a half-written file."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from driftline import storage
from driftline.inference_log.payload import Row
from driftline.inference_log.table import partition_tables
from driftline.storage import temps as storage_temps


def write_batch(
    directory: Path,
    rows: list[Row],
    file_name: str,
    types_by_model: Mapping[str, Mapping[str, pa.DataType]] | None = None,
) -> list[str]:
    """Write `rows` as `<directory>/<partition>/<file_name>` files, each whole and on disk
    (`storage.atomic_output`); returns their relative paths. A column with no value in a
    file is written in the model's type from `types_by_model`, so every file agrees."""
    written = []
    for partition, table in partition_tables(rows, types_by_model).items():
        with storage.atomic_output(directory / partition / file_name) as tmp:
            pq.write_table(table, tmp, compression="zstd")
        written.append(f"{partition}/{file_name}")
    return written


def publish(source_dir: Path, relative_paths: list[str], out: str) -> None:
    """Copy staged files to `out` (a folder path or URI) under the same relative paths, each
    published whole; idempotent (overwrites)."""
    for rel in relative_paths:
        data = storage.read_bytes(source_dir / rel, what="staged batch")
        target = storage.join(out, *rel.split("/"))
        _sweep_killed_writes(target)
        storage.write_bytes(target, data)


def _sweep_killed_writes(target: str) -> None:
    """Remove the temporary files a SIGKILLed publish of `target` left beside it (local
    outputs only; an object-store PUT leaves nothing). File names are per sink instance, so
    no other process is writing them."""
    if not storage.is_local(target):
        return
    path = Path(target.removeprefix("file://"))
    for stale in path.parent.glob(f".{path.name[: storage_temps.NAME_LIMIT]}.*.tmp"):
        stale.unlink(missing_ok=True)
