"""Benchmark: validating and drift-checking a window with one pass over it instead of two.

The scheduled-monitoring pipeline runs validate_data and check_drift on every window, each
in its own pod. Before `profile_window`, each of the two steps streamed the window to
profile it (two passes). Now `profile_window` streams it once and both checks read its
profile (a small JSON). Each step below runs in its own fresh interpreter, as in a pod, so
wall times include start-up and imports; "passes" is how many times the window is read.
The peer measured in the same run is a plain pyarrow scan of the window (one read, no
statistics), the floor of any pass.

Data: a seeded Parquet window (W rows; 20 numeric + 5 categorical columns + a timestamp)
and the baseline profile of a seeded 200k-row reference. The two variants alternate, and
each is run `--repeat` times; the table shows medians. Results: bench/results/window_checks.md.

    .venv/bin/python bench/window_checks.py                 # W = 2,000,000 rows
    .venv/bin/python bench/window_checks.py --rows 200000   # a quick check of the script
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

RESULTS = Path(__file__).parent / "results" / "window_checks.md"
CATEGORIES = np.array(["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"])
CHUNK = 500_000
REFERENCE_ROWS = 200_000
EPOCH_2024 = 1_704_067_200  # timestamps: one row a second from 2024-01-01, as in production


def generate(path: Path, rows: int, shifted: bool, seed: int) -> Path:
    """`rows` seeded rows (20 numeric, 5 categorical, a timestamp) as Parquet, by chunks."""
    rng = np.random.default_rng(seed)
    writer = None
    for start in range(0, rows, CHUNK):
        n = min(CHUNK, rows - start)
        columns: dict[str, object] = {
            "timestamp": pa.array(
                (EPOCH_2024 + np.arange(start, start + n)) * 1_000_000, pa.timestamp("us")
            )
        }
        for i in range(20):
            shift = 0.25 if shifted and i < 5 else 0.0
            columns[f"num_{i:02d}"] = rng.normal(shift, 1.0, n) * (i + 1)
        for i in range(5):
            probs = np.linspace(1.0, 2.0, len(CATEGORIES))
            probs = probs[::-1] if shifted and i == 0 else probs
            columns[f"cat_{i}"] = CATEGORIES[rng.choice(len(CATEGORIES), n, p=probs / probs.sum())]
        table = pa.table(columns)
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    assert writer is not None
    writer.close()
    return path


# -- steps (each runs in a fresh interpreter, like a pipeline pod) -----------------------------
def step_validate(baseline: str, current: str, out: str) -> None:
    from driftline.validation import run_validation

    run_validation(baseline, current, out)


def step_drift(baseline: str, current: str, out: str) -> None:
    from driftline.drift import run_drift

    run_drift(
        reference_profile=baseline, current=current, out_dir=out, timestamp_column="timestamp"
    )


def step_profile_window(baseline: str, current: str, out: str) -> None:
    from driftline.profile import write_window_profile

    write_window_profile(current, baseline, out)


def step_scan(baseline: str, current: str, out: str) -> None:
    import pyarrow.dataset as ds

    rows = sum(batch.num_rows for batch in ds.dataset(current).to_batches())
    assert rows > 0


STEPS = {
    "validate": step_validate,
    "drift": step_drift,
    "profile_window": step_profile_window,
    "scan": step_scan,
}


def run_step(name: str, *args: str) -> dict[str, float]:
    """Wall seconds of step `name` in a fresh interpreter, and its peak RSS (VmHWM)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--step", name, *args], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"step {name} failed:\n{done.stderr}")
    return {"seconds": time.perf_counter() - started, **json.loads(done.stdout.splitlines()[-1])}


