"""A real AWS endpoint for tests: moto_server, a separate process on a loopback port (one per
test module: the SageMaker tests create endpoints and packages by name).

moto serves S3, CloudWatch, EventBridge and SageMaker (models, endpoint configs, endpoints,
model packages, data-quality job definitions). `aws` points the standard AWS credential
chain at it through environment variables only, as a pod's environment would.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.object_store import ENDPOINT_VARS, free_port, running, server_binary

REGION = "us-east-1"


@pytest.fixture(scope="module")
def aws_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto_server on a free loopback port (fails, never skips, when it is missing)."""
    binary = server_binary("moto_server", "pip install 'moto[s3,events]' flask flask-cors")
    port = free_port()
    log = tmp_path_factory.mktemp("moto-aws") / "server.log"
    url = f"http://127.0.0.1:{port}"
    with running([str(binary), "-H", "127.0.0.1", "-p", str(port)], f"{url}/moto-api/", log):
        yield url


@pytest.fixture
def aws(aws_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The standard AWS chain pointed at moto (environment variables only)."""
    for name in ENDPOINT_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return aws_endpoint
