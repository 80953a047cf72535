"""Pairing with timeouts, and the write-ahead log's recovery at every crash point of a flush."""

from __future__ import annotations

import errno
import json
import os

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from driftline.errors import OutputError
from driftline.inference_log.events import LoggedEvent
from driftline.inference_log.pairing import Pairer
from driftline.inference_log.payload import FeatureSchema, flatten
from driftline.inference_log.table import partition_tables, rows_to_table
from driftline.sink.wal import WriteAheadLog
from driftline.sink.writer import publish
from driftline.storage import writing

T0 = 1_714_979_289_000_000  # 2024-05-06T07:08:09Z


def event(kind: str, event_id: str, time_us: int = T0, model: str = "iris") -> LoggedEvent:
    body = {"instances": [[1.0, 2.0], [3.0, 4.0]]} if kind == "request" else {"predictions": [0, 1]}
    return LoggedEvent(event_id, kind, model, "ns", "predictor", "", time_us, json.dumps(body))


def add(pairer: Pairer, e: LoggedEvent, now: float = 0.0) -> bool:
    return pairer.add(e, flatten(e.body, e.kind, FeatureSchema()), now)


def test_pairs_join_in_any_order_and_timeouts_leave_a_side_empty():
    pairer = Pairer(timeout_s=5)
    add(pairer, event("response", "a", T0 + 10))
    add(pairer, event("request", "a", T0))
    add(pairer, event("request", "lonely"))
    add(pairer, event("response", "orphan", T0 + 7))
    assert not add(pairer, event("request", "lonely"))  # the same side twice: kept once
    rows, events = pairer.take_ready()
    assert events == 2
    assert [(r["event_id"], r["row"], r["feature_0"], r["prediction"]) for r in rows] == [
        ("a", 0, 1.0, 0.0),
        ("a", 1, 3.0, 1.0),
    ]
    assert rows[0]["request_time"] == T0 and rows[0]["response_time"] == T0 + 10
    assert pairer.expire(now=4.9) == 0
    assert pairer.expire(now=5.0) == 2
    rows, events = pairer.take_ready()
    by_id = {(r["event_id"], r["row"]): r for r in rows}
    assert by_id[("lonely", 0)]["response_time"] is None
    assert "prediction" not in by_id[("lonely", 0)]
    orphan = by_id[("orphan", 1)]
    assert orphan["request_time"] is None and orphan["timestamp"] == T0 + 7
    assert orphan["prediction"] == 1.0 and "feature_0" not in orphan


def test_partitions_by_model_date_hour_and_mixed_types():
    rows = [
        {"model_name": "m", "timestamp": T0, "x": 1, "event_id": "a", "row": 0},
        {
            "model_name": "m",
            "timestamp": T0 + 3_600_000_000,
            "x": "text",
            "event_id": "b",
            "row": 0,
        },
        {"model_name": "n", "timestamp": T0, "x": 2.5, "event_id": "c", "row": 0},
    ]
    tables = partition_tables(rows)
    assert sorted(tables) == [
        "model=m/date=2024-05-06/hour=07",
        "model=m/date=2024-05-06/hour=08",
        "model=n/date=2024-05-06/hour=07",
    ]
    mixed = rows_to_table([{"x": 1}, {"x": 2.5}, {"x": None}])
    assert mixed.column("x").to_pylist() == [1.0, 2.5, None]
    assert rows_to_table([{"x": 1}, {"x": "a"}]).column("x").to_pylist() == ["1", "a"]


def replay(state) -> tuple[WriteAheadLog, list[LoggedEvent], list[int]]:
    wal = WriteAheadLog(state)
    found = wal.recover()
    return wal, found.events, found.outboxes


def _killer(nth: int):
    """An os.replace that dies (like SIGKILL) on its nth call."""
    real_replace, calls = os.replace, {"n": 0}

    def replace(src, dst):
        calls["n"] += 1
        if calls["n"] == nth:
            raise KeyboardInterrupt("killed")
        real_replace(src, dst)

    return replace


def _boom(*args, **kwargs):
    raise KeyboardInterrupt("killed")


@pytest.mark.parametrize("crash_at", ["write_batch", "replace", "carry", "checkpoint", "done"])
def test_recovery_after_a_crash_at_each_step_of_a_flush(tmp_path, monkeypatch, crash_at):
    """A kill between the steps of commit_flush: never a loss, never a duplicate."""
    state = tmp_path / "state"
    wal = WriteAheadLog(state)
    wal.recover()
    a_req, a_resp, b_req = event("request", "a"), event("response", "a"), event("request", "b")
    wal.append([wal.encode(e) for e in (a_req, a_resp, b_req)])
    pairer = Pairer(30)
    for e in (a_req, a_resp, b_req):
        add(pairer, e)
    rows, _ = pairer.take_ready()
    live_from = wal.rotate()
    wal.append([wal.encode(event("response", "b"))])  # arrives while the flush is written
    if crash_at == "done":
        wal.commit_flush(rows, pairer.pending_events(), live_from)
    else:
        if crash_at == "write_batch":
            monkeypatch.setattr("driftline.sink.wal.write_batch", _boom)
        else:
            nth = {"replace": 1, "carry": 2, "checkpoint": 3}[crash_at]
            monkeypatch.setattr("driftline.sink.wal.os.replace", _killer(nth))
        with pytest.raises(KeyboardInterrupt):
            wal.commit_flush(rows, pairer.pending_events(), live_from)
        monkeypatch.undo()
    wal.close()
    wal2, events, outboxes = replay(state)
    replayed = sorted((e.id, e.kind) for e in events)
    if crash_at == "done":
        # committed: a's rows are staged; b's request is carried, b's response is live
        assert replayed == [("b", "request"), ("b", "response")]
        assert outboxes == [1]
    else:
        assert replayed == [
            ("a", "request"),
            ("a", "response"),
            ("b", "request"),
            ("b", "response"),
        ]
        assert outboxes == []
        assert not list((state / "outbox").iterdir())  # orphans removed
    out = tmp_path / "out"
    for flush in outboxes:
        publish(wal2.outbox(flush), wal2.staged_files(flush), str(out))
        publish(wal2.outbox(flush), wal2.staged_files(flush), str(out))  # idempotent
    if outboxes:
        table = ds.dataset(out, partitioning="hive").to_table()
        assert sorted(table.column("event_id").to_pylist()) == ["a", "a"]
    wal2.close()


