"""Hostile input to the inference log sink (issue 12): a real `driftline sink` process on a
local port, hostile HTTP sent to it, and what it stored read back through driftline.io."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from driftline.errors import MalformedEventError
from driftline.inference_log.events import parse_http_event
from driftline.io import read_table
from tests.hostile.test_storage import assert_one_error_line, read_only
from tests.integration.test_sink_crash import free_port, start_sink
from tests.unit.sink.kserve import REQUEST, logger_event, payload

IRIS = payload("iris_input.json")  # two rows of four numbers


@dataclass
class RunningSink:
    url: str
    out: Path
    process: subprocess.Popen[bytes]

    def post(self, headers: dict[str, str], body: bytes) -> requests.Response:
        return requests.post(self.url, headers=headers, data=body, timeout=10)

    def call(self, event_id: str, request: object, model: str = "sklearn-iris") -> list[int]:
        """Log one call (request, then response); the two status codes."""
        codes = []
        for kind, body in (("request", request), ("response", {"predictions": [1, 0]})):
            codes.append(self.post(*logger_event(kind, event_id, body, model=model)).status_code)
        return codes

    def rejected(self, reason: str) -> float:
        """The sink's rejection counter for `reason`, read from /metrics."""
        text = requests.get(self.url + "metrics", timeout=10).text
        name = f'driftline_sink_events_rejected_total{{reason="{reason}"}} '
        lines = [line for line in text.splitlines() if line.startswith(name)]
        return float(lines[0].split()[-1]) if lines else 0.0

    def rows_once(self, *event_ids: str) -> list[dict[str, object]]:
        """Every row written, once the calls `event_ids` are among them (so a row missing
        beside them was never written, not just late)."""
        deadline = time.monotonic() + 60
        while True:
            rows = []
            if any(self.out.rglob("*.parquet")):
                rows = read_table(str(self.out), timestamp_column="timestamp").to_pylist()
            if set(event_ids) <= {r["event_id"] for r in rows}:
                return rows
            assert time.monotonic() < deadline, f"{event_ids} not written within a minute"
            time.sleep(0.2)


@pytest.fixture(scope="module")
def sink(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSink]:
    folder = tmp_path_factory.mktemp("hostile-sink")
    port = free_port()
    process = start_sink(port, folder / "out", folder / "state", "--pair-timeout", "0.3")
    yield RunningSink(f"http://127.0.0.1:{port}/", folder / "out", process)
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    assert process.stderr is not None
    assert b"Traceback" not in process.stderr.read()


def test_an_event_breaking_its_columns_type_is_refused_before_acknowledgement(sink):
    """'One event makes a sink batch unreadable: an event sending a string where other events
    send numbers gets 200, and from then on every profile, validate and drift over windows
    containing that batch exits 2.'"""
    assert sink.call("typed-1", IRIS) == [200, 200]
    sink.rows_once("typed-1")  # a batch of numbers is out
    before = sink.rejected("schema")
    broken = {"instances": [[5.1, "a", 1.4, 0.2]]}
    reply = sink.post(*logger_event("request", "typed-2", broken))
    assert reply.status_code == 400
    assert "'feature_1'" in reply.json()["error"] and "float" in reply.json()["error"]
    assert sink.rejected("schema") == before + 1
    assert sink.call("typed-3", IRIS) == [200, 200]
    rows = sink.rows_once("typed-3")  # the whole output stays readable as one dataset
    assert {r["event_id"] for r in rows} >= {"typed-1", "typed-3"}
    assert "typed-2" not in {r["event_id"] for r in rows}
    assert all(isinstance(r["feature_1"], float) for r in rows if r["model_name"] == "sklearn-iris")


def test_a_body_cut_short_by_a_disconnect_is_never_stored(sink):
    """'The sink stores a truncated upload: a body shorter than its Content-Length, followed
    by a disconnect, is stored though the client never got a 2xx.'"""
    headers, body = logger_event("request", "cut-1", IRIS)
    declared = body + b" " * 64  # still valid JSON when cut back to `body`
    host, port = sink.url.removeprefix("http://").rstrip("/").split(":")
    head = ["POST / HTTP/1.1", f"Host: {host}", f"Content-Length: {len(declared)}"]
    head += [f"{name}: {value}" for name, value in headers.items() if name != "content-length"]
    with socket.create_connection((host, int(port))) as connection:
        connection.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        time.sleep(0.3)  # the server has the partial body before the client goes away
    deadline = time.monotonic() + 30
    while sink.rejected("disconnected") < 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sink.rejected("disconnected") >= 1
    assert sink.post(*logger_event("request", "after-cut", IRIS)).status_code == 200
    assert "cut-1" not in {r["event_id"] for r in sink.rows_once("after-cut")}


