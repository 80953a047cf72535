"""Benchmark: what the storage layer costs against the plain calls it replaces.

- writes: `storage.write_text` (temporary file, fsync, rename) against `Path.write_text`;
  a report pair with `storage.write_together` against two `Path.write_text`; a window with
  `storage.atomic_output` + `pq.write_table` against `pq.write_table` on the target;
- object store (a local moto_server, so only the client side differs): `storage.read_bytes`
  against boto3's `get_object`, and opening a 400-file Hive folder with
  `driftline.io.open_dataset` (one listing, then the listed files) against
  `pyarrow.dataset.dataset` (its own discovery).

    .venv/bin/python bench/storage.py [--repeat 7]     # writes bench/results/storage.md
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from driftline import __version__, storage
from driftline.io import open_dataset

RESULTS = Path(__file__).parent / "results" / "storage.md"


def timed(action: Callable[[], object], repeat: int) -> float:
    """Median seconds of `repeat` runs after one warm-up."""
    action()
    runs = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        runs.append(time.perf_counter() - began)
    return statistics.median(runs)


def local_rows(work: Path, repeat: int) -> list[tuple[str, str, float, float]]:
    report = "x" * 50_000
    html = "<p>" + "y" * 200_000 + "</p>"
    table = pa.table({f"f{i}": np.random.default_rng(i).normal(size=1_000_000) for i in range(4)})

    def window_storage() -> None:
        with storage.atomic_output(work / "w.parquet") as tmp:
            pq.write_table(table, tmp)

    pairs = [
        (
            "report JSON, 50 kB",
            lambda: storage.write_text(work / "r.json", report),
            lambda: (work / "r.json").write_text(report),
        ),
        (
            "report pair, 50 kB + 200 kB",
            lambda: storage.write_together({work / "p.json": report, work / "p.html": html}),
            lambda: ((work / "p.json").write_text(report), (work / "p.html").write_text(html)),
        ),
        (
            "window Parquet, 1M rows x 4",
            window_storage,
            lambda: pq.write_table(table, work / "w.parquet"),
        ),
    ]
    return [(name, "local", timed(ours, repeat), timed(peer, repeat)) for name, ours, peer in pairs]


def object_store_rows(repeat: int) -> list[tuple[str, str, float, float]]:
    import boto3

    from tests.object_store import CREDENTIALS, free_port, running, server_binary

    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    os.environ.update(CREDENTIALS)
    os.environ["MINIO_ENDPOINT"] = f"127.0.0.1:{port}"
    binary = server_binary("moto_server", "pip install 'moto[s3]'")
    log = Path(tempfile.mkdtemp()) / "moto.log"
    with running([str(binary), "-H", "127.0.0.1", "-p", str(port)], f"{endpoint}/moto-api/", log):
        client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
        client.create_bucket(Bucket="bench")
        blob = os.urandom(1 << 20)
        client.put_object(Bucket="bench", Key="blob", Body=blob)
        for hour in range(400):
            buffer = io.BytesIO()
            pq.write_table(pa.table({"x": [float(hour)] * 100}), buffer)
            key = f"logs/date=2024-01-{1 + hour // 24:02d}/hour={hour % 24:02d}/part-0.parquet"
            client.put_object(Bucket="bench", Key=key, Body=buffer.getvalue())
        filesystem, path = storage.resolve("minio://bench/logs")

        def peer_dataset() -> int:
            return int(ds.dataset(path, filesystem=filesystem, partitioning="hive").count_rows())

        rows = [
            (
                "read 1 MiB object",
                lambda: storage.read_bytes("minio://bench/blob"),
                lambda: client.get_object(Bucket="bench", Key="blob")["Body"].read(),
            ),
            (
                "open + count a 400-file Hive folder",
                lambda: open_dataset("minio://bench/logs").count_rows(),
                peer_dataset,
            ),
        ]
        assert open_dataset("minio://bench/logs").count_rows() == peer_dataset() == 40_000
        return [(name, "moto_server", timed(a, repeat), timed(b, repeat)) for name, a, b in rows]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as work:  # the disk, not tmpfs
        rows = local_rows(Path(work), args.repeat)
    rows += object_store_rows(args.repeat)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        "# Storage benchmark: the storage layer against the plain calls it replaces",
        "",
        f"- median of {args.repeat} runs after a warm-up, in one process; local files on the "
        "working tree's disk; the object store is a local moto_server, so only the client side "
        "differs",
        "- peers: `Path.write_text`, `pq.write_table` on the target (neither is atomic nor "
        "fsynced), boto3 `get_object`, `pyarrow.dataset.dataset` discovery",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores (shared: load average {load} "
        f"when the run ended); Python {platform.python_version()}, pyarrow {pa.__version__}, "
        f"driftline {__version__}",
        "",
        "| operation | where | driftline s | peer s | time ratio vs peer |",
        "|---|---|---:|---:|---:|",
    ]
    lines += [f"| {n} | {w} | {a:.4f} | {b:.4f} | {a / b:.2f} |" for n, w, a, b in rows]
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
