"""Inference log sink: KServe logger CloudEvents become Hive-partitioned Parquet windows.

Modules: `events` (CloudEvent parsing), `payload` (v1/v2 bodies to columns), `pairing`
(request/response join with timeouts), `wal` (write-ahead log, checkpoints), `writer`
(Parquet files, atomic publish), `service` (the durable pipeline), `app` (ASGI front end).
"""

from driftline.sink.events import LoggedEvent, parse_http_event
from driftline.sink.payload import FeatureSchema, load_schema

__all__ = ["FeatureSchema", "LoggedEvent", "load_schema", "parse_http_event"]
