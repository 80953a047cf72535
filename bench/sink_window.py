"""Benchmark: load_window on sink output whose replicas wrote the sides of calls apart.

Peak RSS and time of cutting one window out of the sink's output, sides paired, as the
single-task path's load_window does (`driftline.io.export.export_window`), against windows of
growing size. Peers measured in the same run, each in a fresh process:

- floor: reading the same files' columns with pyarrow (`dataset.to_table`), no pairing;
- whole: the whole-window read (`driftline.io.log_window.read_log_window`) written with
  `pq.write_table`, which is what load_window did before it streamed;
- before (with `--before SRC`): the streamed path of another version of the library, its
  `src` folder first on PYTHONPATH (e.g. `git archive main src | tar -x -C /tmp/before`);
- fan-out: the same window as profile_partition and the merge run it, target
  `FAN_OUT_ROWS` rows per partition, each partition and the merge in a fresh process (one
  pod each): the peak of the biggest partition pod and of the merge pod.

The output is synthetic but in the sink's layout and schema: `model=/date=/hour=` folders,
one file per replica per minute, 3 replicas behind round robin, so two calls in three have
their request and response in different files (written as halves) and one in three was
paired by the sink; responses 10-500 ms after their request.

    python bench/sink_window.py [--rows 250000,1000000,3000000] [--before /tmp/before/src]

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
from typing import Any

RESULTS = Path(__file__).parent / "results" / "sink.md"
MARKER = "<!-- bench/sink_window.py writes below this line -->"
START = datetime(2026, 3, 1, tzinfo=UTC)
FEATURES = 6
SEED = 3
FAN_OUT_ROWS = 250_000


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


def _peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(mode: str, out: str, target: str) -> dict[str, float]:
    """Run one mode in this (fresh) process; peak RSS in MB and seconds."""
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    end = START + timedelta(hours=2)
    started = time.perf_counter()
    if mode == "streamed":  # also "before", run with another version's src on PYTHONPATH
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
    return {"rows": rows, "seconds": seconds, "peak_rss_mb": _peak_rss_mb()}


def measure_part(plan: str, index: int, work: str) -> dict[str, float]:
    """Profile partition `index` of the plan saved at `plan` as profile_partition does (its
    leftover halves to `work`), or the merge (index -1) of all partitions' leftovers."""
    from driftline.io.partitions import Partition
    from driftline.profile.dataset import DatasetProfile
    from driftline.profile.paired import profile_leftovers, profile_paired_partition

    end = START + timedelta(hours=2)
    parts = [Partition.from_dict(p) for p in json.loads(Path(plan).read_text())]
    started = time.perf_counter()
    if index >= 0:
        made = profile_paired_partition(
            parts[index], Path(work) / f"left-{index}.parquet", start=end - timedelta(hours=2),
            end=end, columns=[*(f"x{j}" for j in range(FEATURES)), "prediction"],
        )  # fmt: skip
        made.profile.save(Path(work) / f"profile-{index}.json")
        rows = made.profile.row_count
    else:
        like = DatasetProfile.load(Path(work) / "profile-0.json")
        leftovers = [Path(work) / f"left-{i}.parquet" for i in range(len(parts))]
        profile, _ = profile_leftovers(leftovers, like, start=end - timedelta(hours=2), end=end)
        rows = profile.row_count
    seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": seconds, "peak_rss_mb": _peak_rss_mb()}


def _fresh(call: str, before: str | None = None) -> dict[str, float]:
    """Run `call` (an expression of this module, `b`) in a fresh process; its JSON result."""
    here = str(Path(__file__).parent)
    code = f"import json, sys; sys.path.insert(0, {here!r}); import sink_window as b; " + (
        f"print(json.dumps({call}))"
    )
    env = dict(os.environ, PYTHONPATH=before) if before else None
    done = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run_mode(mode: str, out: Path, work: Path, before: str | None = None) -> dict[str, float]:
    target = str(work / f"{mode}.parquet")
    if mode == "before":  # the streamed path of the other version
        return _fresh(f"b.measure('streamed', {str(out)!r}, {target!r})", before)
    return _fresh(f"b.measure({mode!r}, {str(out)!r}, {target!r})")


