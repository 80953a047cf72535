"""Multivariate drift benchmark: time and memory at 1M rows, false alarms and power.

Parts (every table is generated from fixed seeds):
  speed  N rows per side (default 1,000,000), 10 numeric + 3 categorical columns; the
         current side has the correlation of num_0 and num_1 changed from 0 to 0.6 (every
         column's own distribution unchanged). Each run is a fresh process timing
         `run_drift` on the Parquet files: per-column exact mode alone (the peer, same run),
         then with --multivariate classifier, pca, and both. Each method samples at most
         20,000 rows per side (`DEFAULT_MAX_ROWS`). Wall time includes start-up and reading;
         peak RSS = VmHWM of the process.
  folds  5-fold cross-validation with the fold AUCs treated as independent, against the
         bound the classifier uses, on same-distribution pairs (why 2 folds).
  alarms same-distribution pairs (the same generator on both sides, seeded) at several
         sizes: the share of pairs each method flags at alpha = 0.05, with a 95 % binomial
         interval. Also the detection rate of the correlation change 0 -> 0.3 at each size.
Results: bench/results/multivariate.md.

    .venv/bin/python bench/multivariate.py            # full (about 10-20 minutes)
    .venv/bin/python bench/multivariate.py --quick    # small sizes, checks the script
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"
CATEGORIES = np.array(["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"])
CHUNK = 250_000


def table(rng: np.random.Generator, n: int, correlation: float) -> pa.Table:
    """10 numeric columns (normal, lognormal, t3; num_1 correlated with num_0) and 3
    categorical ones (8 values, unequal shares; one with 5 % nulls)."""
    base = rng.standard_normal(n)
    columns: dict[str, object] = {
        "num_0": base,
        "num_1": correlation * base + np.sqrt(1 - correlation**2) * rng.standard_normal(n),
    }
    for i in range(2, 10):
        kind = i % 3
        values = (
            rng.normal(0, 1, n)
            if kind == 0
            else rng.lognormal(0, 0.5, n)
            if kind == 1
            else rng.standard_t(3, n)
        )
        columns[f"num_{i}"] = values * i
    shares = np.linspace(1.0, 3.0, len(CATEGORIES))
    for i in range(3):
        codes = rng.choice(len(CATEGORIES), n, p=shares / shares.sum())
        mask = rng.random(n) < 0.05 if i == 2 else None
        columns[f"cat_{i}"] = pa.array(CATEGORIES[codes], mask=mask)
    return pa.table(columns)


def generate(path: Path, rows: int, correlation: float, seed: int) -> Path:
    """Write `rows` seeded rows to `path` (Parquet), chunk by chunk; reuse if present."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    tmp = path.with_suffix(".tmp")
    writer = None
    for start in range(0, rows, CHUNK):
        chunk = table(rng, min(CHUNK, rows - start), correlation)
        writer = writer or pq.ParquetWriter(tmp, chunk.schema)
        writer.write_table(chunk)
    assert writer is not None
    writer.close()
    tmp.rename(path)
    return path


# -- speed: one process per measurement ------------------------------------------------------
def worker(ref: str, cur: str, out: str, methods: str) -> dict:
    from driftline.drift import run_drift

    started = time.perf_counter()
    result = run_drift(reference=ref, current=cur, out_dir=out, multivariate=methods or None)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "call_seconds": time.perf_counter() - started,
        "cpu": usage.ru_utime + usage.ru_stime,
        "columns_drifted": result.number_of_drifted_columns,
        "multivariate": {
            m.method: {
                "drift": m.drift_detected,
                "score": m.score,
                "threshold": m.threshold,
                "top": m.top_features[:2],
                "rows": [m.reference_rows, m.current_rows],
            }
            for m in result.multivariate
        },
    }


