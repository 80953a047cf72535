"""Fixtures for the observability tests: real Prometheus tools, never skipped."""

from __future__ import annotations

import shutil

import pytest


def require_binary(name: str) -> str:
    """The path of a binary the test needs; fail (never skip) when it is missing."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found on PATH: apt-get install prometheus (make test-env)")
    return path


@pytest.fixture(scope="session")
def promtool() -> str:
    return require_binary("promtool")
