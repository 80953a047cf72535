"""Shared fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml

import driftline
from tests.object_store import gcs_endpoint, minio, object_store_env, s3, s3_server

__all__ = ["gcs_endpoint", "minio", "object_store_env", "s3", "s3_server"]  # shared fixtures

DEMO_DATA = Path(driftline.__file__).parent / "demo" / "data"


@pytest.fixture(scope="session")
def bike_hour_csv() -> Path:
    """The real UCI Bike Sharing hourly data (2011-2012) shipped for the demo."""
    return DEMO_DATA / "hour.csv"


if TYPE_CHECKING:
    from tests.unit.observability.fake_apiserver import FakeApiServer


@pytest.fixture
def kube(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeApiServer]:
    """The Kubernetes API stand-in, reachable through a kubeconfig in KUBECONFIG."""
    from tests.unit.observability.fake_apiserver import running

    with running() as (fake, url):
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "test", "cluster": {"server": url}}],
            "users": [{"name": "test", "user": {"token": "test-token"}}],
            "contexts": [{"name": "test", "context": {"cluster": "test", "user": "test"}}],
            "current-context": "test",
        }
        path = tmp_path / "kubeconfig"
        path.write_text(yaml.safe_dump(config))
        monkeypatch.setenv("KUBECONFIG", str(path))
        monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
        yield fake
