"""Read what KServe's logger writes straight to object storage (`logger.url: s3://...`).

Objects live under `<prefix>/<namespace>/<isvc>/<component>/<path>/<id>-<request|response>.<ext>`
and hold the agent's `LogRequest` records as JSON (one object or an array), CSV or Parquet,
with the payload base64-encoded in `bytes`. `read_capture` pairs requests with responses by
id and returns the table the inference sink writes, including its `model`, `date` and
`hour` partition columns, so a window reads the same from either capture path.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from driftline import storage
from driftline.errors import DataSourceError, EmptyDataError, MalformedEventError
from driftline.inference_log.events import LoggedEvent, parse_time_us
from driftline.inference_log.pairing import Pending, pair_rows
from driftline.inference_log.payload import FeatureSchema, flatten
from driftline.inference_log.table import rows_to_table

CAPTURE_FORMATS = ("json", "csv", "parquet")
_KIND = {
    "request": "request",
    "response": "response",
    "org.kubeflow.serving.inference.request": "request",
    "org.kubeflow.serving.inference.response": "response",
}


def _records(uri: str, fmt: str) -> list[Mapping[str, Any]]:
    data = storage.read_bytes(uri, what="capture")
    if fmt == "json":
        doc = json.loads(data)
        return doc if isinstance(doc, list) else [doc]
    reader = pq.read_table if fmt == "parquet" else pcsv.read_csv
    return reader(pa.BufferReader(data)).to_pylist()


def _event(record: Mapping[str, Any], fallback_us: int) -> LoggedEvent:
    kind = _KIND.get(str(record.get("reqType", "")))
    if kind is None:
        raise DataSourceError(f"reqType {record.get('reqType')!r} is not request/response")
    payload = record.get("bytes") or ""
    body = base64.b64decode(payload, validate=True).decode("utf-8")
    return LoggedEvent(
        id=str(record["id"]),
        kind=kind,
        model=str(record.get("inferenceService") or ""),
        namespace=str(record.get("namespace") or ""),
        component=str(record.get("component") or ""),
        endpoint=str(record.get("endpoint") or ""),
        time_us=parse_time_us(record.get("occurrenceTime"), fallback_us),
        body=body,
    )


def _files(source: str) -> Iterator[tuple[str, str, int]]:
    """(uri, format, modification time in microseconds) of each capture object under `source`."""
    for entry in storage.list_files(source):
        ext = entry.uri.rsplit(".", 1)[-1].lower()
        if ext in CAPTURE_FORMATS:
            modified = entry.modified.timestamp() if entry.modified else 0.0
            yield entry.uri, ext, int(modified * 1_000_000)


def read_capture(
    source: str,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    schema: FeatureSchema | None = None,
) -> pa.Table:
    """Read a KServe logger blob-storage capture under `source` (path or URI) as sink rows.

    Rows whose `timestamp` (request time, else response time; the object's modification
    time when records carry none) is within [start, end) are kept. Records of CSV/Parquet
    captures have no time field, so those rows are timed by their object.
    """
    schema = schema or FeatureSchema()
    if not storage.exists(source):
        raise DataSourceError(f"capture location not found: {source}", param="source")
    pairs: dict[str, Pending] = {}
    for path, fmt, modified_us in _files(source):
        try:
            records = _records(path, fmt)
        except (ValueError, pa.ArrowInvalid) as exc:
            raise DataSourceError(f"cannot read {path} as {fmt}: {exc}", param="source") from exc
        for number, record in enumerate(records):
            try:
                event = _event(record, modified_us)
                rows = flatten(event.body, event.kind, schema)
            except (KeyError, ValueError, binascii.Error, MalformedEventError) as exc:
                raise DataSourceError(
                    f"{path}: record {number} is not a KServe logger record: {exc}",
                    param="source",
                ) from exc
            pair = pairs.setdefault(event.id, Pending(first_seen=0.0))
            setattr(pair, event.kind, event)
            setattr(pair, f"{event.kind}_rows", rows)
    rows = [row for pair in pairs.values() for row in pair_rows(pair)]
    if not rows:
        raise EmptyDataError(f"no logger records under {source}", param="source")
    table = rows_to_table(rows)
    table = _with_partitions(table)
    return _window(table, start, end)


def _with_partitions(table: pa.Table) -> pa.Table:
    moments: list[datetime] = table.column("timestamp").to_pylist()
    table = table.append_column("model", table.column("model_name"))
    table = table.append_column("date", pa.array([f"{m:%Y-%m-%d}" for m in moments], pa.string()))
    return table.append_column("hour", pa.array([m.hour for m in moments], pa.int32()))


def _window(table: pa.Table, start: datetime | None, end: datetime | None) -> pa.Table:
    start, end = (b.replace(tzinfo=UTC) if b and b.tzinfo is None else b for b in (start, end))
    mask = None
    if start is not None:
        mask = pc.greater_equal(table.column("timestamp"), pa.scalar(start))
    if end is not None:
        upper = pc.less(table.column("timestamp"), pa.scalar(end))
        mask = upper if mask is None else pc.and_(mask, upper)
    return table if mask is None else table.filter(mask)
