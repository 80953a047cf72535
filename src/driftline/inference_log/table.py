"""Rows of logged calls as Arrow tables, and the Hive layout (`model=/date=/hour=`) they are
stored in: the one table shape the sink writes and every capture reader returns."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from driftline.inference_log.pairing import META_COLUMNS
from driftline.inference_log.payload import Row

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


def partition_path(model: str, hour_bucket: int) -> str:
    """`model=<name>/date=YYYY-MM-DD/hour=HH` of the hour `hour_bucket` (hours since the epoch)."""
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


def rows_to_table(rows: list[Row], null_types: Mapping[str, pa.DataType] | None = None) -> pa.Table:
    """One Arrow table: metadata columns with fixed types first, then payload columns.

    A payload column whose values mix types becomes float64 (numbers) or string. A column
    with no value in `rows` takes its type from `null_types` (the type the model's other
    files hold it in), else string.
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
                array = array.cast((null_types or {}).get(name, pa.string()))
        arrays.append(array)
        fields.append(pa.field(name, array.type))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def partition_tables(
    rows: list[Row], types_by_model: Mapping[str, Mapping[str, pa.DataType]] | None = None
) -> dict[str, pa.Table]:
    """Rows grouped by `model=<name>/date=YYYY-MM-DD/hour=HH` of their timestamp; a column
    with no value in a group takes the model's type from `types_by_model`."""
    groups: dict[tuple[str, int], list[Row]] = defaultdict(list)
    for row in rows:
        groups[(row["model_name"], row["timestamp"] // _HOUR_US)].append(row)
    types = types_by_model or {}
    return {
        partition_path(m, h): rows_to_table(g, types.get(m)) for (m, h), g in sorted(groups.items())
    }
