"""Drift benchmark: driftline exact and profile mode against peers, in one run.

Cases (every side of every case is generated from a fixed seed, 20 numeric + 5 categorical
columns with a real shift in 5 numeric and 2 categorical columns, plus two narrow bands far
from zero: `band_15` in 15.00-15.10 whose spread grows x1.5 in the shifted data, and `band_45`
in 45.00-45.14, unchanged):
  exact    N rows per side: driftline exact mode vs Evidently 0.7 Report(DataDriftPreset)
  profile  a W-row Parquet window vs a reference profile: driftline profile mode vs a plain
           pyarrow scan of the same columns, a row-group scan, and a row-group scan that reads
           strings as dictionaries (as profile mode does)
  kinds    K rows of 10 columns of one numeric kind per file (continuous; whole numbers with
           50, 1,000 or 1M distinct values; whole numbers and prices stored as doubles):
           profiling the window vs the row-group scan, where a column's kind sets the cost
  wide     R rows x C columns per side: driftline exact mode vs Evidently
  agree    the exact case's current side in profile mode: the same columns must be flagged
  floor    the exact case's sides read with pyarrow plus one histogram pass per column: the
           floor of exact mode's time, timed inside its process after its imports (the
           issue's floor, "imports excluded") and as a whole process; reading the same
           columns alone: its memory floor
Each measurement runs in its own subprocess; wall time (including start-up and reading the
data) and peak RSS (VmHWM of that process) are recorded. The exact case's measurements
(driftline, `--before`, floor) each get a warm-up run and then `--repeat` runs (default 3):
the median, with the range. Results: bench/results/drift.md.

    .venv/bin/python bench/drift.py            # full sizes (minutes; run once)
    .venv/bin/python bench/drift.py --quick    # small sizes, checks the script
    .venv/bin/python bench/drift.py --before /tmp/old/src   # also time an older driftline

Workers run with compiled bytecode (a cache under bench/.data, filled before the first
measurement), as in the image, where pip compiles the modules at install: an environment
with PYTHONDONTWRITEBYTECODE would otherwise recompile driftline on every run. `--before`
runs the driftline cases once more with another source tree first on the path (e.g. a
`git archive` of an older commit), side by side in the same run.
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
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"
CATEGORIES = np.array(["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"])
CHUNK = 500_000


def _chunk(rng: np.random.Generator, n: int, numeric: int, categorical: int, shifted: bool):
    columns: dict[str, object] = {}
    for i in range(numeric):
        shift = 0.25 if shifted and i < max(numeric // 4, 1) else 0.0
        base = rng.normal(shift, 1.0, n) if i % 2 == 0 else rng.lognormal(shift, 0.5, n)
        columns[f"num_{i:04d}"] = base * (i + 1)
    if numeric >= 20:  # the benchmark's shape (the wide case keeps its column count)
        spread = 1.5 if shifted else 1.0
        columns["band_15"] = rng.normal(15.05, 0.006 * spread, n).clip(15.0, 15.1)
        columns["band_45"] = rng.normal(45.07, 0.0175, n).clip(45.0, 45.14)
    for i in range(categorical):
        probs = np.linspace(1.0, 2.0, len(CATEGORIES))
        if shifted and i < max(categorical // 3, 1):
            probs = probs[::-1]
        columns[f"cat_{i:04d}"] = CATEGORIES[rng.choice(len(CATEGORIES), n, p=probs / probs.sum())]
    return pa.table(columns)


def _write(path: Path, rows: int, chunk: Callable[[int], pa.Table]) -> Path:
    """Write `rows` rows to `path` (Parquet), `chunk(n)` making n of them at a time (one row
    group each); reuse the file if present."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    writer = None
    for start in range(0, rows, CHUNK):
        table = chunk(min(CHUNK, rows - start))
        writer = writer or pq.ParquetWriter(tmp, table.schema)
        writer.write_table(table, row_group_size=CHUNK)
    assert writer is not None
    writer.close()
    tmp.rename(path)
    return path


