"""The ASGI front end with a real sink on a temp directory: status codes, auth, limits,
metrics, and the Parquet windows read back through driftline.io.read_table."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from driftline.inference_log.payload import FeatureSchema
from driftline.io import read_table
from driftline.sink.app import create_app
from driftline.sink.service import Sink, SinkConfig
from tests.unit.sink.kserve import logger_event, payload

T = datetime(2024, 5, 6, 7, 59, 59, tzinfo=UTC)
IRIS = FeatureSchema(features=("sepal_length", "sepal_width", "petal_length", "petal_width"))


async def eventually(condition, seconds: float = 60.0) -> bool:
    """Poll `condition` until it holds or `seconds` pass (a loaded CI machine can take seconds)."""
    deadline = time.monotonic() + seconds
    while not await condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


def run(coro):
    return asyncio.run(coro)


async def serve(tmp_path, calls, **options):
    config = SinkConfig(
        out=str(tmp_path / "out"),
        state_dir=str(tmp_path / "state"),
        schema=IRIS,
        batch_rows=options.pop("batch_rows", 1000),
        batch_age_s=60,
        pair_timeout_s=options.pop("pair_timeout_s", 30),
        tick_s=0.05,
    )
    sink = Sink(config)
    app = create_app(sink, **options)
    await sink.start()
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://sink") as client:
            return await calls(client, sink)
    finally:
        await sink.stop()


def test_pairs_written_as_hive_partitioned_parquet(tmp_path):
    async def calls(client, sink):
        for i, (model, when) in enumerate([("iris", T), ("iris", T + timedelta(seconds=2))]):
            request = logger_event(
                "request", f"id-{i}", payload("iris_input.json"), model=model, time=when
            )
            response = logger_event(
                "response",
                f"id-{i}",
                {"predictions": [1, 2]},
                model=model,
                time=when,
                structured=i == 1,
            )
            for headers, body in (response, request):
                reply = await client.post("/", headers=headers, content=body)
                assert reply.status_code == 200, reply.text
        assert (await client.get("/readyz")).json() == {"ready": True, "wal": "ok"}

    run(serve(tmp_path, calls))
    table = read_table(str(tmp_path / "out"))
    rows = sorted(table.to_pylist(), key=lambda r: (r["event_id"], r["row"]))
    assert [(r["event_id"], r["row"], r["sepal_length"], r["prediction"]) for r in rows] == [
        ("id-0", 0, 6.8, 1.0),
        ("id-0", 1, 6.0, 2.0),
        ("id-1", 0, 6.8, 1.0),
        ("id-1", 1, 6.0, 2.0),
    ]
    assert {(r["model"], r["date"], r["hour"]) for r in rows} == {
        ("iris", "2024-05-06", 7),
        ("iris", "2024-05-06", 8),
    }
    assert rows[0]["namespace"] == "default" and rows[0]["component"] == "predictor"
    assert rows[0]["request_time"] == T
    window = read_table(
        str(tmp_path / "out"), timestamp_column="timestamp", start=T + timedelta(seconds=1)
    )
    assert set(window.column("event_id").to_pylist()) == {"id-1"}
    assert not list((tmp_path / "state" / "outbox").iterdir())  # everything published


def test_unpaired_sides_are_written_after_the_timeout(tmp_path):
    async def calls(client, sink):
        for headers, body in (
            logger_event("request", "req-only", payload("iris_input.json"), time=T),
            logger_event("response", "resp-only", {"predictions": [0]}, time=T),
        ):
            assert (await client.post("/", headers=headers, content=body)).status_code == 200
        assert sink.metrics.pending._value.get() == 2

        async def none_pending() -> bool:  # written once the pair timeout passes
            return sink.metrics.pending._value.get() == 0

        assert await eventually(none_pending)

    run(serve(tmp_path, calls, pair_timeout_s=0.2))
    rows = {(r["event_id"], r["row"]): r for r in read_table(str(tmp_path / "out")).to_pylist()}
    assert set(rows) == {("req-only", 0), ("req-only", 1), ("resp-only", 0)}
    assert rows[("req-only", 0)]["prediction"] is None
    assert rows[("req-only", 0)]["response_time"] is None
    assert rows[("resp-only", 0)]["sepal_length"] is None
    assert rows[("resp-only", 0)]["prediction"] == 0.0


def test_rejections_never_stop_the_service(tmp_path):
    async def calls(client, sink):
        good = logger_event("request", "ok", payload("iris_input.json"), time=T)
        bad_name = logger_event("request", "x", payload("iris_input.json"), model="..")
        bad_name[0]["ce-inferenceservicename"] = "../../escape"
        no_auth = await client.post("/", headers=good[0], content=good[1])
        assert no_auth.status_code == 401
        auth = {"authorization": "Bearer s3cret"}
        reply = await client.post("/", headers={**bad_name[0], **auth}, content=bad_name[1])
        assert reply.status_code == 400
        assert "inferenceservicename '../../escape' is not a valid name" in reply.json()["error"]
        garbage = await client.post("/", headers={**good[0], **auth}, content=b"{not json")
        assert garbage.status_code == 400 and "not JSON" in garbage.json()["error"]
        huge = await client.post("/", headers={**good[0], **auth}, content=b" " * 5000)
        assert huge.status_code == 413
        assert (await client.get("/")).status_code == 404
        assert (await client.put("/", content=b"")).status_code == 405
        ok = await client.post("/", headers={**good[0], **auth}, content=good[1])
        assert ok.status_code == 200
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        metrics = (await client.get("/metrics")).text
        assert 'driftline_sink_events_rejected_total{reason="auth"} 1.0' in metrics
        assert 'driftline_sink_events_rejected_total{reason="malformed"} 2.0' in metrics
        assert 'driftline_sink_events_rejected_total{reason="too_large"} 1.0' in metrics
        assert 'driftline_sink_events_received_total{kind="request"} 1.0' in metrics
        assert "driftline_sink_pending_pairs 1.0" in metrics

    run(serve(tmp_path, calls, token="s3cret", max_body=4096))
    assert not (tmp_path / "escape").exists()
    assert not list(tmp_path.rglob("*escape*"))


def test_batches_by_row_count_and_metrics_count_written(tmp_path):
    async def calls(client, sink):
        for i in range(6):
            for kind, body in (
                ("request", payload("iris_input.json")),
                ("response", {"predictions": [1, 1]}),
            ):
                headers, content = logger_event(kind, f"e{i}", body, time=T)
                assert (await client.post("/", headers=headers, content=content)).status_code == 200
            if i % 2 == 1:  # 4 rows: one batch, committed in the background before the next
                written = f"driftline_sink_rows_written_total {2 * (i + 1)}.0"

                async def batch_written(written: str = written) -> bool:
                    return written in (await client.get("/metrics")).text

                assert await eventually(batch_written), written
        metrics = (await client.get("/metrics")).text
        assert "driftline_sink_events_written_total 12.0" in metrics
        assert "driftline_sink_batch_seconds_count 3.0" in metrics

    run(serve(tmp_path, calls, batch_rows=4))
    files = sorted((tmp_path / "out").rglob("*.parquet"))
    assert len(files) == 3  # cut by row count (the age limit is 60 s)
    assert read_table(str(tmp_path / "out")).num_rows == 12


def test_restart_replays_pending_events(tmp_path):
    async def first(client, sink):
        headers, content = logger_event("request", "late", payload("iris_input.json"), time=T)
        assert (await client.post("/", headers=headers, content=content)).status_code == 200

    async def second(client, sink):
        assert "late" in sink.pairer.pending
        headers, content = logger_event("response", "late", {"predictions": [2, 2]}, time=T)
        assert (await client.post("/", headers=headers, content=content)).status_code == 200

    run(serve(tmp_path, first))
    assert not (tmp_path / "out").exists()  # a waiting pair is not written at shutdown
    run(serve(tmp_path, second))
    table = read_table(str(tmp_path / "out"))
    assert table.column("prediction").to_pylist() == [2.0, 2.0]
    assert table.column("sepal_length").to_pylist() == [6.8, 6.0]


@pytest.mark.parametrize("name", ["iris_input_v2.json", "sklearn_mixed_v2.json"])
def test_v2_requests_from_kserve_e2e(tmp_path, name):
    async def calls(client, sink):
        body = payload(name)
        for kind, doc in (
            ("request", body),
            (
                "response",
                {
                    "model_name": "m",
                    "id": "1",
                    "outputs": [
                        {
                            "name": "predict",
                            "shape": [len(_rows(body))],
                            "datatype": "INT64",
                            "data": [0] * len(_rows(body)),
                        }
                    ],
                },
            ),
        ):
            headers, content = logger_event(kind, "v2", doc, time=T)
            reply = await client.post("/", headers=headers, content=content)
            assert reply.status_code == 200, reply.text

    run(serve(tmp_path, calls))
    table = read_table(str(tmp_path / "out"))
    expected = {t["name"] for t in payload(name)["inputs"]}
    if name == "iris_input_v2.json":
        expected = set(IRIS.features)
    assert expected <= set(table.column_names)
    assert table.column("predict").to_pylist() == [0] * table.num_rows


def _rows(body) -> list:
    return [None] * body["inputs"][0]["shape"][0]


def test_json_error_bodies(tmp_path):
    async def calls(client, sink):
        reply = await client.post("/", headers={"ce-id": "1"}, content=b"{}")
        assert reply.status_code == 400
        assert json.loads(reply.text)["error"].startswith("specversion")

    run(serve(tmp_path, calls))


def test_readiness_follows_the_health_of_the_write_ahead_log(tmp_path):
    """A failed log write answers 503 and takes the replica out of its Service (readyz 503)
    until a write to the state directory succeeds again; no event is acknowledged meanwhile."""
    from tests.hostile.test_storage import read_only

    async def calls(client, sink):
        request = logger_event("request", "ok-1", payload("iris_input.json"))
        assert (await client.post("/", headers=request[0], content=request[1])).status_code == 200
        segment = sink.wal.dir / f"wal-{sink.wal.segment:08d}.jsonl"
        sink.wal._handle = open(segment, "rb", buffering=0)  # noqa: SIM115 (a real failing write)
        with read_only(tmp_path / "state"):
            failed = logger_event("request", "lost-1", payload("iris_input.json"))
            reply = await client.post("/", headers=failed[0], content=failed[1])
            assert reply.status_code == 503
            ready = await client.get("/readyz")
            assert ready.status_code == 503 and ready.json()["ready"] is False
        ready = await client.get("/readyz")
        assert ready.status_code == 200 and ready.json() == {"ready": True, "wal": "ok"}
        again = logger_event("request", "ok-2", payload("iris_input.json"))
        assert (await client.post("/", headers=again[0], content=again[1])).status_code == 200
        return sink.wal.dir

    state = run(serve(tmp_path, calls, pair_timeout_s=0))
    logged = b"".join(p.read_bytes() for p in sorted(state.glob("*.jsonl")))
    assert b"lost-1" not in logged
    table = read_table(str(tmp_path / "out"))
    assert set(table.column("event_id").to_pylist()) == {"ok-1", "ok-2"}
