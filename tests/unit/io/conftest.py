"""Fixtures for the IO tests: a small synthetic event table and a real S3-protocol server."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest


@pytest.fixture(scope="session")
def events() -> pa.Table:
    """240 hourly rows over 10 days (naive timestamps = UTC) with mixed column types."""
    rng = np.random.default_rng(7)
    n = 240
    first = datetime(2024, 3, 1)
    return pa.table(
        {
            "ts": pa.array([first + timedelta(hours=i) for i in range(n)], pa.timestamp("us")),
            "x": rng.normal(size=n),
            "k": rng.integers(0, 5, size=n),
            "color": pa.array(rng.choice(["red", "green", "blue"], size=n).tolist()),
            "flag": pa.array((rng.random(n) > 0.5).tolist()),
            "day": pa.array([(first + timedelta(hours=i)).strftime("%Y-%m-%d") for i in range(n)]),
        }
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real S3-protocol server (moto_server, a separate process) on a loopback port."""
    binary = Path(sys.executable).parent / "moto_server"
    if not binary.exists():
        found = shutil.which("moto_server")
        if found is None:
            pytest.fail("moto_server not installed: pip install 'moto[s3]' flask flask-cors")
        binary = Path(found)
    port = _free_port()
    log = tmp_path_factory.mktemp("moto") / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(binary), "-H", "127.0.0.1", "-p", str(port)], stdout=out, stderr=out
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"moto_server did not start: {log.read_text()[-2000:]}")
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
