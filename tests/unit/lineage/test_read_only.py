"""Readers open a lineage store read-only; writers create it (see tests/hostile/test_lineage.py)."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from driftline.cli import main
from driftline.errors import InputError
from driftline.lineage import open_store
from tests.unit.lineage.support import seed_training


def _read(args: list[str], store: str):
    return CliRunner().invoke(main, [*args, "--store", store])


def test_reading_leaves_a_store_byte_for_byte_unchanged(tmp_path: Path):
    """history and lineage show open the store read-only: its file stays byte-equal."""
    path = tmp_path / "mlmd.sqlite"
    run_ids = seed_training(open_store(f"sqlite://{path}"))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    for args in (["history", str(run_ids.model_id)], ["lineage", "show", str(run_ids.model_id)]):
        assert _read(args, f"sqlite://{path}").exit_code == 0
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_writers_still_create_the_store(tmp_path: Path):
    """Writers (record components, the demo) keep creating a missing store."""
    path = tmp_path / "new.sqlite"
    seed_training(open_store(f"sqlite://{path}"))
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM MLMDEnv").fetchone() == (1,)


def test_read_only_cannot_upgrade(tmp_path: Path):
    with pytest.raises(InputError, match="read-only cannot be upgraded"):
        open_store(f"sqlite://{tmp_path}/m.sqlite", read_only=True, upgrade=True)


def test_a_folder_is_not_a_store(tmp_path: Path):
    run = _read(["history", "1"], f"sqlite://{tmp_path}")
    assert run.exit_code == 2 and "is a folder" in run.stderr and list(tmp_path.iterdir()) == []
