"""Inference log sink: KServe logger CloudEvents become Hive-partitioned Parquet windows.

Modules: `wal` (write-ahead log, checkpoints), `writer` (Parquet files, atomic publish),
`service` (the durable pipeline), `app` (ASGI front end), `metrics`. Parsing and pairing
live in `driftline.inference_log`, shared with the readers.
"""