def generate(path: Path, rows: int, numeric: int, categorical: int, shifted: bool, seed: int):
    """Write `rows` seeded rows to `path` (Parquet), chunk by chunk; reuse if present."""
    rng = np.random.default_rng(seed)
    return _write(path, rows, lambda n: _chunk(rng, n, numeric, categorical, shifted))


#: numeric column kinds whose profiling differs: values of one chunk from a seeded generator
_PRICES = np.round(np.random.default_rng(7).lognormal(3.0, 1.0, 20), 2)
KINDS = {
    "continuous (normal, double)": lambda rng, n: rng.normal(0.0, 1.0, n),
    "whole numbers, 50 distinct (int64)": lambda rng, n: rng.integers(0, 50, n),
    "whole numbers, 1,000 distinct (int64)": lambda rng, n: rng.integers(0, 1000, n),
    "whole numbers, 200 distinct (double)": lambda rng, n: rng.integers(0, 200, n) * 1.0,
    "prices, 20 distinct (double)": lambda rng, n: rng.choice(_PRICES, n),
    "whole numbers, 1M distinct (int64)": lambda rng, n: rng.integers(0, 1_000_000, n),
}


def generate_kind(path: Path, rows: int, kind: str, columns: int = 10) -> Path:
    """Write `rows` seeded rows of `columns` columns of one of `KINDS`; reuse if present."""
    rng = np.random.default_rng(list(KINDS).index(kind))
    return _write(
        path, rows, lambda n: pa.table({f"c{i}": KINDS[kind](rng, n) for i in range(columns)})
    )


# -- workers (run in a subprocess each) ------------------------------------------------------
def worker_driftline_exact(ref: str, cur: str, out: str) -> dict:
    from driftline.drift import run_drift

    return _flagged(run_drift(reference=ref, current=cur, out_dir=out))


def worker_driftline_profile(profile: str, cur: str, out: str) -> dict:
    from driftline.drift import run_drift

    return _flagged(run_drift(reference_profile=profile, current=cur, out_dir=out))


def _flagged(result) -> dict:
    flagged = sorted(c.name for c in result.columns if c.drift_detected)
    return {"drifted": len(flagged), "columns": len(result.columns), "flagged": flagged}


def worker_floor(ref: str, cur: str, out: str) -> dict:
    """pyarrow reads both sides; one histogram pass per numeric column, value counts per
    categorical one: what any exact check must at least do. Also times that work alone,
    after the imports it needs (`pq.read_table` imports pyarrow.dataset, and with it pandas):
    the issue's floor, "imports excluded"."""
    import pyarrow.compute as pc
    import pyarrow.dataset  # noqa: F401  read_table's own import, paid before the clock

    started, cpu = time.perf_counter(), time.process_time()
    for path in (ref, cur):
        table = pq.read_table(path)
        for column in table.columns:
            if pa.types.is_floating(column.type):
                np.histogram(column.to_numpy(), bins=64)
            else:
                pc.value_counts(column)
    return {"work_seconds": time.perf_counter() - started, "work_cpu": time.process_time() - cpu}


def worker_floor_dictionary(ref: str, cur: str, out: str) -> dict:
    """`worker_floor` with string columns read as Parquet's dictionaries (as exact mode reads
    them) and counted on their indices: a stricter floor, imports excluded."""
    import pyarrow.dataset  # noqa: F401  read_table's own import, paid before the clock

    started, cpu = time.perf_counter(), time.process_time()
    for path in (ref, cur):
        strings = [f.name for f in pq.read_schema(path) if f.type == pa.string()]
        table = pq.read_table(path, read_dictionary=strings)
        for column in table.columns:
            if pa.types.is_floating(column.type):
                np.histogram(column.to_numpy(), bins=64)
            else:
                for chunk in column.chunks:
                    np.bincount(chunk.indices.to_numpy(), minlength=len(chunk.dictionary))
    return {"work_seconds": time.perf_counter() - started, "work_cpu": time.process_time() - cpu}


def worker_read(ref: str, cur: str, out: str) -> dict:
    """Both sides' columns read into memory: the memory floor of exact mode."""
    tables = [pq.read_table(path) for path in (ref, cur)]
    return {"rows": sum(t.num_rows for t in tables)}