def run_fan_out(out: Path, work: Path) -> dict[str, float]:
    """Plan the window's partitions, run each and the merge in a fresh process: the peak RSS
    of the biggest partition pod and of the merge pod, and the seconds of all of them."""
    from driftline.io.partitions import plan_partitions

    end = START + timedelta(hours=2)
    plan = plan_partitions(
        str(out), target_rows=FAN_OUT_ROWS, timestamp_column="timestamp",
        start=end - timedelta(hours=2), end=end,
    )  # fmt: skip
    saved = work / "plan.json"
    saved.write_text(json.dumps([p.to_dict() for p in plan.partitions]))
    parts = [
        _fresh(f"b.measure_part({str(saved)!r}, {p.index}, {str(work)!r})") for p in plan.partitions
    ]
    merge = _fresh(f"b.measure_part({str(saved)!r}, -1, {str(work)!r})")
    return {
        "partitions": len(parts),
        "rows": sum(p["rows"] for p in parts) + merge["rows"],
        "pod_peak_rss_mb": max(p["peak_rss_mb"] for p in parts),
        "merge_peak_rss_mb": merge["peak_rss_mb"],
        "seconds": sum(p["seconds"] for p in parts) + merge["seconds"],
    }


def _cell(result: dict[str, float]) -> str:
    return f"{result['peak_rss_mb']:,.0f} / {result['seconds']:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", default="250000,1000000,3000000")
    parser.add_argument("--before", help="`src` folder of the version to compare with")
    parser.add_argument("--before-name", default="another version", help="what `--before` is")
    args = parser.parse_args()
    sizes = [int(s) for s in args.rows.split(",")]
    modes = ["floor", "whole", *(["before"] if args.before else []), "streamed"]
    load = os.getloadavg()
    results = []
    for calls in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-sink-window-") as tmp:
            work = Path(tmp)
            write_output(work / "out", calls)
            files = sum(1 for _ in (work / "out").rglob("*.parquet"))
            row: dict[str, Any] = {"calls": calls, "files": files}
            for mode in modes:
                row[mode] = run_mode(mode, work / "out", work, args.before)
                print(calls, mode, row[mode], flush=True)
            (work / "fan").mkdir()
            row["fan"] = run_fan_out(work / "out", work / "fan")
            print(calls, "fan-out", row["fan"], flush=True)
            assert all(row[m]["rows"] == calls for m in modes if m != "floor")
            assert row["fan"]["rows"] == calls
            results.append(row)
    end = datetime.now(UTC)
    before = " --before SRC" if args.before else ""
    lines = [
        MARKER,
        "",
        "## load_window on sides written apart: peak RSS against window size",
        "",
        f"Run `python bench/sink_window.py --rows {args.rows}{before}` on {end:%Y-%m-%d}.",
        f"Machine: {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; pyarrow {version('pyarrow')}; seed {SEED}.",
        f"Load average at start: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (shared cores).",
        *([f"Before: the streamed path of {args.before_name}."] if args.before else []),
        "Window: 2 hours of sink output, 3 replicas (one file per replica per minute), two "
        f"calls in three written as halves, {FEATURES} feature columns and a prediction. "
        "Each mode ran in a fresh process; peak RSS is VmHWM, in MB.",
        "",
        "| calls in window | files | read the columns (floor): MB / s | whole-window read: "
        "MB / s |"
        + (" streamed pairing before: MB / s |" if args.before else "")
        + " streamed pairing (load_window): MB / s | streamed / floor RSS |",
        "| ---: | ---: | ---: | ---: |" + (" ---: |" if args.before else "") + " ---: | ---: |",
    ]
    for row in results:
        cells = [f"{row['calls']:,}", f"{row['files']:,}"]
        cells += [_cell(row[m]) for m in modes]
        cells.append(f"{row['streamed']['peak_rss_mb'] / row['floor']['peak_rss_mb']:.2f}")
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        f"The same windows fanned out (`profile_partition` per partition of about "
        f"{FAN_OUT_ROWS:,} rows, then the merge of their `unpaired` halves), each pod a fresh "
        "process:",
        "",
        "| calls in window | partitions | biggest partition pod: MB | merge pod: MB | "
        "all pods: s |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in results:
        fan = row["fan"]
        lines.append(
            f"| {row['calls']:,} | {fan['partitions']} | {fan['pod_peak_rss_mb']:,.0f} | "
            f"{fan['merge_peak_rss_mb']:,.0f} | {fan['seconds']:.1f} |"
        )
    lines += [
        "",
        "The streamed path holds one record batch, the halves waiting to go to their buckets "
        "(at most `DEFAULT_BUCKET_ROWS`, 100,000) and one bucket being paired (at most as "
        "many halves: a bigger bucket is split again); the buckets and the paired calls wait "
        "in Arrow IPC files on local disk, read back one batch at a time. So its peak RSS is "
        "a constant, not a share of the window. A partition pod pairs the same way over its "
        "partition; the merge pod pairs the leftovers, which grow with the number of cuts, "
        "not with the window, and are capped by the same buckets.",
    ]
    text = RESULTS.read_text() if RESULTS.exists() else ""
    kept = text.split(MARKER)[0].rstrip("\n")
    RESULTS.write_text(kept + "\n\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
