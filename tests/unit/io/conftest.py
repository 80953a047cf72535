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


def _server(name: str, hint: str) -> Path:
    binary = Path(sys.executable).parent / name
    if binary.exists():
        return binary
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} not installed: {hint}")
    return Path(found)


def _start(command: list[str], ready_url: str, log: Path) -> subprocess.Popen[bytes]:
    """Start a server process and wait until `ready_url` answers (fail, never skip)."""
    with log.open("w") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=out)
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(ready_url, timeout=1).close()
            return proc
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"{command[0]} did not start: {log.read_text()[-2000:]}")
            time.sleep(0.1)


@pytest.fixture(scope="module")
def gcs_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real GCS JSON-API server (gcp-storage-emulator, a separate process), in memory."""
    binary = _server("gcp-storage-emulator", "pip install gcp-storage-emulator")
    port = _free_port()
    root = tmp_path_factory.mktemp("gcs")
    command = [
        str(binary),
        "-d",
        str(root),
        "start",
        "-H",
        "127.0.0.1",
        "--port",
        str(port),
        "--default-bucket",
        "monitoring",
        "--in-memory",
        "--quiet",
    ]
    url = f"http://127.0.0.1:{port}"
    proc = _start(command, f"{url}/storage/v1/b", root / "server.log")
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real S3-protocol server (moto_server, a separate process) on a loopback port."""
    binary = _server("moto_server", "pip install 'moto[s3]' flask flask-cors")
    port = _free_port()
    log = tmp_path_factory.mktemp("moto") / "server.log"
    url = f"http://127.0.0.1:{port}"
    proc = _start([str(binary), "-H", "127.0.0.1", "-p", str(port)], f"{url}/moto-api/", log)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
