"""The demo's 13 windows, run once per test session (shared by the xdist workers), and one
headless Chromium per worker."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock

from tests.browser.chromium import open_browser

WINDOWS = 13


def run_demo_once(root: Path) -> dict[str, Any]:
    """Run the demo into `root/demo` unless a worker already did; returns its outcomes."""
    from dataclasses import asdict

    from driftline.demo.runner import run_demo

    done = root / "demo-outcomes.json"
    with FileLock(str(root / "demo.lock")):
        if not done.exists():
            outcomes = run_demo(root / "demo", windows=WINDOWS, echo=lambda line: None)
            done.write_text(json.dumps([asdict(o) for o in outcomes]))
    return {"workdir": root / "demo", "outcomes": json.loads(done.read_text())}


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> dict[str, Any]:
    """The demo's workdir and its 13 window outcomes (dicts of `WindowOutcome`)."""
    base = tmp_path_factory.getbasetemp()
    # xdist workers share their session's folder; a lone process keeps to its own
    return run_demo_once(base if worker_id == "master" else base.parent)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium, 800 px wide."""
    with open_browser() as driver:
        yield driver