def test_torn_last_record_is_dropped(tmp_path):
    wal = WriteAheadLog(tmp_path)
    wal.recover()
    wal.append([wal.encode(event("request", "a"))])
    wal.append([wal.encode(event("request", "b"))[:-20]])  # a write cut short by a kill
    wal.close()
    wal2 = WriteAheadLog(tmp_path)
    found = wal2.recover()
    assert [e.id for e in found.events] == ["a"]
    assert found.torn_records == 1
    wal2.close()


def _staged(tmp_path):
    rows = [{"model_name": "m", "timestamp": T0, "event_id": "a", "row": 0, "x": 1.0}]
    from driftline.sink.writer import write_batch

    return tmp_path / "stage", write_batch(tmp_path / "stage", rows, "part-x-00000001.parquet")


@pytest.mark.parametrize("scheme", ["s3", "minio"])
def test_publish_to_an_object_store_uri(tmp_path, s3, scheme, monkeypatch):
    """Published to a real S3-protocol server (moto_server); read back with boto3."""
    monkeypatch.setenv("MINIO_ENDPOINT", s3.endpoint)
    source, files = _staged(tmp_path)
    bucket = s3.bucket()
    publish(source, files, f"{scheme}://{bucket}/out")
    (key,) = s3.keys(bucket)
    assert key == "out/model=m/date=2024-05-06/hour=07/part-x-00000001.parquet"
    assert pq.read_table(pa.BufferReader(s3.get(bucket, key))).num_rows == 1


def test_a_failed_local_publish_leaves_no_visible_file(tmp_path, monkeypatch):
    source, files = _staged(tmp_path)
    real_write = writing._write_all

    def half_written(fd, data):
        real_write(fd, data[:9])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writing, "_write_all", half_written)
    with pytest.raises(OutputError, match="no space left on device"):
        publish(source, files, str(tmp_path / "out"))
    assert ds.dataset(tmp_path / "out", partitioning="hive").to_table().num_rows == 0
    assert [p for p in (tmp_path / "out").rglob("*") if p.is_file()] == []
    monkeypatch.undo()
    publish(source, files, str(tmp_path / "out"))  # the retry replaces the temp file
    assert ds.dataset(tmp_path / "out", partitioning="hive").to_table().num_rows == 1


def test_a_republish_removes_what_a_killed_publish_left(tmp_path):
    """SIGKILL inside a publish leaves `.NAME.<random>.tmp` beside the target; the restarted
    sink publishes the same batch again and removes it (and nothing else)."""
    staged = tmp_path / "outbox"
    (staged / "model=m").mkdir(parents=True)
    (staged / "model=m" / "part-a-1.parquet").write_bytes(b"PAR1 whole file")
    out = tmp_path / "out" / "model=m"
    out.mkdir(parents=True)
    (out / ".part-a-1.parquet.0badf00d.tmp").write_bytes(b"PAR1 half")
    (out / ".part-b-1.parquet.0badf00d.tmp").write_bytes(b"another replica's write")
    publish(staged, ["model=m/part-a-1.parquet"], str(tmp_path / "out"))
    assert sorted(p.name for p in out.iterdir()) == [".part-b-1.parquet.0badf00d.tmp",
                                                     "part-a-1.parquet"]  # fmt: skip
    assert (out / "part-a-1.parquet").read_bytes() == b"PAR1 whole file"


def test_a_batch_without_values_keeps_the_models_column_types(tmp_path):
    """A column with no value in one flush is written in the type the model's other files hold
    it in: read together, an int column stays int (as string it turned every number to text)."""
    from driftline.io import read_table
    from driftline.sink.columns import ColumnTypes
    from driftline.sink.writer import write_batch

    def row(event_id: str, x: int | None, hour: int) -> dict:
        time = T0 + hour * 3_600_000_000
        return {"model_name": "m", "timestamp": time, "x": x, "event_id": event_id, "row": 0}

    types = ColumnTypes(tmp_path / "state")
    types.types = {"m": {"request": {"x": "int"}, "response": {"prediction": "float"}}}
    assert types.arrow_types() == {"m": {"x": pa.int64(), "prediction": pa.float64()}}
    write_batch(tmp_path / "out", [row("a", None, 0)], "part-1.parquet", types.arrow_types())
    write_batch(tmp_path / "out", [row("b", 7, 1)], "part-2.parquet", types.arrow_types())
    table = read_table(str(tmp_path / "out"))
    assert table.schema.field("x").type == pa.int64()
    assert sorted(table.column("x").to_pylist(), key=str) == [7, None]
