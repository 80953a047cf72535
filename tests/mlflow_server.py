"""A real MLflow tracking server for the tests: `mlflow server` (MLflow 3.x, SQLite backend,
local artifact root) from its own virtual environment, on a loopback port in a temp dir.

ci/test-env/50-mlflow-server.sh installs that environment (`make test-env`); when it is
missing the fixture fails, naming the command (never skips). The server may deliver its
registry webhooks to loopback receivers over http (`MLFLOW_WEBHOOK_ALLOWED_SCHEMES`,
`MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS`), which production servers refuse by default.
"""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.object_store import free_port

ROOT = Path(__file__).resolve().parents[1]
MLFLOW_VENV = Path(os.environ.get("MLFLOW_VENV") or ROOT / ".venv-mlflow")
# A Fernet key (32 url-safe base64 bytes) the server encrypts stored webhook secrets with.
FERNET_KEY = "ZHJpZnRsaW5lLXRlc3RzLXdlYmhvb2stc2VjcmV0cyE="
START_TIMEOUT_S = 180  # the first start migrates a fresh SQLite schema; slow on a busy machine


@dataclass(frozen=True)
class MlflowServer:
    """A running tracking server: its http URL and the driftline store URI naming it."""

    url: str
    root: Path

    @property
    def store(self) -> str:
        return f"mlflow+{self.url}"

    def client(self):  # type: ignore[no-untyped-def]
        from mlflow import MlflowClient

        return MlflowClient(tracking_uri=self.url, registry_uri=self.url)


def mlflow_binary() -> Path:
    binary = MLFLOW_VENV / "bin" / "mlflow"
    if not binary.exists():
        pytest.fail(
            f"no MLflow server in {MLFLOW_VENV}: run `make test-env` "
            "(ci/test-env/50-mlflow-server.sh installs it)"
        )
    return binary


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    """One MLflow server per test session (per xdist worker)."""
    root = tmp_path_factory.mktemp("mlflow-server")
    port = free_port()
    env = {
        **os.environ,
        "MLFLOW_WEBHOOK_ALLOWED_SCHEMES": "http,https",
        "MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS": "true",
        "MLFLOW_WEBHOOK_CACHE_TTL": "1",
        "MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY": FERNET_KEY,
    }
    command = [
        str(mlflow_binary()),
        "server",
        "--backend-store-uri",
        f"sqlite:///{root}/mlflow.db",
        "--artifacts-destination",
        str(root / "artifacts"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    log = root / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=out, env=env, cwd=root)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            urllib.request.urlopen(f"{url}/health", timeout=2).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"mlflow server did not start: {log.read_text()[-3000:]}")
            time.sleep(0.3)
    try:
        yield MlflowServer(url, root)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
