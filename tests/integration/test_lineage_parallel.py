"""Concurrent writers (separate processes) on SQLite and on a real MariaDB: nothing lost,
nothing duplicated, retries of the same task collapse into one record."""

from __future__ import annotations

import multiprocessing
import shutil
from pathlib import Path

import pytest

from driftline.lineage import open_store, record_monitoring_result
from tests.unit.lineage.support import (
    drift_report,
    seed_training,
    start_mariadb,
    temp_workdir,
    validation_report,
    write_json,
)

pytestmark = pytest.mark.integration
WORKERS = 4
RUNS_PER_WORKER = 5


def _writer(args: tuple[str, int, str, int]) -> list[int]:
    uri, model_id, folder, worker = args
    store = open_store(uri)
    reports = [
        write_json(Path(folder, f"w{worker}", "drift.json"), drift_report(0.1 * worker)),
        write_json(Path(folder, f"w{worker}", "validation.json"), validation_report()),
    ]
    ids = []
    for run in range(RUNS_PER_WORKER):
        # Workers 0/1 and 2/3 write the same (run, task) pairs: simulated concurrent retries.
        run_id = f"mon-{worker // 2}-{run}"
        ids.append(record_monitoring_result(store, model_id, reports, run_id=run_id, task="record"))
    return ids


def _check_parallel(uri: str, folder: Path) -> None:
    store = open_store(uri)
    model_id = seed_training(store).model_id
    context = multiprocessing.get_context("spawn")
    with context.Pool(WORKERS) as pool:
        results = pool.map(_writer, [(uri, model_id, str(folder), w) for w in range(WORKERS)])
    assert results[0] == results[1] and results[2] == results[3]  # retries got the same ids
    history = store.history(model_id)
    expected = {f"mon-{w // 2}-{r}" for w in range(WORKERS) for r in range(RUNS_PER_WORKER)}
    assert sorted(h.run_id for h in history) == sorted(expected)  # none lost, none twice
    mlmd = store.mlmd
    executions = [h.execution_id for h in history]
    events = mlmd.get_events_by_execution_ids(executions)
    assert len(events) == len(executions) * 3  # model INPUT + two report OUTPUTs each
    reports = mlmd.get_artifacts_by_type("driftline.DriftReport")
    assert len(reports) == len(expected)
    contexts = mlmd.get_contexts_by_type("driftline.MonitoredModel")
    assert len(contexts) == 1


def test_parallel_writers_sqlite(tmp_path: Path):
    _check_parallel(f"sqlite://{tmp_path}/mlmd.sqlite", tmp_path)


@pytest.fixture(scope="module")
def mariadb_port():
    workdir = temp_workdir()
    process, port = start_mariadb(workdir)
    yield port
    process.terminate()
    process.wait(timeout=60)
    shutil.rmtree(workdir, ignore_errors=True)


def test_parallel_writers_mariadb(mariadb_port: int, tmp_path: Path):
    _check_parallel(f"mysql://root@127.0.0.1:{mariadb_port}/parallel", tmp_path)


def test_mariadb_resolve_and_history(mariadb_port: int, tmp_path: Path):
    uri = f"mysql://root@127.0.0.1:{mariadb_port}/resolve"
    store = open_store(uri)
    run = seed_training(store, dataset_uri={"train": "s3://b/t.csv", "eval": "s3://b/e.csv"})
    lineage = store.resolve(run.model_id, dataset_name="train")
    assert lineage.dataset is not None and lineage.dataset.uri == "s3://b/t.csv"
    assert lineage.metrics == {"rmse": 40.0, "r2": 0.81}
    report = write_json(tmp_path / "drift.json", drift_report(0.75, 3))
    first = record_monitoring_result(store, run.model_id, [report], run_id="m", task="t")
    assert record_monitoring_result(uri, run.model_id, [report], run_id="m", task="t") == first
    [record] = open_store(uri).history(run.model_id)
    assert record.drift_share == 0.75 and record.drifted_columns == 3
