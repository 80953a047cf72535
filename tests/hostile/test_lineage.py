"""Hostile input to the lineage store (issue 12, silent wrong answer #3): reading never writes."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from driftline.cli import main
from driftline.errors import InputError
from driftline.lineage import open_store, resolve_baseline
from tests.object_store import free_port
from tests.unit.lineage.support import seed_training, start_mariadb, temp_workdir

READERS = [["history", "1"], ["lineage", "show", "1"]]


def _read(args: list[str], store: str):
    return CliRunner().invoke(main, [*args, "--store", store])


def _tables(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return sorted(r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'"))


@pytest.mark.parametrize("args", READERS, ids=" ".join)
def test_reading_a_missing_store_creates_an_mlmd_database(args: list[str], tmp_path: Path):
    """Issue 12: With a missing store file, `lineage show` and `history` create a new MLMD db."""
    path = tmp_path / "typo.sqlite"
    run = _read(args, f"sqlite://{path}")
    assert run.exit_code == 2 and not path.exists()
    [line] = run.stderr.splitlines()
    assert line.startswith(f"error: --store sqlite://{path} does not exist")
    assert "record_monitoring_result" in line  # how to create one


@pytest.mark.parametrize("args", READERS, ids=" ".join)
def test_reading_a_foreign_sqlite_file_adds_mlmd_tables(args: list[str], tmp_path: Path):
    """Issue 12: They add 16 MLMD tables to a foreign SQLite file."""
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE orders (id INTEGER, total REAL)")
        db.execute("INSERT INTO orders VALUES (1, 9.5)")
    before = path.read_bytes()
    run = _read(args, str(path))
    assert run.exit_code == 2 and path.read_bytes() == before and _tables(path) == ["orders"]
    [line] = run.stderr.splitlines()
    assert "is not an ML Metadata store" in line and "tables: orders" in line


@pytest.mark.parametrize("content", [b"", b"id,total\n1,9.5\n"], ids=["empty", "csv"])
def test_reading_a_file_that_is_not_a_database_changes_it(content: bytes, tmp_path: Path):
    """Issue 12: A missing or foreign file is an error that says so."""
    path = tmp_path / "notes.sqlite"
    path.write_bytes(content)
    run = _read(["history", "1"], str(path))
    assert run.exit_code == 2 and path.read_bytes() == content
    assert "is not an ML Metadata store" in run.stderr


def test_resolving_a_baseline_in_a_missing_store_creates_it(tmp_path: Path):
    """The resolve_baseline component reads: a missing store is an error, not a new database."""
    path = tmp_path / "none.sqlite"
    with pytest.raises(InputError, match=r"store sqlite://.* does not exist"):
        resolve_baseline(f"sqlite://{path}", "1")
    assert not path.exists()


@pytest.fixture(scope="module")
def mariadb_port():
    workdir = temp_workdir()
    process, port = start_mariadb(workdir)
    yield port
    process.terminate()
    process.wait(timeout=60)
    shutil.rmtree(workdir, ignore_errors=True)


def test_reading_a_missing_mysql_database_creates_it(mariadb_port: int):
    """The MySQL read path: a missing database is an error, and stays missing."""
    uri = f"mysql://root@127.0.0.1:{mariadb_port}/nothere"
    for _ in range(2):  # the second read proves the first created nothing
        run = _read(["history", "1"], uri)
        assert run.exit_code == 2, run.output
        assert "database 'nothere' does not exist, and reading never creates one" in run.stderr
    model_id = seed_training(open_store(uri)).model_id  # a writer creates it
    assert _read(["history", str(model_id)], uri).exit_code == 0


def test_an_unreachable_mlflow_store_is_one_line_not_minutes_of_retries(
    monkeypatch: pytest.MonkeyPatch,
):
    """MLflow's client retried a refused connection 7 times with backoff factor 2 (over four
    minutes here) and then printed INTERNAL_ERROR; now: fewer retries, and "unreachable"."""
    for name in ("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR"):
        monkeypatch.delenv(name, raising=False)
    store = f"mlflow+http://127.0.0.1:{free_port()}"  # nothing listens there
    run = _read(["history", "models:/fraud@champion"], store)
    assert run.exit_code == 1
    [line] = run.stderr.splitlines()
    assert line.startswith(f"error: lineage store {store} is unreachable: ")
    assert os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] == "3"