def worker_evidently(ref: str, cur: str, out: str) -> dict:
    import pandas as pd
    from evidently import Dataset, Report
    from evidently.presets import DataDriftPreset

    reference, current = pd.read_parquet(ref), pd.read_parquet(cur)
    snapshot = Report([DataDriftPreset()]).run(
        Dataset.from_pandas(current), Dataset.from_pandas(reference)
    )
    count = next(m for m in snapshot.dict()["metrics"] if "DriftedColumnsCount" in m["metric_name"])
    return {"drifted": int(count["value"]["count"]), "columns": reference.shape[1]}


def worker_arrow_scan(ref: str, cur: str, out: str) -> dict:
    import pyarrow.dataset as ds

    rows = 0
    for batch in ds.dataset(cur, format="parquet").to_batches(batch_size=131_072):
        rows += batch.num_rows
    return {"rows": rows}


def worker_row_group_scan(ref: str, cur: str, out: str) -> dict:
    """A tuned pyarrow scan: row group by row group, no pre-buffering (what io does)."""
    rows = 0
    for batch in pq.ParquetFile(cur, pre_buffer=False).iter_batches(batch_size=131_072):
        rows += batch.num_rows
    return {"rows": rows}


def worker_row_group_scan_dictionary(ref: str, cur: str, out: str) -> dict:
    """`worker_row_group_scan` with string columns read as Parquet's dictionaries (as profile
    mode reads its categorical columns): a stricter floor."""
    strings = [f.name for f in pq.read_schema(cur) if f.type == pa.string()]
    rows = 0
    parquet = pq.ParquetFile(cur, pre_buffer=False, read_dictionary=strings)
    for batch in parquet.iter_batches(batch_size=131_072):
        rows += batch.num_rows
    return {"rows": rows}


def worker_profile(ref: str, cur: str, out: str) -> dict:
    from driftline.profile import profile_source

    profile_source(ref).save(out)
    return {}


WORKERS = {
    "driftline-exact": worker_driftline_exact,
    "driftline-profile": worker_driftline_profile,
    "evidently": worker_evidently,
    "arrow-scan": worker_arrow_scan,
    "row-group-scan": worker_row_group_scan,
    "row-group-scan-dictionary": worker_row_group_scan_dictionary,
    "build-profile": worker_profile,
    "floor": worker_floor,
    "floor-dictionary": worker_floor_dictionary,
    "read": worker_read,
}


