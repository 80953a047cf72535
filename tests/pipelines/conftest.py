"""Fixtures for the publish tests: the strict local KFP API and a compiled sample pipeline."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from driftline.platforms.kfp.compile import compile_all
from tests.pipelines.kfp_api_server import KfpApiServer

KFP_ENV = (
    "KF_PIPELINES_ENDPOINT",
    "KF_PIPELINES_UI_ENDPOINT",
    "KF_PIPELINES_SA_TOKEN_PATH",
    "KF_PIPELINES_DEFAULT_EXPERIMENT_NAME",
    "KF_PIPELINES_OVERRIDE_EXPERIMENT_NAME",
    "DRIFTLINE_KFP_TOKEN",
)


@pytest.fixture(scope="session")
def pipeline_yaml(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample pipeline compiled by the real KFP compiler."""
    out = tmp_path_factory.mktemp("compiled")
    compile_all(
        out,
        components_package="tests.pipelines.sample.components",
        pipelines_package="tests.pipelines.sample.pipelines",
    )
    return out / "pipelines" / "count_rows_pipeline.yaml"


@pytest.fixture
def kfp_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in KFP_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def kfp_api(kfp_env: None) -> Iterator[KfpApiServer]:
    """A strict KFP v2beta1 API on a free loopback port; fails the test on any invalid request."""
    with KfpApiServer() as server:
        yield server
    assert server.errors == [], server.errors
