"""Three `driftline sink` processes behind a round-robin sender, one of them killed with
SIGKILL mid-stream and restarted: every acknowledged event is in the output exactly once, and
the two sides of each call, which reached different replicas, are paired when the window is
read (`driftline.io.log_window`)."""

from __future__ import annotations

import itertools
import queue
import signal
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import requests

from driftline.io.log_window import read_log_window
from tests.integration.test_sink_crash import free_port, start_sink
from tests.unit.sink.kserve import logger_event, payload

pytestmark = pytest.mark.integration
CALLS = 1500
SENDERS = 6
OPTIONS = ("--pair-timeout", "0", "--batch-age", "0.3", "--batch-rows", "200")


def test_replicas_killed_mid_stream_pair_every_acknowledged_call_once(tmp_path):
    out = tmp_path / "out"
    ports = [free_port() for _ in range(3)]
    states = [tmp_path / f"state-{i}" for i in range(3)]
    processes = [start_sink(p, out, s, *OPTIONS) for p, s in zip(ports, states, strict=True)]
    turn, turn_lock = itertools.count(), threading.Lock()  # the Service's round robin
    request_body = payload("iris_input.json")
    work: queue.Queue[int] = queue.Queue()
    for i in range(CALLS):
        work.put(i)
    acked: set[tuple[str, str]] = set()
    acked_lock = threading.Lock()
    started = datetime.now(UTC)

    def sender() -> None:
        session = requests.Session()
        while True:
            try:
                i = work.get_nowait()
            except queue.Empty:
                return
            for kind, body in (("request", request_body), ("response", {"predictions": [i, -i]})):
                with turn_lock:
                    port = ports[next(turn) % 3]
                headers, content = logger_event(kind, f"call-{i}", body)
                try:
                    url = f"http://127.0.0.1:{port}/"
                    reply = session.post(url, headers=headers, data=content, timeout=10)
                except requests.RequestException:
                    continue  # not acknowledged: the logger drops it (no retry)
                if reply.status_code == 200:
                    with acked_lock:
                        acked.add((f"call-{i}", kind))

    threads = [threading.Thread(target=sender) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    while len(acked) < CALLS // 2:
        time.sleep(0.01)
    processes[1].send_signal(signal.SIGKILL)  # mid-stream: the senders keep posting to it
    processes[1].wait()
    killed_with = len(acked)
    time.sleep(0.5)
    processes[1] = start_sink(ports[1], out, states[1], *OPTIONS)
    for thread in threads:
        thread.join(timeout=300)
    for process in processes:
        process.send_signal(signal.SIGTERM)  # a graceful stop writes every side it holds
    for process in processes:
        assert process.wait(timeout=60) in (0, -signal.SIGTERM)
        assert process.stderr is not None
        assert b"Traceback" not in process.stderr.read()

    assert CALLS // 2 <= killed_with < len(acked)  # the stream went on after the kill
    window = read_log_window(
        str(out), started - timedelta(minutes=1), datetime.now(UTC) + timedelta(minutes=1)
    )
    rows = window.table.to_pylist()
    seen: Counter[tuple[str, str]] = Counter()
    for row in rows:
        if row["request_time"] is not None:
            seen[(row["event_id"], "request")] += 1
        if row["response_time"] is not None:
            seen[(row["event_id"], "response")] += 1
    lost = acked - set(seen)
    assert not lost, f"{len(lost)} acknowledged events lost, e.g. {sorted(lost)[:5]}"
    duplicated = {key: n for key, n in seen.items() if n != 2}  # 2 rows per iris request
    assert not duplicated, f"duplicated or partial events: {list(duplicated.items())[:5]}"
    both = {call for call, kind in acked if kind == "request" and (call, "response") in acked}
    assert len(both) > CALLS // 2
    for row in rows:
        if row["event_id"] in both:  # the request's features next to its own response
            number = int(row["event_id"].removeprefix("call-"))
            assert row["prediction"] == (number if row["row"] == 0 else -number)
            assert row["feature_0"] == request_body["instances"][row["row"]][0]
    assert window.pairing.joined >= len(both) // 2  # about 2 in 3 calls split over replicas
    unpaired = window.pairing.unpaired_requests + window.pairing.unpaired_responses
    assert unpaired == len({c for c, _ in seen}) - len(
        {c for c in {c for c, _ in seen} if (c, "request") in seen and (c, "response") in seen}
    )
