"""Benchmark: scan a time window of a multi-million-row Parquet file.

driftline's `iter_batches` (projection + time window) against a plain `pyarrow.dataset`
scan of the same columns with the same filter, and `read_table` (materialised) against
`pyarrow.parquet.read_table`. Each run is its own process, so peak RSS is that run's alone.

    .venv/bin/python bench/io.py [--rows 5000000] [--repeat 3]   # writes bench/results/io.md
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

FIRST = datetime(2024, 1, 1)
COLUMNS = ["f0", "f1", "segment"]
CHUNK = 500_000


def generate(path: Path, rows: int) -> None:
    """`rows` rows, one per second from FIRST (naive = UTC), 8 float features, a category."""
    rng = np.random.default_rng(0)
    schema = pa.schema(
        [("ts", pa.timestamp("us"))]
        + [(f"f{i}", pa.float64()) for i in range(8)]
        + [("segment", pa.string())]
    )
    segments = np.array(["a", "b", "c", "d", "e"])
    with pq.ParquetWriter(path, schema) as writer:
        for offset in range(0, rows, CHUNK):
            n = min(CHUNK, rows - offset)
            seconds = np.arange(offset, offset + n, dtype="int64") * 1_000_000
            start_us = int((FIRST - datetime(1970, 1, 1)).total_seconds()) * 1_000_000
            columns = [pa.array(seconds + start_us, pa.timestamp("us"))]
            columns += [pa.array(rng.normal(size=n)) for _ in range(8)]
            columns.append(pa.array(segments[rng.integers(0, 5, size=n)]))
            writer.write_table(pa.Table.from_arrays(columns, schema=schema), row_group_size=CHUNK)


def window(rows: int) -> tuple[datetime, datetime]:
    """The rows from 40% to 80% of the time range."""
    return FIRST + timedelta(seconds=int(rows * 0.4)), FIRST + timedelta(seconds=int(rows * 0.8))


def run_one(method: str, path: str, rows: int) -> dict[str, float]:
    """Run one method twice in this process (the first warms the page cache and arrow's
    thread pools); return the second run's rows, checksum and seconds, and the peaks."""
    first = _scan(method, path, rows)
    second = _scan(method, path, rows)
    if (first["rows"], first["checksum"]) != (second["rows"], second["checksum"]):
        raise SystemExit(f"{method} is not deterministic")
    second["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    second["arrow_peak_mib"] = pa.default_memory_pool().max_memory() / 2**20
    return second


def _scan(method: str, path: str, rows: int) -> dict[str, float]:
    import driftline.io  # both sides pay the same imports: RSS compares the scans  # noqa: F401

    start, end = window(rows)
    if method.endswith(WHOLE):
        method = method.removesuffix(WHOLE)
        start, end = FIRST, FIRST + timedelta(seconds=rows)
    began = time.perf_counter()
    if method == "driftline.iter_batches":
        from driftline.io import iter_batches

        batches = iter_batches(path, columns=COLUMNS, timestamp_column="ts", start=start, end=end)
        count, total = 0, 0.0
        for batch in batches:
            count += batch.num_rows
            total += float(pa.compute.sum(batch.column("f0")).as_py() or 0.0)
    elif method == "pyarrow.dataset.to_batches":
        dataset = ds.dataset(path, format="parquet")
        expr = (ds.field("ts") >= pa.scalar(start, pa.timestamp("us"))) & (
            ds.field("ts") < pa.scalar(end, pa.timestamp("us"))
        )
        count, total = 0, 0.0
        for batch in dataset.to_batches(columns=COLUMNS, filter=expr):
            count += batch.num_rows
            total += float(pa.compute.sum(batch.column("f0")).as_py() or 0.0)
    elif method == "driftline.read_table":
        from driftline.io import read_table

        table = read_table(path, columns=COLUMNS, timestamp_column="ts", start=start, end=end)
        count, total = table.num_rows, float(pa.compute.sum(table.column("f0")).as_py())
    elif method == "pyarrow.parquet.read_table":
        table = pq.read_table(
            path, columns=COLUMNS, filters=[("ts", ">=", start), ("ts", "<", end)]
        )
        count, total = table.num_rows, float(pa.compute.sum(table.column("f0")).as_py())
    else:
        raise SystemExit(f"unknown method {method}")
    seconds = time.perf_counter() - began
    return {"rows": count, "checksum": round(total, 6), "seconds": seconds}


WHOLE = " (all rows)"
METHODS = [
    ("driftline.iter_batches", "pyarrow.dataset.to_batches"),
    ("driftline.read_table", "pyarrow.parquet.read_table"),
    # streaming vs materialising every row: memory stays bounded by batches, not rows
    ("driftline.iter_batches" + WHOLE, "driftline.read_table" + WHOLE),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=8_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "io.md"))
    args = parser.parse_args()
    if args.run:
        print(json.dumps(run_one(args.run, args.path, args.rows)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.parquet"
        began = time.perf_counter()
        generate(path, args.rows)
        print(f"generated {args.rows:,} rows in {time.perf_counter() - began:.1f}s", flush=True)
        results: dict[str, list[dict[str, float]]] = {}
        for _ in range(args.repeat):  # interleaved, so drift in machine load hits both sides
            for pair in METHODS:
                for method in pair:
                    out = subprocess.run(
                        [
                            sys.executable,
                            __file__,
                            "--run",
                            method,
                            "--path",
                            str(path),
                            "--rows",
                            str(args.rows),
                        ],
                        check=True,
                        capture_output=True,
                        text=True,
                    ).stdout
                    results.setdefault(method, []).append(json.loads(out))
        size_mib = path.stat().st_size / 2**20
    report = render(results, args.rows, size_mib, args.repeat)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(report)
    print(report)


def render(results: dict[str, list[dict[str, float]]], rows: int, size: float, n: int) -> str:
    import driftline

    lines = [
        "# IO benchmark: scanning a Parquet time window",
        "",
        f"- data: {rows:,} rows (timestamp, 8 float64, 1 string), one Parquet file of "
        f"{size:.0f} MiB, row groups of {CHUNK:,} rows, sorted by time",
        f"- query: columns {', '.join(COLUMNS)}; window = the 40% of rows from 40% to 80% of the "
        "time range (pushed down to row groups); iter_batches consumes batch by batch, "
        "read_table materialises the window",
        f"- each run a fresh process scanning twice (the first warms page cache and thread "
        f"pools; the second is timed); median of {n} runs; peak RSS = the process's max RSS "
        "(interpreter and the same imports on both sides, ~240 MiB); Arrow peak = the Arrow "
        "memory pool's high-water mark (the data held at once)",
        f"- machine: {platform.machine()}, {platform.processor() or 'unknown cpu'}, "
        f"{_cores()} cores (shared: load average {_load()} when the run ended); Python "
        f"{platform.python_version()}, pyarrow {pa.__version__}, numpy {np.__version__}, "
        f"driftline {driftline.__version__}",
        "",
        "| method | rows | seconds | peak RSS MiB | Arrow peak MiB | time ratio vs peer "
        "| Arrow peak ratio vs peer |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for ours, peer in METHODS:
        for method in (ours, peer):
            runs = results[method]
            seconds = statistics.median(r["seconds"] for r in runs)
            rss = statistics.median(r["peak_mib"] for r in runs)
            peer_runs = results[peer]
            t_ratio = seconds / statistics.median(r["seconds"] for r in peer_runs)
            growth = statistics.median(r["arrow_peak_mib"] for r in runs)
            m_ratio = growth / max(statistics.median(r["arrow_peak_mib"] for r in peer_runs), 1e-9)
            lines.append(
                f"| {method} | {int(runs[0]['rows']):,} | {seconds:.2f} | {rss:.0f} | "
                f"{growth:.0f} | {t_ratio:.2f} | {m_ratio:.2f} |"
            )
        same = {r["checksum"] for r in results[ours]} == {r["checksum"] for r in results[peer]}
        if not same or results[ours][0]["rows"] != results[peer][0]["rows"]:
            lines.append(f"| **{ours} and {peer} disagree on the result** | | | | | | |")
    return "\n".join(lines) + "\n"


def _load() -> str:
    import os

    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def _cores() -> int:
    import os

    return os.cpu_count() or 0


if __name__ == "__main__":
    main()