def _time_pages() -> list[float]:
    """Time spent rendering the HTML pages (charts), accumulated in the returned cell: the
    same in both variants, it is shown apart from the checks."""
    import driftline.drift.run as drift_run
    import driftline.validation.run as validation_run

    spent = [0.0]
    for module, name in (
        (drift_run, "render_drift_html"),
        (validation_run, "render_validation_html"),
    ):
        render = getattr(module, name)

        def timed(*args, _render=render, **kwargs):
            started = time.perf_counter()
            try:
                return _render(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - started

        setattr(module, name, timed)
    return spent


def _peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


# -- the run ------------------------------------------------------------------------------------
def variants(folder: Path, window: str) -> dict[str, list[tuple[str, str, str]]]:
    """Each variant's steps as (step, current input, output)."""
    profile, out = str(folder / "window_profile.json"), str(folder / "out")
    return {
        "two passes (before)": [("validate", window, out), ("drift", window, out)],
        "one pass (profile_window)": [
            ("profile_window", window, profile),
            ("validate", profile, out),
            ("drift", profile, out),
        ],
        "peer: pyarrow scan": [("scan", window, out)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--step", nargs=4, metavar=("NAME", "BASELINE", "CURRENT", "OUT"))
    parser.add_argument("--rows", type=int, default=2_000_000, help="window rows")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.step:
        name, *step_args = args.step
        import scipy.stats  # noqa: F401  imports paid before the clock: work = the step itself

        import driftline.drift
        import driftline.validation  # noqa: F401

        pages = _time_pages()
        started = time.perf_counter()
        STEPS[name](*step_args)
        work = time.perf_counter() - started
        print(json.dumps({"peak_mib": _peak_mib(), "work": work, "pages": pages[0]}))
        return

    from driftline.profile import write_profile

    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        reference = generate(folder / "reference.parquet", REFERENCE_ROWS, False, seed=1)
        window = str(generate(folder / "window.parquet", args.rows, True, seed=2))
        baseline = str(folder / "baseline.json")
        write_profile(str(reference), baseline)
        plans = variants(folder, window)
        times: dict[str, list[dict[str, float]]] = {name: [] for name in plans}
        steps: dict[str, list[float]] = {}
        for _ in range(args.repeat):
            for name, plan in plans.items():
                measured = [
                    (step, run_step(step, baseline, current, out)) for step, current, out in plan
                ]
                for step, m in measured:
                    steps.setdefault(f"{name}: {step}", []).append(m["work"] - m["pages"])
                times[name].append(
                    {
                        "seconds": sum(m["seconds"] for _, m in measured),
                        "work": sum(m["work"] - m["pages"] for _, m in measured),
                        "pages": sum(m["pages"] for _, m in measured),
                        "peak_mib": max(m["peak_mib"] for _, m in measured),
                    }
                )
    write_results(args, load, times, steps)


def write_results(
    args: argparse.Namespace,
    load: float,
    times: dict[str, list[dict[str, float]]],
    steps: dict[str, list[float]],
) -> None:
    import driftline

    median = {name: statistics.median(t["seconds"] for t in runs) for name, runs in times.items()}
    work = {name: statistics.median(t["work"] for t in runs) for name, runs in times.items()}
    pages = {name: statistics.median(t["pages"] for t in runs) for name, runs in times.items()}
    before, after = work["two passes (before)"], work["one pass (profile_window)"]
    passes = {"two passes (before)": 2, "one pass (profile_window)": 1, "peer: pyarrow scan": 1}
    lines = [
        "# Validation + drift of one window: one pass vs two (bench/window_checks.py)",
        "",
        f"- machine: {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, shared "
        f"(load average {load:.1f} at the start; the variants alternate, so load hits both)",
        f"- python {platform.python_version()}, numpy {np.__version__}, pyarrow {pa.__version__},"
        f" driftline {driftline.__version__}",
        f"- window: {args.rows:,} rows x 26 columns (20 numeric, 5 categorical, timestamp), "
        f"Parquet, seed 2; baseline profile of {REFERENCE_ROWS:,} reference rows, seed 1",
        f"- each step in a fresh interpreter (as in a pod); medians of {args.repeat} runs; "
        f"`.venv/bin/python bench/window_checks.py --rows {args.rows} --repeat {args.repeat}`",
        "",
        "Work = the steps' own time without rendering the HTML pages (imports done before the "
        "clock); pages = rendering the validation and drift pages (charts), the same work in "
        "both variants; wall = everything, with each process's start-up and imports, as a pod "
        "pays them.",
        "",
        "| variant | window passes | work (sum of steps) | pages | wall (sum of steps) | "
        "largest step peak RSS |",
        "|---|---|---|---|---|---|",
    ]
    for name, runs in times.items():
        peak = statistics.median(t["peak_mib"] for t in runs)
        lines.append(
            f"| {name} | {passes[name]} | {work[name]:.1f} s | {pages[name]:.1f} s | "
            f"{median[name]:.1f} s | {peak:.0f} MiB |"
        )
    lines += ["", "| step | median work (without pages) |", "|---|---|"]
    lines += [f"| {name} | {statistics.median(s):.1f} s |" for name, s in steps.items()]
    lines += [
        "",
        f"One pass / two passes: work {after / before:.2f}, wall "
        f"{median['one pass (profile_window)'] / median['two passes (before)']:.2f} (work saved "
        f"per window: {before - after:.1f} s). The scan peer reads the window in "
        f"{work['peer: pyarrow scan']:.1f} s of work.",
        "",
    ]
    RESULTS.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
