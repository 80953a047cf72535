"""Real object-store servers for the tests: moto_server (S3 API, for s3:// and minio://) and
gcp-storage-emulator (GCS JSON API, for gs://), each a separate process on a loopback port.

A missing server binary fails the test (never skips).
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "driftline", "AWS_SECRET_ACCESS_KEY": "driftline-secret"}
# Every variable that points the storage layer at an endpoint: cleared, then set as a test says.
ENDPOINT_VARS = (
    "MINIO_ENDPOINT",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "STORAGE_EMULATOR_HOST",
)
_buckets = itertools.count()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_binary(name: str, hint: str) -> Path:
    binary = Path(sys.executable).parent / name
    if binary.exists():
        return binary
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} not installed: {hint}")
    return Path(found)


def start_server(command: list[str], ready_url: str, log: Path) -> subprocess.Popen[bytes]:
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


@contextmanager
def running(command: list[str], ready_url: str, log: Path) -> Iterator[None]:
    proc = start_server(command, ready_url, log)
    try:
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@dataclass
class S3Server:
    """A running moto_server: its endpoint and an independent client (boto3) to seed and
    inspect buckets."""

    endpoint: str
    _client: Any = field(default=None, repr=False)

    @property
    def host_port(self) -> str:
        """The endpoint as KFP writes it for MinIO (`host:port`, no scheme: http)."""
        return self.endpoint.removeprefix("http://")

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client(
                "s3",
                endpoint_url=self.endpoint,
                region_name="us-east-1",
                aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            )
        return self._client

    def bucket(self, name: str = "") -> str:
        """Create a bucket (a fresh name unless one is given; an existing one is kept) and
        return its name."""
        name = name or f"bucket-{os.getpid()}-{next(_buckets)}"
        if name not in {b["Name"] for b in self.client.list_buckets()["Buckets"]}:
            self.client.create_bucket(Bucket=name)
        return name

    def put(self, bucket: str, key: str, body: bytes | str) -> str:
        """Upload one object; returns its key."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.client.put_object(Bucket=bucket, Key=key, Body=data)
        return key

    def get(self, bucket: str, key: str) -> bytes:
        return bytes(self.client.get_object(Bucket=bucket, Key=key)["Body"].read())

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """One real S3-protocol server (moto_server) per test process."""
    binary = server_binary("moto_server", "pip install 'moto[s3]' flask flask-cors")
    url = f"http://127.0.0.1:{free_port()}"
    port = url.rsplit(":", 1)[1]
    log = tmp_path_factory.mktemp("moto") / "server.log"
    with running([str(binary), "-H", "127.0.0.1", "-p", port], f"{url}/moto-api/", log):
        yield S3Server(url)


@pytest.fixture
def object_store_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No endpoint from the machine's environment; the moto credentials."""
    for name in ENDPOINT_VARS:
        monkeypatch.delenv(name, raising=False)
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def minio(s3_server: S3Server, object_store_env: None, monkeypatch: pytest.MonkeyPatch) -> S3Server:
    """The S3 server as a pod sees KFP's MinIO: MINIO_ENDPOINT=host:port, keys in env."""
    monkeypatch.setenv("MINIO_ENDPOINT", s3_server.host_port)
    return s3_server


@pytest.fixture
def s3(s3_server: S3Server, object_store_env: None, monkeypatch: pytest.MonkeyPatch) -> S3Server:
    """The S3 server as the endpoint of s3:// URIs (AWS_ENDPOINT_URL)."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_server.endpoint)
    return s3_server


@pytest.fixture(scope="module")
def gcs_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real GCS JSON-API server (gcp-storage-emulator, a separate process), in memory."""
    binary = server_binary("gcp-storage-emulator", "pip install gcp-storage-emulator")
    port = free_port()
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
    with running(command, f"{url}/storage/v1/b", root / "server.log"):
        yield url
