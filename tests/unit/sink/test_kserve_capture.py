"""read_capture on captures laid out as KServe's blob-storage logger writes them
(shared/reference/kserve-logger.md section 5): JSON, CSV and Parquet LogRequest records."""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from driftline.errors import DataSourceError, EmptyDataError
from driftline.inference_log.payload import FeatureSchema
from driftline.io import read_table
from driftline.io.kserve_capture import read_capture
from tests.unit.sink.kserve import payload

T = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
PREFIX = "logs/default/sklearn-iris/predictor/capture"
COLUMNS = (
    "url",
    "bytes",
    "contentType",
    "reqType",
    "id",
    "sourceUri",
    "inferenceService",
    "namespace",
    "component",
    "endpoint",
    "metadata",
    "annotations",
    "certName",
    "tlsSkipVerify",
)


def record(kind: str, event_id: str, body, *, full_type: bool = False, when: datetime = T):
    req_type = f"org.kubeflow.serving.inference.{kind}" if full_type else kind
    return {
        "url": {"Scheme": "http", "Host": "localhost:9081", "Path": "/"},
        "bytes": base64.b64encode(json.dumps(body).encode()).decode(),
        "contentType": "application/json",
        "reqType": req_type,
        "id": event_id,
        "sourceUri": {"Scheme": "http", "Host": "localhost:9081", "Path": "/"},
        "inferenceService": "sklearn-iris",
        "namespace": "default",
        "component": "predictor",
        "endpoint": "",
        "metadata": {},
        "annotations": {},
        "certName": "",
        "tlsSkipVerify": False,
        "occurrenceTime": when.isoformat().replace("+00:00", "Z"),
    }


def calls(n: int, when: datetime = T):
    out = []
    for i in range(n):
        out.append(
            record(
                "request", f"id-{i}", payload("iris_input.json"), when=when + timedelta(minutes=i)
            )
        )
        out.append(
            record(
                "response",
                f"id-{i}",
                {"predictions": [i, i]},
                full_type=i % 2 == 1,
                when=when + timedelta(minutes=i, seconds=1),
            )
        )
    return out


def tabular(records) -> pa.Table:
    rows = [
        {c: (json.dumps(r[c]) if isinstance(r[c], dict) else r[c]) for c in COLUMNS}
        for r in records
    ]
    return pa.Table.from_pylist(rows)


def json_capture(records, batch: int) -> dict[str, bytes]:
    """The objects the logger writes for `records`, `batch` records per object: key -> body."""
    objects = {}
    for start in range(0, len(records), batch):
        chunk = records[start : start + batch]
        first = chunk[0]
        key = f"{PREFIX}/{first['id']}-{first['reqType'].rsplit('.', 1)[-1]}.json"
        objects[key] = json.dumps(chunk[0] if len(chunk) == 1 else chunk).encode()
    return objects


def write_json_capture(root, records, batch: int) -> None:
    for key, body in json_capture(records, batch).items():
        target = root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)


IRIS = FeatureSchema(features=("sepal_length", "sepal_width", "petal_length", "petal_width"))


@pytest.mark.parametrize("batch", [1, 3])
def test_json_capture_pairs_records_like_the_sink(tmp_path, batch):
    write_json_capture(tmp_path, calls(3), batch)
    table = read_capture(str(tmp_path), schema=IRIS)
    rows = sorted(table.to_pylist(), key=lambda r: (r["event_id"], r["row"]))
    assert [(r["event_id"], r["row"], r["sepal_length"], r["prediction"]) for r in rows] == [
        ("id-0", 0, 6.8, 0.0),
        ("id-0", 1, 6.0, 0.0),
        ("id-1", 0, 6.8, 1.0),
        ("id-1", 1, 6.0, 1.0),
        ("id-2", 0, 6.8, 2.0),
        ("id-2", 1, 6.0, 2.0),
    ]
    assert rows[0]["request_time"] == T
    assert rows[0]["response_time"] == T + timedelta(seconds=1)
    assert (rows[0]["model"], rows[0]["date"], rows[0]["hour"]) == ("sklearn-iris", "2024-05-06", 7)
    window = read_capture(str(tmp_path), T + timedelta(minutes=1), T + timedelta(minutes=2))
    assert set(window.column("event_id").to_pylist()) == {"id-1"}


