"""kill -9 of a real `driftline sink` process mid-stream: after a restart on the same state
directory, every acknowledged event is in the Parquet output exactly once."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import requests

from driftline.io import read_table
from tests.unit.sink.kserve import logger_event, payload

pytestmark = pytest.mark.integration
CALLS = 2500
SENDERS = 8


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _events_written(out: Path) -> set[tuple[str, str]]:
    """(event id, side) of every event the sink has committed so far."""
    if not any(out.rglob("*.parquet")):
        return set()
    table = read_table(str(out), columns=["event_id", "request_time", "response_time"])
    written = set()
    for row in table.to_pylist():
        if row["request_time"] is not None:
            written.add((row["event_id"], "request"))
        if row["response_time"] is not None:
            written.add((row["event_id"], "response"))
    return written


def start_sink(port: int, out: Path, state: Path, *options: str) -> subprocess.Popen[bytes]:
    """A real `driftline sink` process, once ready; `options` override the defaults here."""
    cmd = [sys.executable, "-m", "driftline", "sink", "--host", "127.0.0.1", "--port", str(port),
           "--out", str(out), "--state-dir", str(state), "--batch-rows", "300",
           "--batch-age", "0.5", "--pair-timeout", "3", *options]  # fmt: skip
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"sink exited: {process.stderr.read().decode()[-2000:]}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return process
        except requests.ConnectionError:
            time.sleep(0.05)
    process.kill()
    raise AssertionError("sink did not become ready")


def test_sigkill_mid_stream_loses_and_duplicates_nothing_acknowledged(tmp_path):
    port, out, state = free_port(), tmp_path / "out", tmp_path / "state"
    url = f"http://127.0.0.1:{port}/"
    process = start_sink(port, out, state)
    request_body = payload("iris_input.json")
    work: queue.Queue[int] = queue.Queue()
    for i in range(CALLS):
        work.put(i)
    acked: set[tuple[str, str]] = set()
    lock, up = threading.Lock(), threading.Event()
    up.set()

    def sender() -> None:
        session = requests.Session()
        while True:
            try:
                i = work.get_nowait()
            except queue.Empty:
                return
            for kind, body in (("request", request_body), ("response", {"predictions": [i, i]})):
                up.wait()
                headers, content = logger_event(kind, f"call-{i}", body)
                try:
                    reply = session.post(url, headers=headers, data=content, timeout=10)
                except requests.RequestException:
                    continue  # not acknowledged: the logger drops it (no retry)
                if reply.status_code == 200:
                    with lock:
                        acked.add((f"call-{i}", kind))

    threads = [threading.Thread(target=sender) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    while len(acked) < CALLS // 2:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)  # mid-stream: senders are still posting
    process.wait()
    killed_with = len(acked)
    up.clear()
    time.sleep(0.2)
    process = start_sink(port, out, state)
    up.set()
    for thread in threads:
        thread.join(timeout=120)
    # Unpaired sides are written after the pair timeout + batch age (3.5 s): wait for them.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not acked <= _events_written(out):
        time.sleep(0.5)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal
    assert b"Traceback" not in process.stderr.read()

    assert CALLS // 2 <= killed_with < 2 * CALLS
    assert len(acked) > killed_with  # the restarted sink took the rest of the stream
    table = read_table(str(out), columns=["event_id", "row", "request_time", "response_time"])
    seen: Counter[tuple[str, str]] = Counter()
    for row in table.to_pylist():
        assert row["row"] in (0, 1)
        if row["request_time"] is not None:
            seen[(row["event_id"], "request")] += 1
        if row["response_time"] is not None:
            seen[(row["event_id"], "response")] += 1
    lost = acked - set(seen)
    assert not lost, f"{len(lost)} acknowledged events lost, e.g. {sorted(lost)[:5]}"
    duplicated = {key: n for key, n in seen.items() if n != 2}  # 2 rows per iris request
    assert not duplicated, f"duplicated or partial events: {list(duplicated.items())[:5]}"
    assert not [p for p in out.rglob("*") if p.name.startswith(".")]  # no temp files left
    assert os.listdir(state / "outbox") == []
