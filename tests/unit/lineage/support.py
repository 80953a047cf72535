"""Helpers shared by the lineage tests: report documents, KFP-shaped seeding, servers."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]
MODEL_URI = "minio://mlpipeline/v2/artifacts/bike-train/run-{n}/train-model/0b6c/model"
DATA_URI = "minio://mlpipeline/data/bike/hour-{n}.csv"


def drift_report(
    share: float = 0.25, drifted: int | None = None, columns: int | None = None
) -> dict[str, Any]:
    """A drift report document whose columns give `share` (and `drifted` of `columns`)."""
    if columns is None:
        columns = next(n for n in (4, 10, 20, 100) if abs(share * n - round(share * n)) < 1e-9)
    drifted = round(share * columns) if drifted is None else drifted
    assert abs(drifted / columns - share) < 1e-9, "share must be drifted / columns"
    return {
        "schema_version": "1.0",
        "kind": "drift",
        "drift_detected": share >= 0.5,
        "drift_share": share,
        "drift_share_threshold": 0.5,
        "number_of_columns": columns,
        "number_of_drifted_columns": drifted,
        "mode": "exact",
        "reference_rows": 100,
        "current_rows": 50,
        "prediction": None,
        "columns": [
            {
                "name": f"x{i}",
                "kind": "numeric",
                "method": "psi",
                "score": 0.5 if i < drifted else 0.01,
                "threshold": 0.1,
                "drift_detected": i < drifted,
                "direction": "distance",
                "reference": {},
                "current": {},
            }
            for i in range(columns)
        ],
    }


def validation_report(status: str = "ok", errors: int = 0, warnings: int = 0) -> dict[str, Any]:
    """A validation report document with `errors` and `warnings` violations."""

    def violation(severity: str) -> dict[str, Any]:
        return {
            "column": "temp",
            "check": "range",
            "severity": severity,
            "message": "out of range",
            "observed": {"min": 0.0, "max": 1.2},
            "expected": {"min": 0.0, "max": 1.0},
        }

    assert status == ("fail" if errors else "warning" if warnings else "ok")
    return {
        "schema_version": "1.0",
        "kind": "validation",
        "status": status,
        "rows": 50,
        "violations": [violation("error")] * errors + [violation("warning")] * warnings,
        "counts": {"error": errors, "warning": warnings},
    }


def performance_report(degraded: bool = False, rmse: float = 41.0) -> dict[str, Any]:
    return {
        "schema_version": "1.0",
        "kind": "performance",
        "task": "regression",
        "windows": [
            {
                "start": "2012-01-01T00:00:00",
                "end": "2012-01-08T00:00:00",
                "rows": 168,
                "labelled_rows": 168,
                "label_coverage": 1.0,
                "sufficient": True,
                "status": "ok",
                "metrics": {"rmse": rmse},
                "degraded": degraded,
            }
        ],
        "baseline": {"rmse": 40.0},
        "degraded": degraded,
    }


def profile_document(rows: int = 1000) -> dict[str, Any]:
    return {
        "schema_version": "1.0",
        "kind": "profile",
        "row_count": rows,
        "columns": [{"name": "temp"}, {"name": "hum"}],
    }


def write_json(path: Path, document: dict[str, Any]) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))
    return str(path)


def seed_training(store: Any, n: int = 1, **kwargs: Any) -> Any:
    """One KFP-shaped training run (dataset -> train-model -> model + metrics)."""
    from driftline.lineage.mlmd.kfp_records import record_training_run

    return record_training_run(
        store,
        kwargs.pop("dataset_uri", DATA_URI.format(n=n)),
        kwargs.pop("model_uri", MODEL_URI.format(n=n)),
        kwargs.pop("metrics", {"rmse": 40.0, "r2": 0.81}),
        kwargs.pop("pipeline_name", "bike-train"),
        kwargs.pop("run_id", f"run-{n}"),
        **kwargs,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_grpc_server(db_path: str, workdir: str) -> tuple[subprocess.Popen[bytes], int]:
    """Start tests.unit.lineage.grpc_server on a free loopback port; returns (process, port)."""
    port_file = os.path.join(workdir, "port")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.unit.lineage.grpc_server", db_path, port_file],
        cwd=REPO,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while not os.path.exists(port_file):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("the MLMD gRPC test server did not start")
        time.sleep(0.05)
    return process, int(Path(port_file).read_text())


def mariadb_binaries() -> tuple[str, str]:
    """(server, install_db) binaries; raises (never skips) when MariaDB is not installed."""
    server = shutil.which("mariadbd") or shutil.which("mysqld") or "/usr/sbin/mariadbd"
    install = shutil.which("mariadb-install-db") or shutil.which("mysql_install_db")
    if not os.path.exists(server) or not install:
        raise RuntimeError(
            "MariaDB is not installed: apt-get install mariadb-server (make test-env)"
        )
    return server, install


def start_mariadb(workdir: str) -> tuple[subprocess.Popen[bytes], int]:
    """A throwaway MariaDB on a free loopback port with a temp datadir; root, no password."""
    server, install = mariadb_binaries()
    datadir = os.path.join(workdir, "data")
    user = ["--user=root"] if os.geteuid() == 0 else []
    subprocess.run(
        [
            install,
            f"--datadir={datadir}",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
            *user,
        ],
        check=True,
        capture_output=True,
    )
    port = free_port()
    sock = os.path.join(workdir, "mysqld.sock")
    process = subprocess.Popen(
        [
            server,
            "--no-defaults",
            f"--datadir={datadir}",
            f"--port={port}",
            "--bind-address=127.0.0.1",
            f"--socket={sock}",
            f"--pid-file={workdir}/mysqld.pid",
            "--innodb-buffer-pool-size=32M",
            "--skip-log-bin",
            *user,
        ],
        stdout=subprocess.DEVNULL,
        stderr=open(os.path.join(workdir, "err.log"), "wb"),  # noqa: SIM115 (closed with the process)
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                log = Path(workdir, "err.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"MariaDB did not start: {log}") from None
            time.sleep(0.1)
    return process, port


def temp_workdir() -> str:
    return tempfile.mkdtemp(prefix="driftline-lineage-")
