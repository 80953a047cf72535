"""Benchmark: load_window on sink output whose replicas wrote the sides of calls apart.

Peak RSS and time of cutting one window out of the sink's output, sides paired, as the
single-task path's load_window does (`driftline.io.export.export_window`), against windows of
growing size. Peers measured in the same run, each in a fresh process:

- floor: reading the same files' columns with pyarrow (`dataset.to_table`), no pairing;
- whole: the whole-window read (`driftline.io.log_window.read_log_window`) written with
  `pq.write_table`, which is what load_window did before it streamed.

The output is synthetic but in the sink's layout and schema: `model=/date=/hour=` folders,
one file per replica per minute, 3 replicas behind round robin, so two calls in three have
their request and response in different files (written as halves) and one in three was
paired by the sink; responses 10-500 ms after their request.

    python bench/sink_window.py [--rows 250000,1000000,3000000]

Writes its table into bench/results/sink.md, after the marker line below.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "sink.md"
MARKER = "<!-- bench/sink_window.py writes below this line -->"
START = datetime(2026, 3, 1, tzinfo=UTC)
FEATURES = 6
SEED = 3


def write_output(out: Path, calls: int, seed: int = SEED) -> None:
    """`calls` calls over 2 hours from START in the sink's layout (see the module doc)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from driftline.inference_log.table import META_TYPES

    rng = np.random.default_rng(seed)
    span_us = 2 * 3600 * 10**6
    request = np.sort(rng.integers(0, span_us, calls)) + int(START.timestamp() * 1e6)
    response = request + rng.integers(10_000, 500_000, calls)
    ids = np.array([f"{i:012x}-{seed}" for i in range(calls)], dtype=object)
    replica_request = rng.integers(0, 3, calls)
    replica_response = rng.integers(0, 3, calls)
    whole = replica_request == replica_response
    features = rng.normal(0, 1, (FEATURES, calls))
    prediction = rng.random(calls)

    def side(mask: np.ndarray, kind: str) -> pa.Table:
        n = int(mask.sum())
        req = pa.array(request[mask], pa.int64()).cast(META_TYPES["request_time"])
        resp = pa.array(response[mask], pa.int64()).cast(META_TYPES["response_time"])
        nulls = pa.nulls(n, META_TYPES["request_time"])
        columns = {
            "event_id": pa.array(ids[mask], pa.string()),
            "row": pa.array(np.zeros(n, np.int32)),
            "model_name": pa.array(["bikes"] * n, pa.string()),
            "namespace": pa.array(["prod"] * n, pa.string()),
            "component": pa.array(["predictor"] * n, pa.string()),
            "endpoint": pa.array([""] * n, pa.string()),
            "timestamp": resp if kind == "response" else req,
            "request_time": nulls if kind == "response" else req,
            "response_time": nulls if kind == "request" else resp,
        }
        if kind != "response":
            columns.update({f"x{j}": pa.array(features[j][mask]) for j in range(FEATURES)})
        if kind != "request":
            columns["prediction"] = pa.array(prediction[mask])
        return pa.table(columns)

    pieces = {
        "whole": (side(whole, "whole"), replica_request[whole]),
        "request": (side(~whole, "request"), replica_request[~whole]),
        "response": (side(~whole, "response"), replica_response[~whole]),
    }
    for kind, (table, replicas) in pieces.items():
        minute = (table.column("timestamp").cast(pa.int64()).to_numpy() // 60_000_000) * 60_000_000
        keys = minute * 4 + replicas
        for key in np.unique(keys):
            part = table.filter(pa.array(keys == key))
            moment = datetime.fromtimestamp(int(key // 4) / 1e6, tz=UTC)
            folder = out / "model=bikes" / f"date={moment:%Y-%m-%d}" / f"hour={moment:%H}"
            folder.mkdir(parents=True, exist_ok=True)
            name = f"part-r{int(key % 4)}-{moment:%H%M}-{kind}.parquet"
            pq.write_table(part, folder / name, compression="zstd")


def measure(mode: str, out: str, target: str) -> dict[str, float]:
    """Run one mode in this (fresh) process; peak RSS in MB and seconds."""
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    end = START + timedelta(hours=2)
    started = time.perf_counter()
    if mode == "streamed":
        from driftline.io.export import export_window

        rows = export_window(out, target, timestamp_column="timestamp", window_end=end,
                             window_length="2h").rows  # fmt: skip
    elif mode == "whole":
        from driftline.io.log_window import read_log_window

        table = read_log_window(out, end - timedelta(hours=2), end).table
        pq.write_table(table, target)
        rows = table.num_rows
    else:
        rows = ds.dataset(out, format="parquet", partitioning="hive").to_table().num_rows
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rows": rows, "seconds": seconds, "peak_rss_mb": peak}


def run_mode(mode: str, out: Path, work: Path) -> dict[str, float]:
    here, target = str(Path(__file__).parent), str(work / f"{mode}.parquet")
    code = (
        f"import json, sys; sys.path.insert(0, {here!r}); import sink_window as b; "
        f"print(json.dumps(b.measure({mode!r}, {str(out)!r}, {target!r})))"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", default="250000,1000000,3000000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.rows.split(",")]
    load = os.getloadavg()
    results = []
    for calls in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-sink-window-") as tmp:
            work = Path(tmp)
            write_output(work / "out", calls)
            files = sum(1 for _ in (work / "out").rglob("*.parquet"))
            row = {"calls": calls, "files": files}
            for mode in ("floor", "whole", "streamed"):
                row[mode] = run_mode(mode, work / "out", work)
                print(calls, mode, row[mode], flush=True)
            assert row["streamed"]["rows"] == row["whole"]["rows"] == calls
            results.append(row)
    lines = [
        MARKER,
        "",
        "## load_window on sides written apart: peak RSS against window size",
        "",
        f"Run `python bench/sink_window.py --rows {args.rows}` on {datetime.now(UTC):%Y-%m-%d}.",
        f"Machine: {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; pyarrow {version('pyarrow')}; seed {SEED}.",
        f"Load average at start: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (shared cores).",
        "Window: 2 hours of sink output, 3 replicas (one file per replica per minute), two "
        f"calls in three written as halves, {FEATURES} feature columns and a prediction. "
        "Each mode ran in a fresh process.",
        "",
        "| calls in window | files | read the columns (floor): MB / s | whole-window read "
        "(before): MB / s | streamed pairing (load_window now): MB / s | streamed / floor RSS |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in results:
        floor, whole, streamed = row["floor"], row["whole"], row["streamed"]
        lines.append(
            f"| {row['calls']:,} | {row['files']:,} | {floor['peak_rss_mb']:,.0f} / "
            f"{floor['seconds']:.1f} | {whole['peak_rss_mb']:,.0f} / {whole['seconds']:.1f} | "
            f"{streamed['peak_rss_mb']:,.0f} / {streamed['seconds']:.1f} | "
            f"{streamed['peak_rss_mb'] / floor['peak_rss_mb']:.2f} |"
        )
    lines += [
        "",
        "The streamed path holds one record batch and one bucket of halves (at most "
        "200,000 halves, `DEFAULT_BUCKET_ROWS`) at a time; the halves wait in Arrow IPC files "
        "in a temporary folder, and the output is staged on local disk before it is written.",
    ]
    text = RESULTS.read_text() if RESULTS.exists() else ""
    kept = text.split(MARKER)[0].rstrip("\n")
    RESULTS.write_text(kept + "\n\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
