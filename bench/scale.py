"""Benchmark: one monitoring window, by one pod in profile mode and fanned out over partitions.

The window is written once, as the log sink writes it (Hive folders `model=/date=/hour=`, one
folder per partition), to a temporary folder; its disk use is reported. Then, each in a fresh
process:

- one pod: profile the whole window in one streaming pass, then validate it and check drift
  against a baseline profile (what the single-task path does);
- fan-out: plan the partitions, profile them in N worker processes (each pinned to one CPU, a
  1-CPU pod), merge, validate and check drift. N = 1 is the peer of the speed-up.

Writes bench/results/scale.md. Usage: python bench/scale.py [--rows N] [--partitions P]
(default 100M rows as 100 partitions).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

RESULTS = Path(__file__).parent / "results" / "scale.md"
START = datetime(2026, 3, 1, tzinfo=UTC)
NUMERIC, CATEGORICAL = 8, 2
ROW_GROUP = 250_000
SEED = 0


def hour_table(rows: int, hour: int, rng: np.random.Generator, shift: float) -> pa.Table:
    """Rows of one hour: a timestamp, 8 numeric and 2 categorical features, a prediction."""
    seconds = np.sort(rng.integers(0, 3_600_000_000, rows))
    base = int((START + timedelta(hours=hour)).timestamp() * 1_000_000)
    columns: dict[str, pa.Array] = {
        "timestamp": pa.array(base + seconds, pa.int64()).cast(pa.timestamp("us", tz="UTC"))
    }
    for i in range(NUMERIC):
        values = rng.lognormal(i % 3, 1.0, rows) if i % 2 else rng.normal(i + shift, 3.0, rows)
        columns[f"num{i}"] = pa.array(values, mask=rng.random(rows) < 0.01)
    for i, distinct in enumerate((20, 2_000)):
        codes = pa.array(rng.zipf(1.3, rows) % distinct)
        columns[f"cat{i}"] = pc.binary_join_element_wise("v", codes.cast(pa.string()), "")
    columns["prediction"] = pa.array(rng.random(rows) + shift / 10)
    return pa.table(columns)


def write_window(root: Path, rows: int, partitions: int, shift: float, seed: int) -> None:
    """`partitions` hour folders of `rows / partitions` rows each, written in 1M-row chunks."""
    rng = np.random.default_rng(seed)
    per_folder = rows // partitions
    for hour in range(partitions):
        moment = START + timedelta(hours=hour)
        folder = root / "model=bench" / f"date={moment:%Y-%m-%d}" / f"hour={moment:%H}"
        folder.mkdir(parents=True, exist_ok=True)
        with pq.ParquetWriter(folder / "part-0.parquet", hour_table(1, 0, rng, shift).schema) as w:
            for offset in range(0, per_folder, 1_000_000):
                n = min(1_000_000, per_folder - offset)
                w.write_table(hour_table(n, hour, rng, shift), row_group_size=ROW_GROUP)


def disk_use(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


# ---- measured in child processes -------------------------------------------------------


def _window(partitions: int) -> tuple[datetime, datetime]:
    return START, START + timedelta(hours=partitions)


def _checks(baseline: str, window_profile: str, out: Path) -> dict[str, Any]:
    from driftline.drift.run import run_drift
    from driftline.report import ReportPaths
    from driftline.validation.run import run_validation

    validation = run_validation(
        baseline, window_profile, ReportPaths(json=out / "v.json", html=out / "v.html")
    )
    drift = run_drift(current=window_profile, out_dir=out / "drift", reference_profile=baseline)
    return {"validation": validation.status, "drifted": drift.drift_share}


def _kinds(baseline: str, source: str) -> dict[str, Any]:
    from driftline.io import open_dataset
    from driftline.profile import DatasetProfile
    from driftline.validation.constraints import infer_constraints
    from driftline.validation.run import window_kinds

    profile = DatasetProfile.load(baseline)
    return window_kinds(infer_constraints(profile), open_dataset(source).schema)


def one_pod(source: str, baseline: str, partitions: int, out: str) -> dict[str, Any]:
    """Profile mode in one process: one streaming pass over the window, then the checks."""
    from driftline.profile import DatasetProfile, profile_source

    started = time.perf_counter()
    options = vars(DatasetProfile.load(baseline).options)
    start, end = _window(partitions)
    profile = profile_source(
        source,
        kinds=_kinds(baseline, source),
        timestamp_column="timestamp",
        start=start,
        end=end,
        **options,
    )
    profiled = time.perf_counter()
    path = Path(out) / "window_profile.json"
    profile.save(path)
    verdicts = _checks(baseline, str(path), Path(out))
    return {
        "rows": profile.row_count,
        "profile_s": profiled - started,
        "total_s": time.perf_counter() - started,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        **verdicts,
    }


def _pin(counter: Any) -> None:
    with counter.get_lock():
        core = counter.value
        counter.value += 1
    cores = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cores[core % len(cores)]})


def _profile_one(item: tuple[dict[str, Any], str, dict[str, Any], str]) -> dict[str, Any]:
    from driftline.io.partitions import Partition
    from driftline.profile import DatasetProfile
    from driftline.profile.partitioned import profile_partition

    partition, baseline, kinds, out = item
    start, end = START, datetime.fromisoformat(partition["window_end"])
    options = vars(DatasetProfile.load(baseline).options)
    part = Partition.from_dict(partition)
    began = time.perf_counter()
    profile = profile_partition(
        part, kinds=kinds, timestamp_column="timestamp", start=start, end=end, **options
    )
    path = Path(out) / f"part-{part.index}.json"
    profile.save(path)
    return {
        "path": str(path),
        "seconds": time.perf_counter() - began,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def fan_out(source: str, baseline: str, partitions: int, out: str, workers: int) -> dict[str, Any]:
    """Plan, profile the partitions in `workers` 1-CPU processes, merge, check."""
    import multiprocessing

    from driftline.io.partitions import plan_partitions
    from driftline.profile import DatasetProfile
    from driftline.profile.partitioned import merge_all

    began = time.perf_counter()
    start, end = _window(partitions)
    plan = plan_partitions(
        source,
        target_rows=_per_folder(source),
        timestamp_column="timestamp",
        start=start,
        end=end,
    )
    planned = time.perf_counter()
    kinds = _kinds(baseline, source)
    items = [
        ({**p.to_dict(), "window_end": end.isoformat()}, baseline, kinds, out)
        for p in plan.partitions
    ]
    counter = multiprocessing.Value("i", 0)
    with ProcessPoolExecutor(workers, initializer=_pin, initargs=(counter,)) as pool:
        parts = list(pool.map(_profile_one, items))
    profiled = time.perf_counter()
    merged = merge_all(DatasetProfile.load(p["path"]) for p in parts)
    path = Path(out) / "window_profile.json"
    merged.save(path)
    merged_at = time.perf_counter()
    verdicts = _checks(baseline, str(path), Path(out))
    return {
        "rows": merged.row_count,
        "tasks": len(plan.partitions),
        "plan_s": planned - began,
        "profile_s": profiled - planned,
        "merge_s": merged_at - profiled,
        "total_s": time.perf_counter() - began,
        "task_s_mean": float(np.mean([p["seconds"] for p in parts])),
        "worker_peak_rss_mb": max(p["peak_rss_mb"] for p in parts),
        **verdicts,
    }


def _per_folder(source: str) -> int:
    """The rows of one hour folder: the plan then gives one partition per folder."""
    first = next(Path(source).rglob("*.parquet"))
    return int(pq.ParquetFile(first).metadata.num_rows)


def run_child(*args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main(rows: int, partitions: int, workers: list[int]) -> None:
    import driftline

    lines = [
        "# Scale benchmark: one window by one pod, and fanned out over partitions",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs shared with other jobs (load "
        f"average {os.getloadavg()[0]:.1f} at the start), Python {platform.python_version()}, "
        f"numpy {np.__version__}, pyarrow {pa.__version__}, driftline {driftline.__version__}. "
        f"Seed {SEED}.",
        "",
    ]
    with tempfile.TemporaryDirectory(prefix="driftline-scale-") as folder:
        root = Path(folder)
        began = time.perf_counter()
        write_window(root / "baseline", 1_000_000, 10, 0.0, SEED + 1)
        write_window(root / "window", rows, partitions, 0.5, SEED)
        written = time.perf_counter() - began
        size = disk_use(root / "window")
        from driftline.profile import profile_source

        baseline = root / "baseline.json"
        profile_source(str(root / "baseline"), columns=_features()).save(baseline)
        lines += [
            f"Window: {rows:,} rows as {partitions} Hive folders (`model=/date=/hour=`) of "
            f"{rows // partitions:,} rows, row groups of {ROW_GROUP:,}; {NUMERIC} numeric "
            f"(1% nulls) + {CATEGORICAL} categorical (20 and 2,000 distinct) features, a "
            f"prediction and a timestamp. Disk: {size / 2**30:.2f} GiB of Parquet (written "
            f"once in {written:.0f} s). Baseline: 1M rows, profiled once.",
            "",
            "## One pod, profile mode",
            "",
            "| rows | profile s | total s (with validation + drift) | rows/s | peak RSS MB "
            "| validation | drift share |",
            "|---:|---:|---:|---:|---:|---|---:|",
        ]
        out = root / "one-pod"
        out.mkdir()
        pod = run_child("one_pod", str(root / "window"), str(baseline), str(partitions), str(out))
        lines.append(
            f"| {pod['rows']:,} | {pod['profile_s']:.1f} | {pod['total_s']:.1f} | "
            f"{pod['rows'] / pod['profile_s']:,.0f} | {pod['peak_rss_mb']:.0f} | "
            f"{pod['validation']} | {pod['drifted']:.2f} |"
        )
        print(lines[-1], flush=True)
        lines += [
            "",
            "## Fan-out: N worker processes, each pinned to one CPU (a 1-CPU pod)",
            "",
            "| workers | tasks | plan s | profile s (wall) | merge s | total s | mean task s "
            "| speed-up vs 1 worker | worker peak RSS MB | same verdicts as one pod |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        peer = None
        for count in workers:
            out = root / f"fan-{count}"
            out.mkdir()
            fan = run_child(
                "fan_out",
                str(root / "window"),
                str(baseline),
                str(partitions),
                str(out),
                str(count),
            )
            peer = peer or fan["profile_s"]
            same = (fan["validation"], fan["drifted"], fan["rows"]) == (
                pod["validation"],
                pod["drifted"],
                pod["rows"],
            )
            lines.append(
                f"| {count} | {fan['tasks']} | {fan['plan_s']:.1f} | {fan['profile_s']:.1f} | "
                f"{fan['merge_s']:.1f} | {fan['total_s']:.1f} | {fan['task_s_mean']:.1f} | "
                f"{peer / fan['profile_s']:.2f}x | {fan['worker_peak_rss_mb']:.0f} | "
                f"{'yes' if same else 'NO'} |"
            )
            print(lines[-1], flush=True)
            shutil.rmtree(out)
    lines += [
        "",
        "A one-pod run uses every CPU it has (columns are profiled on a thread pool); a fan-out "
        "worker here is pinned to one CPU, so `rows/s per 1-CPU pod` = rows / (mean task s x "
        "tasks) and the speed-up is bounded by the machine's CPUs. See docs/scaling.md for the "
        "cost model built on these figures.",
        "",
        f"Command: `python bench/scale.py --rows {rows} --partitions {partitions} "
        f"--workers {' '.join(map(str, workers))}`",
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")


def _features() -> list[str]:
    return [
        *(f"num{i}" for i in range(NUMERIC)),
        *(f"cat{i}" for i in range(CATEGORICAL)),
        "prediction",
    ]


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        mode, *rest = sys.argv[2:]
        if mode == "one_pod":
            result = one_pod(rest[0], rest[1], int(rest[2]), rest[3])
        else:
            result = fan_out(rest[0], rest[1], int(rest[2]), rest[3], int(rest[4]))
        print(json.dumps(result))
    else:
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--rows", type=int, default=100_000_000)
        parser.add_argument("--partitions", type=int, default=100)
        parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
        args = parser.parse_args()
        main(args.rows, args.partitions, args.workers)