def _environment(source: str | None = None) -> dict[str, str]:
    """Workers' environment: bytecode cached under bench/.data; `source` first on the path."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(DATA / "pycache")
    if source:
        env["PYTHONPATH"] = source
    return env


def compile_sources(*sources: str) -> None:
    """Fill the bytecode cache for the driftline trees the workers import."""
    import driftline

    trees = [str(Path(driftline.__file__).parent), *sources]
    for tree in trees:
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", tree], env=_environment(), check=True
        )


def measure(
    name: str,
    *args: str,
    timeout: float | None = None,
    source: str | None = None,
    repeat: int = 1,
) -> dict:
    """Worker `name`'s wall seconds, CPU seconds and peak RSS, each run in a fresh interpreter.
    `repeat` > 1: one warm-up run (page cache, freshly written files), then the median of
    `repeat` runs, with their range in "spread" (min, max seconds). `source`: a driftline
    source tree to import instead of the installed one.

    A worker still running after `timeout` seconds is stopped: {"timeout": seconds}."""
    if repeat <= 1:
        return _measure_once(name, *args, timeout=timeout, source=source)
    _measure_once(name, *args, timeout=timeout, source=source)
    runs = [_measure_once(name, *args, timeout=timeout, source=source) for _ in range(repeat)]
    if any("timeout" in run for run in runs):
        return {"timeout": timeout}
    median = sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2]
    numbers = {
        key: float(np.median([run[key] for run in runs]))
        for key, value in median.items()
        if isinstance(value, float)
    }
    seconds = [run["seconds"] for run in runs]
    return {**median, **numbers, "spread": (min(seconds), max(seconds)), "runs": len(runs)}


def _measure_once(
    name: str, *args: str, timeout: float | None = None, source: str | None = None
) -> dict:
    started = time.perf_counter()
    cpu_before = _children_cpu()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--worker", name, *args],
        stdout=subprocess.PIPE,
        text=True,
        env=_environment(source),
    )
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return {"timeout": timeout}
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"worker {name} failed with status {proc.returncode}")
    cpu = _children_cpu() - cpu_before
    return {"seconds": seconds, "cpu": cpu, **json.loads(output.strip().splitlines()[-1])}


def _children_cpu() -> float:
    """User + system CPU seconds of the finished children (less sensitive to a loaded machine
    than wall time)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _peak_mib() -> float:
    """This process's peak RSS (VmHWM starts afresh at exec, unlike a child's ru_maxrss,
    which keeps the high-water mark of the forking parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _versus(label: str, ours: dict, peer: dict, target: str, work: bool = False) -> str:
    """A target row: time and CPU of `ours` against `peer`, both ratios (medians with their
    range where measured repeatedly). `work`: against the peer's work alone, after its
    imports ("work_seconds", "work_cpu")."""
    seconds, cpu = ("work_seconds", "work_cpu") if work else ("seconds", "cpu")
    return (
        f"| {label} | {_time(ours)} | {_time(peer, seconds, cpu)} | "
        f"{ours['seconds'] / peer[seconds]:.2f}x time, "
        f"{ours['cpu'] / max(peer[cpu], 1e-9):.2f}x CPU | {target} |"
    )


def _time(run: dict, seconds: str = "seconds", cpu: str = "cpu") -> str:
    """ "4.4 s (4.3-4.6 s, 5.7 CPU-s)": the median wall time, the range of the runs, CPU."""
    spread = ""
    if "spread" in run and seconds == "seconds":
        spread = f"{run['spread'][0]:.1f}-{run['spread'][1]:.1f} s, "
    return f"{run[seconds]:.1f} s ({spread}{run[cpu]:.1f} CPU-s)"


def _targets(
    n: int,
    ours: dict,
    floor: dict,
    read: dict,
    agree: dict,
    before: dict | None,
    strict: dict | None = None,
) -> list[str]:
    same = "yes" if agree["flagged"] == ours["flagged"] else "NO"
    rows = []
    floor_label = "pyarrow read + one histogram pass, imports excluded (the issue's floor)"
    if before is not None:
        rows.append(
            _versus(
                f"before: exact, {n:,} rows/side vs {floor_label}", before, floor, "<= 1.5x", True
            )
        )
    if strict is not None:
        label = (
            "(same run) exact vs a stricter floor: strings read as Parquet's dictionaries and "
            "counted on their indices, imports excluded"
        )
        extra = [_versus(label, ours, strict, "-", work=True)]
    else:
        extra = []
    return [
        *rows,
        _versus(f"exact, {n:,} rows/side vs {floor_label}", ours, floor, "<= 1.5x", work=True),
        _versus(
            "(same run) exact vs the floor as a whole process, imports included", ours, floor, "-"
        ),
        *extra,
        f"| exact, {n:,} rows/side: peak RSS vs reading the same columns | "
        f"{ours['peak_mib']:.0f} MiB | {read['peak_mib']:.0f} MiB | "
        f"{ours['peak_mib'] / read['peak_mib']:.2f}x | <= 1.3x |",
        f"| profile mode flags the columns exact mode flags ({n:,} rows/side) | "
        f"profile: {', '.join(agree['flagged'])} | exact: {', '.join(ours['flagged'])} | "
        f"same: {same} | same |",
    ]


def _kinds(rows: int, scratch: Path, before: str | None, repeat: int) -> list[str]:
    """Profiling a window of 10 columns of each of `KINDS` (`profile_source`, the whole
    process) against the row-group scan of the same file; `before`: also the older tree."""
    lines = [
        f"Profiling a {rows:,}-row window of 10 columns of one kind (`profile_source`, the whole "
        "process) against `ParquetFile.iter_batches` over the same file (same run):",
        "",
        "| column kind | profile | row-group scan | ratio |"
        + (" before | before ratio |" if before else ""),
        "|---|---|---|---|" + ("---|---|" if before else ""),
    ]
    for number, kind in enumerate(KINDS):
        path = str(generate_kind(DATA / f"kind_{number}_{rows}.parquet", rows, kind))
        out = str(scratch / f"kind_{number}.json")
        ours = measure("build-profile", path, "-", out, repeat=repeat)
        old = (
            measure("build-profile", path, "-", out, source=before, repeat=repeat)
            if before
            else None
        )
        scan = measure("row-group-scan", "-", path, "-", repeat=repeat)
        row = f"| {kind} | {_time(ours)}, {ours['peak_mib']:.0f} MiB | {_time(scan)} | "
        row += f"{ours['seconds'] / scan['seconds']:.2f}x, {ours['cpu'] / scan['cpu']:.2f}x CPU |"
        if old is not None:
            row += f" {_time(old)} | {old['seconds'] / scan['seconds']:.2f}x, "
            row += f"{old['cpu'] / scan['cpu']:.2f}x CPU |"
        print(row, flush=True)
        lines.append(row)
    return lines


# -- the run ----------------------------------------------------------------------------------
def _versions() -> str:
    import evidently
    import scipy

    import driftline

    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    return (
        f"- machine: {os.cpu_count()} cores ({cpu}), "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB; "
        f"load average at start {os.getloadavg()[0]:.1f} (the machine is shared)\n"
        f"- python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"pyarrow {pa.__version__}, evidently {evidently.__version__}, "
        f"driftline {driftline.__version__}\n"
    )


def _row(case: str, ours: dict, peer: dict, peer_name: str) -> str:
    mine = f"| {case} | {ours['seconds']:.1f} s | {ours['peak_mib']:.0f} MiB | {peer_name} | "
    if "timeout" in peer:
        limit = peer["timeout"]
        return mine + f"stopped after {limit:.0f} s | | > {limit / ours['seconds']:.0f}x | |"
    return mine + (
        f"{peer['seconds']:.1f} s | {peer['peak_mib']:.0f} MiB | "
        f"{peer['seconds'] / ours['seconds']:.1f}x | {ours['peak_mib'] / peer['peak_mib']:.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", nargs=4, metavar=("NAME", "REF", "CUR", "OUT"))
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the script")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--window-rows", type=int, default=20_000_000)
    parser.add_argument("--kind-rows", type=int, default=20_000_000)
    parser.add_argument("--wide-rows", type=int, default=100_000)
    parser.add_argument("--wide-columns", type=int, default=1000)
    parser.add_argument(
        "--skip",
        nargs="*",
        default=[],
        choices=["exact", "profile", "kinds", "wide", "evidently"],
    )
    parser.add_argument(
        "--wide-peer-timeout", type=float, default=300.0, help="stop Evidently on the wide case"
    )
    parser.add_argument("--out", type=Path, default=HERE / "results" / "drift.md")
    parser.add_argument("--before", metavar="SRC", help="an older driftline source tree to time")
    parser.add_argument(
        "--repeat", type=int, default=3, help="exact case: runs after a warm-up (median, range)"
    )
    args = parser.parse_args()
    if args.worker:
        name, ref, cur, out = args.worker
        print(json.dumps({**WORKERS[name](ref, cur, out), "peak_mib": _peak_mib()}))
        return
    if args.quick:
        args.rows, args.window_rows, args.wide_rows, args.wide_columns = 20_000, 200_000, 2_000, 60
        args.kind_rows = 100_000
        args.out = Path(tempfile.mkdtemp()) / "drift.md"
    lines = ["# Drift benchmark", "", _versions(), ""]
    lines += [
        "| case | driftline | driftline peak RSS | peer | peer time | peer peak RSS | "
        "peer time / driftline | driftline / peer RSS |",
        "|---|---|---|---|---|---|---|---|",
    ]
    scratch = Path(tempfile.mkdtemp(prefix="drift-bench-"))
    compile_sources(*([args.before] if args.before else []))
    n = args.rows
    ref = generate(DATA / f"ref_{n}_bands.parquet", n, 20, 5, False, seed=1)
    targets: list[str] = []
    if "exact" not in args.skip:
        cur = generate(DATA / f"cur_{n}_bands.parquet", n, 20, 5, True, seed=2)
        before = None
        repeat = args.repeat
        if args.before:
            before = measure(
                "driftline-exact", str(ref), str(cur), str(scratch / "before"),
                source=args.before, repeat=repeat,
            )  # fmt: skip
        ours = measure("driftline-exact", str(ref), str(cur), str(scratch / "exact"), repeat=repeat)
        floor = measure("floor", str(ref), str(cur), "-", repeat=repeat)
        strict = measure("floor-dictionary", str(ref), str(cur), "-", repeat=repeat)
        read = measure("read", str(ref), str(cur), "-")
        profile = scratch / "agree-profile.json"
        measure("build-profile", str(ref), "-", str(profile))
        agree = measure("driftline-profile", str(profile), str(cur), str(scratch / "agree"))
        print("exact", before, ours, floor, strict, read, agree, flush=True)
        targets += _targets(n, ours, floor, read, agree, before, strict)
        if "evidently" not in args.skip:
            peer = measure("evidently", str(ref), str(cur), "-")
            lines.append(_row(f"exact, {n:,} rows/side, 27 cols", ours, peer, "Evidently 0.7"))
    if "profile" not in args.skip:
        w = args.window_rows
        window = generate(DATA / f"window_{w}_bands.parquet", w, 20, 5, True, seed=3)
        profile = scratch / "profile.json"
        built = measure("build-profile", str(ref), "-", str(profile))
        old = None
        if args.before:
            old = measure(
                "driftline-profile", str(profile), str(window), str(scratch / "old"),
                source=args.before,
            )  # fmt: skip
        ours = measure("driftline-profile", str(profile), str(window), str(scratch / "profile"))
        peer = measure("arrow-scan", "-", str(window), "-")
        tuned = measure("row-group-scan", "-", str(window), "-")
        strict = measure("row-group-scan-dictionary", "-", str(window), "-")
        print("profile", built, old, ours, peer, tuned, strict, flush=True)
        lines.append(_row(f"profile mode, {w:,}-row window", ours, peer, "pyarrow dataset scan"))
        lines.append(_row("(same run)", ours, tuned, "pyarrow row-group scan"))
        lines.append(_row("(same run)", ours, strict, "the same, strings as dictionaries"))
        label = f"profile mode, {w:,}-row window vs `ParquetFile.iter_batches`"
        if old is not None:
            targets.append(_versus(f"before: {label}", old, tuned, "<= 2x"))
        targets.append(_versus(label, ours, tuned, "<= 2x"))
        targets.append(
            f"| (peak RSS of the above) | {ours['peak_mib']:.0f} MiB | "
            f"{tuned['peak_mib']:.0f} MiB | {ours['peak_mib'] / tuned['peak_mib']:.2f}x | flat |"
        )
        lines.append(
            f"| (building the {n:,}-row reference profile) | {built['seconds']:.1f} s | "
            f"{built['peak_mib']:.0f} MiB | | | | | |"
        )
    if "kinds" not in args.skip:
        lines += ["", *_kinds(args.kind_rows, scratch, args.before, args.repeat)]
    if "wide" not in args.skip:
        r, c = args.wide_rows, args.wide_columns
        numeric, categorical = c * 4 // 5, c // 5
        wref = generate(DATA / f"wide_ref_{r}x{c}.parquet", r, numeric, categorical, False, 4)
        wcur = generate(DATA / f"wide_cur_{r}x{c}.parquet", r, numeric, categorical, True, 5)
        ours = measure("driftline-exact", str(wref), str(wcur), str(scratch / "wide"))
        peer = measure("evidently", str(wref), str(wcur), "-", timeout=args.wide_peer_timeout)
        print("wide", ours, peer, flush=True)
        lines.append(_row(f"wide, {r:,} rows x {c} cols", ours, peer, "Evidently 0.7"))
    if targets:
        lines += [
            "",
            "Per-pod targets (same run):",
            "",
            "| case | driftline | floor | ratio | target |",
            "|---|---|---|---|---|",
            *targets,
        ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n")
    print(args.out.read_text())


if __name__ == "__main__":
    main()