def test_same_layout_as_the_sink_output(tmp_path):
    """A capture and a sink window have the same columns and types (one load_window path)."""
    from driftline.inference_log.events import LoggedEvent
    from driftline.inference_log.pairing import Pairer
    from driftline.inference_log.payload import flatten
    from driftline.sink.writer import write_batch

    write_json_capture(tmp_path / "capture", calls(2), 2)
    captured = read_capture(str(tmp_path / "capture"), schema=IRIS)
    pairer = Pairer(30)
    for r in calls(2):
        kind = r["reqType"].rsplit(".", 1)[-1]
        body = base64.b64decode(r["bytes"]).decode()
        when = int(datetime.fromisoformat(r["occurrenceTime"]).timestamp() * 1e6)
        event = LoggedEvent(r["id"], kind, "sklearn-iris", "default", "predictor", "", when, body)
        pairer.add(event, flatten(body, kind, IRIS), 0.0)
    rows, _ = pairer.take_ready()
    write_batch(tmp_path / "sink", rows, "part-0.parquet")
    sunk = read_table(str(tmp_path / "sink"))
    assert captured.schema.names == sunk.schema.names
    assert captured.schema == sunk.schema
    assert captured.sort_by([("event_id", "ascending"), ("row", "ascending")]).equals(
        sunk.sort_by([("event_id", "ascending"), ("row", "ascending")])
    )


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_csv_and_parquet_captures_time_rows_by_object(tmp_path, fmt):
    directory = tmp_path / PREFIX
    directory.mkdir(parents=True)
    path = directory / f"id-0-request.{fmt}"
    table = tabular(calls(2))
    (pcsv.write_csv if fmt == "csv" else pq.write_table)(table, path)
    stamp = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC).timestamp()
    os.utime(path, (stamp, stamp))
    result = read_capture(str(tmp_path))
    assert sorted(set(result.column("event_id").to_pylist())) == ["id-0", "id-1"]
    assert set(result.column("request_time").to_pylist()) == {datetime.fromtimestamp(stamp, UTC)}
    assert result.column("feature_0").to_pylist()[:2] == [6.8, 6.0]


def test_object_store_uri(s3):
    """An s3:// capture on a real S3-protocol server (moto_server), seeded with boto3."""
    bucket = s3.bucket()
    for key, body in json_capture(calls(2), 1).items():
        s3.put(bucket, f"capture/{key}", body)
    table = read_capture(f"s3://{bucket}/capture")
    assert table.num_rows == 4
    assert sorted(set(table.column("event_id").to_pylist())) == ["id-0", "id-1"]


def test_bad_captures_raise_one_clear_error(tmp_path):
    with pytest.raises(DataSourceError, match="capture location not found"):
        read_capture(str(tmp_path / "nowhere"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(EmptyDataError, match="no logger records"):
        read_capture(str(tmp_path / "empty"))
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x-request.json").write_text("{broken")
    with pytest.raises(DataSourceError, match=r"x-request\.json as json"):
        read_capture(str(bad))
    (bad / "x-request.json").write_text(json.dumps({**record("request", "x", {}), "bytes": "@@"}))
    with pytest.raises(DataSourceError, match="record 0 is not a KServe logger record"):
        read_capture(str(bad))
    (bad / "x-request.json").write_text(
        json.dumps({**record("request", "x", {}), "reqType": "other"})
    )
    with pytest.raises(DataSourceError, match="reqType 'other'"):
        read_capture(str(bad))
