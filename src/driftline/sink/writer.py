"""Rows to Hive-partitioned Parquet (`model=/date=/hour=`), published so no reader sees a
half-written file: local files are written under a dot-name and renamed, object-store
objects are uploaded whole (a PUT is atomic)."""

from __future__ import annotations

import os
import shutil
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq

from driftline.sink.pairing import META_COLUMNS
from driftline.sink.payload import Row

_TIME = pa.timestamp("us", tz="UTC")
META_TYPES = {
    "event_id": pa.string(),
    "row": pa.int32(),
    "model_name": pa.string(),
    "namespace": pa.string(),
    "component": pa.string(),
    "endpoint": pa.string(),
    "timestamp": _TIME,
    "request_time": _TIME,
    "response_time": _TIME,
}
_HOUR_US = 3_600_000_000


def _partition(model: str, hour_bucket: int) -> str:
    moment = datetime.fromtimestamp(hour_bucket * 3600, tz=UTC)
    return f"model={model}/date={moment:%Y-%m-%d}/hour={moment:%H}"


def _column(values: list[Any]) -> pa.Array:
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
        present = [v for v in values if v is not None]
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
            return pa.array([None if v is None else float(v) for v in values], pa.float64())
        return pa.array([None if v is None else str(v) for v in values], pa.string())


def rows_to_table(rows: list[Row]) -> pa.Table:
    """One Arrow table: metadata columns with fixed types first, then payload columns.

    A payload column whose values mix types becomes float64 (numbers) or string.
    """
    names: dict[str, None] = dict.fromkeys(META_COLUMNS)
    for row in rows:
        names.update(dict.fromkeys(row))
    arrays, fields = [], []
    for name in names:
        values = [row.get(name) for row in rows]
        if name in META_TYPES:
            array = pa.array(values, META_TYPES[name])
        else:
            array = _column(values)
            if pa.types.is_null(array.type):
                array = array.cast(pa.string())
        arrays.append(array)
        fields.append(pa.field(name, array.type))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def partition_tables(rows: list[Row]) -> dict[str, pa.Table]:
    """Rows grouped by `model=<name>/date=YYYY-MM-DD/hour=HH` of their timestamp."""
    groups: dict[tuple[str, int], list[Row]] = defaultdict(list)
    for row in rows:
        groups[(row["model_name"], row["timestamp"] // _HOUR_US)].append(row)
    return {_partition(m, h): rows_to_table(g) for (m, h), g in sorted(groups.items())}


def write_batch(directory: Path, rows: list[Row], file_name: str) -> list[str]:
    """Write `rows` as `<directory>/<partition>/<file_name>` files (fsynced); relative paths."""
    written = []
    for partition, table in partition_tables(rows).items():
        target = directory / partition / file_name
        target.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, target, compression="zstd")
        _fsync(target)
        written.append(f"{partition}/{file_name}")
    return written


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def is_local(uri: str) -> bool:
    """True for a plain path or a file:// URI."""
    return "://" not in uri or uri.startswith("file://")


def publish(source_dir: Path, relative_paths: list[str], out: str) -> None:
    """Copy staged files to `out` under the same relative paths; idempotent (overwrites)."""
    if is_local(out):
        root = Path(out.removeprefix("file://"))
        for rel in relative_paths:
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            temp = target.parent / f".{target.name}.tmp"
            shutil.copyfile(source_dir / rel, temp)
            _fsync(temp)
            os.replace(temp, target)
        return
    fs, base = fsspec.core.url_to_fs(out)
    for rel in relative_paths:
        key = f"{base.rstrip('/')}/{rel}"
        fs.makedirs(key.rsplit("/", 1)[0], exist_ok=True)
        fs.put_file(str(source_dir / rel), key)