def test_a_name_with_a_trailing_newline_is_refused(sink):
    """'A trailing newline passes the sink's name check: "m\\n" creates the partition
    `model=m\\n`. Use full-match validation.'"""
    event = {"specversion": "1.0", "type": REQUEST, "id": "nl-1", "source": "test",
             "inferenceservicename": "m\n", "data": IRIS}  # fmt: skip
    headers = {"content-type": "application/cloudevents+json"}
    with pytest.raises(MalformedEventError, match="inferenceservicename"):
        parse_http_event(headers, json.dumps(event).encode(), 0)
    assert sink.post(headers, json.dumps(event).encode()).status_code == 400
    assert not [p for p in sink.out.rglob("*") if "\n" in p.name]


def _structured(**attributes: object) -> bytes:
    event = {"specversion": "1.0", "type": REQUEST, "id": "hostile", "source": "test",
             "inferenceservicename": "sklearn-iris", **attributes}  # fmt: skip
    return json.dumps(event).encode()


DEEP = "[" * 3000 + "]" * 3000
HOSTILE_EVENTS = {
    "time is a number": _structured(time=1733000000, data=IRIS),
    "time is an object": _structured(time={"at": "now"}, data=IRIS),
    "data_base64 is a number": _structured(data_base64=12345),
    "data_base64 is a list": _structured(data_base64=["aGk="]),
    "envelope nested 3,000 deep": _structured(data=IRIS)[:-1] + f', "x": {DEEP}}}'.encode(),
    "data nested 3,000 deep": _structured()[:-1] + f', "data": {{"instances": {DEEP}}}}}'.encode(),
}


@pytest.mark.parametrize("name", HOSTILE_EVENTS)
def test_hostile_cloudevents_get_400_counted_as_rejected(sink, name):
    """'Hostile CloudEvents give HTTP 500 with a traceback (a non-string `time`, a non-string
    `data_base64`, JSON nested 3,000 deep). They need 400, counted in the rejection metric.'"""
    before = sink.rejected("malformed")
    reply = sink.post({"content-type": "application/cloudevents+json"}, HOSTILE_EVENTS[name])
    assert reply.status_code == 400, reply.text
    assert reply.json()["error"]
    assert sink.rejected("malformed") == before + 1


def test_a_binary_mode_body_nested_3000_deep_gets_400(sink):
    """The same nesting in a binary-mode event's payload (what the KServe agent sends)."""
    headers, _ = logger_event("request", "deep-1", IRIS)
    before = sink.rejected("malformed")
    reply = sink.post(headers, f'{{"instances": {DEEP}}}'.encode())
    assert reply.status_code == 400, reply.text
    assert sink.rejected("malformed") == before + 1


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "driftline", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)


def test_an_empty_token_is_refused(tmp_path):
    """'An empty sink token silently turns authentication off. Refuse it, or log loudly that
    auth is off.'"""
    base = ["sink", "--port", str(free_port()), "--out", str(tmp_path / "out")]
    result = _cli(*base, "--token", "")
    assert result.returncode == 2
    assert_one_error_line(result.stderr, "--token", "empty")
    env = {**os.environ, "DRIFTLINE_SINK_TOKEN": ""}
    result = _cli(*base, env=env)
    assert result.returncode == 2
    assert_one_error_line(result.stderr, "--token", "empty")


def test_a_sink_out_that_is_a_file_gives_one_error_line(tmp_path):
    """'Output-path problems show a traceback and exit 1: ... a sink `--out` that is a file.'"""
    (tmp_path / "out").write_text("not a folder")
    result = _cli("sink", "--port", str(free_port()), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert_one_error_line(result.stderr, "--out", str(tmp_path / "out"), "is a file")


def test_an_unwritable_state_dir_gives_one_error_line(tmp_path):
    """'Output-path problems show a traceback and exit 1: ... an unwritable `--state-dir`.'"""
    with read_only(tmp_path / "state") as state:
        result = _cli("sink", "--port", str(free_port()), "--out", str(tmp_path / "out"),
                      "--state-dir", str(state))  # fmt: skip
    assert result.returncode == 2
    assert_one_error_line(result.stderr, "--state-dir", str(tmp_path / "state"))