def measure(ref: Path, cur: Path, out: Path, methods: str) -> dict:
    started = time.perf_counter()
    output = subprocess.run(
        [sys.executable, __file__, "--worker", str(ref), str(cur), str(out), methods],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {"seconds": time.perf_counter() - started, **json.loads(output.splitlines()[-1])}


def _peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def speed(rows: int) -> list[str]:
    ref = generate(DATA / f"multivariate-ref-{rows}.parquet", rows, 0.0, seed=1)
    cur = generate(DATA / f"multivariate-cur-{rows}.parquet", rows, 0.6, seed=2)
    out = DATA / "multivariate-out"
    lines = [
        f"| run ({rows:,} rows/side) | wall time (process) | run_drift call | CPU seconds | "
        "peak RSS | vs per-column alone (CPU, memory) | columns drifted | "
        "multivariate verdicts (score > threshold?; top columns; rows used) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    peer = None
    for methods in ("", "classifier", "pca", "classifier,pca"):
        found = measure(ref, cur, out, methods)
        peer = peer or found
        verdicts = "; ".join(
            f"{name}: {'drift' if m['drift'] else 'no drift'} ({m['score']:.4f} > "
            f"{m['threshold']:.4f}? {', '.join(m['top'])}; {m['rows'][0]:,}/{m['rows'][1]:,} rows)"
            for name, m in found["multivariate"].items()
        )
        lines.append(
            f"| per-column{' + ' + methods if methods else ' exact mode alone'} | "
            f"{found['seconds']:.1f} s | {found['call_seconds']:.1f} s | {found['cpu']:.1f} | "
            f"{found['peak_mib']:.0f} MiB | {found['cpu'] / peer['cpu']:.2f}x, "
            f"{found['peak_mib'] / peer['peak_mib']:.2f}x | "
            f"{found['columns_drifted']} / 13 | {verdicts or '-'} |"
        )
        print(lines[-1], flush=True)
    return lines


# -- false alarms and power, in this process -------------------------------------------------
def rates(sizes: list[tuple[int, int]]) -> list[str]:
    from scipy import stats

    from driftline.drift.multivariate import check_multivariate

    lines = [
        "| rows per side | method | false alarms (same distribution) | 95 % interval | "
        "detected: correlation 0 -> 0.3 |",
        "|---|---|---|---|---|",
    ]
    for n, seeds in sizes:
        alarms = {"classifier": 0, "pca": 0}
        detected = {"classifier": 0, "pca": 0}
        for seed in range(seeds):
            rng = np.random.default_rng([n, seed])
            reference, same = table(rng, n, 0.0), table(rng, n, 0.0)
            changed = table(rng, n, 0.3)
            names = reference.column_names
            for m in check_multivariate(reference, same, list(alarms), columns=names, seed=seed):
                alarms[m.method] += m.drift_detected
            for m in check_multivariate(reference, changed, list(alarms), columns=names, seed=seed):
                detected[m.method] += m.drift_detected
        for method in alarms:
            low, high = stats.binomtest(alarms[method], seeds).proportion_ci(0.95)
            lines.append(
                f"| {n:,} | {method} | {alarms[method] / seeds:.1%} ({alarms[method]}/{seeds}) | "
                f"{low:.1%} - {high:.1%} | {detected[method] / seeds:.0%} |"
            )
            print(lines[-1], flush=True)
    return lines


def folds(rows: int, seeds: int) -> list[str]:
    """Why the classifier uses 2 folds and a bound: the false alarms of 5 folds whose AUCs
    are treated as independent, against the bound, on the same same-distribution pairs."""
    import math

    from scipy import stats
    from sklearn.model_selection import StratifiedKFold
    from threadpoolctl import threadpool_limits

    from driftline.drift.multivariate.classifier import MAX_CODES, _model, auc_with_null_variance
    from driftline.drift.multivariate.features import encode
    from driftline.io import ColumnKind

    z = float(stats.norm.isf(0.05))
    independent = bounded = 0
    for seed in range(seeds):
        rng = np.random.default_rng([rows, seed, 99])
        reference, current = table(rng, rows, 0.0), table(rng, rows, 0.0)
        kinds = {
            name: ColumnKind.CATEGORICAL if name.startswith("cat") else ColumnKind.NUMERIC
            for name in reference.column_names
        }
        features = encode(reference, current, kinds, seed=seed)
        x = np.vstack([features.reference, features.current])
        for j, categorical in enumerate(features.categorical):
            if categorical:
                x[:, j] = np.minimum(x[:, j], MAX_CODES - 1)
        y = np.r_[np.zeros(len(features.reference)), np.ones(len(features.current))]
        aucs, variances = [], []
        with threadpool_limits(limits=1, user_api="openmp"):
            for train, test in StratifiedKFold(5, shuffle=True, random_state=seed).split(x, y):
                model = _model(features.categorical, seed).fit(x[train], y[train])
                auc, variance = auc_with_null_variance(model.predict_proba(x[test])[:, 1], y[test])
                aucs.append(auc)
                variances.append(variance)
        mean = float(np.mean(aucs))
        independent += mean > 0.5 + z * math.sqrt(sum(variances)) / 5
        bounded += mean > 0.5 + z * float(np.mean(np.sqrt(variances)))
    lines = [
        f"| 5 folds, {rows:,} rows/side, {seeds} seeds | false alarms at alpha = 0.05 | "
        "95 % interval |",
        "|---|---|---|",
    ]
    for name, count in (("AUCs treated as independent", independent), ("mean-sd bound", bounded)):
        low, high = stats.binomtest(count, seeds).proportion_ci(0.95)
        lines.append(f"| {name} | {count / seeds:.1%} ({count}/{seeds}) | {low:.1%} - {high:.1%} |")
        print(lines[-1], flush=True)
    return lines


def _versions() -> str:
    import scipy
    import sklearn

    import driftline

    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    return (
        f"- machine: {os.cpu_count()} cores ({cpu}); load average at start "
        f"{os.getloadavg()[0]:.1f} (the machine is shared)\n"
        f"- python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"scikit-learn {sklearn.__version__}, pyarrow {pa.__version__}, "
        f"driftline {driftline.__version__}\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", nargs=4, metavar=("REF", "CUR", "OUT", "METHODS"))
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the script")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--sizes", default="200:200,2000:200,20000:40", help="ROWS:SEEDS,... of the alarm part"
    )
    parser.add_argument("--out", type=Path, help="results file (default: bench/results/)")
    parser.add_argument("--skip", nargs="*", default=[], choices=["speed", "alarms", "folds"])
    args = parser.parse_args()
    if args.worker:
        result = worker(*args.worker)
        print(json.dumps({**result, "peak_mib": _peak_mib()}))
        return
    rows = 20_000 if args.quick else args.rows
    spec = "200:10,1000:10" if args.quick else args.sizes
    sizes = [(int(n), int(k)) for n, k in (part.split(":") for part in spec.split(","))]
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    report = [
        "# Multivariate drift benchmark (bench/multivariate.py)",
        "",
        f"Run {started}{' (--quick)' if args.quick else ''}.",
        "",
        _versions(),
        "Data: seeded; 10 numeric (normal, lognormal, t3) + 3 categorical (8 values, one with "
        "5 % nulls) columns. Each method uses at most 20,000 rows per side (seeded sample).",
        "",
    ]
    if "speed" not in args.skip:
        report += ["## Time and memory", "", f"Run {started}.", "", *speed(rows), ""]
    if "alarms" not in args.skip:
        report += [
            "## False alarms and power at alpha = 0.05",
            "",
            f"Run {started}. Each seed draws a reference, a same-distribution window and a "
            "window with the num_0/num_1 correlation at 0.3, all of the given size (seeds per "
            "size in the table).",
            "",
            *rates(sizes),
            "",
        ]
    if "folds" not in args.skip:
        report += [
            "## Why 2 folds: 5 folds treated as independent",
            "",
            f"Run {started}. The same gradient boosting in 5-fold cross-validation on "
            "same-distribution pairs (the alarm part's generator): the mean AUC tested with "
            "the fold variances summed as if independent, and with the mean-sd bound.",
            "",
            *folds(1000 if not args.quick else 300, 200 if not args.quick else 10),
            "",
        ]
    target = args.out or HERE / "results" / (
        "multivariate-quick.md" if args.quick else "multivariate.md"
    )
    target.write_text(_keep_other_parts(target, "\n".join(report)))
    print(f"wrote {target}")


def _keep_other_parts(target: Path, text: str) -> str:
    """`text`, plus the sections ("## ...") of the existing results file that this run
    skipped (each section says which run it comes from)."""
    if not target.exists():
        return text
    ran = {line for line in text.splitlines() if line.startswith("## ")}
    kept, keep = [], False
    for line in target.read_text().splitlines():
        if line.startswith("## "):
            keep = line not in ran
        if keep:
            kept.append(line)
    return text.rstrip("\n") + ("\n\n" + "\n".join(kept) + "\n" if kept else "\n")


if __name__ == "__main__":
    main()
