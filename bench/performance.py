"""Benchmark: run_performance (streaming join + windows) vs pandas merge + scikit-learn, the
code before a change (`--before-src`), and the fan-out path (`--parts`: partition_state per
part, one process each, then report_from_states).

Each measurement runs in its own process so peak RSS (ru_maxrss) is its own.
Usage: python bench/performance.py [--sizes 1000000,10000000] [--peer-max 10000000]
       [--before-src DIR] [--parts 10]
`--before-src` is a `src` folder of the code to compare with, e.g. made by
`git archive <commit> src | tar -x -C /tmp/before`. Writes bench/results/performance.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

DAYS = 30
CHUNK = 1_000_000


def make_data(rows: int, directory: Path) -> tuple[Path, Path]:
    """Binary predictions over 30 days (ids shuffled in time) and labels for 80 % of them."""
    rng = np.random.default_rng(0)
    preds, labels = directory / "predictions.parquet", directory / "labels.parquet"
    pw = lw = None
    for start in range(0, rows, CHUNK):
        n = min(CHUNK, rows - start)
        ids = rng.permutation(np.arange(start, start + n))
        p = rng.beta(2, 3, n)
        seconds = rng.integers(0, DAYS * 86400, n)
        ts = (np.datetime64("2024-01-01T00:00:00", "s") + seconds).astype("datetime64[us]")
        pt = pa.table(
            {"id": ids, "timestamp": ts, "prediction": (p >= 0.5).astype(np.int64), "score": p}
        )
        keep = rng.random(n) < 0.8
        lt = pa.table({"id": ids[keep], "label": (rng.random(n) < p)[keep].astype(np.int64)})
        pw = pw or pq.ParquetWriter(preds, pt.schema)
        lw = lw or pq.ParquetWriter(labels, lt.schema)
        pw.write_table(pt)
        lw.write_table(lt)
    assert pw is not None and lw is not None
    pw.close()
    lw.close()
    return preds, labels


def run_driftline(preds: str, labels: str, out: str) -> dict:
    from driftline.performance import run_performance

    result = run_performance(
        preds, labels, out, score_columns=["score"], window="1d", estimate=False
    )
    return _summary(result.document)


def _summary(document: dict) -> dict:
    overall = document["overall"]
    return {
        "windows": len(document["windows"]),
        "accuracy": overall["metrics"]["accuracy"],
        "roc_auc": overall["metrics"]["roc_auc"],
        "ranking": overall.get("ranking", {"method": "exact"}),
    }


def run_part(preds: str, labels: str, out: str, index: int, parts: int) -> dict:
    """One fan-out pod: the state of part `index` of `parts` (row groups of the file)."""
    from driftline.io.partitions import open_partition, plan_partitions
    from driftline.performance.partitioned import partition_state

    rows = pq.ParquetFile(preds).metadata.num_rows
    plan = plan_partitions(preds, target_rows=-(-rows // parts))
    part = plan.partitions[index]
    state = partition_state(open_partition(part), labels, score_columns=["score"], window="1d")
    state.save(str(Path(out) / f"state-{index}.json"))
    return {"rows": sum(w.rows for w in state.windows.values()), "parts": len(plan.partitions)}


def run_merge(out: str, parts: int) -> dict:
    from driftline.performance.partitioned import report_from_states
    from driftline.performance.state import PerformanceState

    states = (PerformanceState.load(Path(out) / f"state-{i}.json") for i in range(parts))
    result = report_from_states(states, Path(out) / "report", score_columns=["score"], window="1d")
    return _summary(result.document)


def run_peer(preds: str, labels: str, out: str) -> dict:
    """What a user would write: pandas merge, groupby day, scikit-learn per window."""
    import pandas as pd
    from sklearn import metrics as skm

    p = pd.read_parquet(preds)
    merged = p.merge(pd.read_parquet(labels), on="id", how="left")
    merged["day"] = merged["timestamp"].dt.floor("D")
    correct = total = 0
    windows = 0
    for _, w in merged.groupby("day"):
        lab = w.dropna(subset=["label"])
        y = lab["label"].astype(int)
        skm.accuracy_score(y, lab["prediction"])
        skm.precision_recall_fscore_support(y, lab["prediction"], average="macro")
        skm.roc_auc_score(y, lab["score"])
        skm.average_precision_score(y, lab["score"])
        skm.log_loss(y, lab["score"], labels=[0, 1])
        correct += int((y == lab["prediction"]).sum())
        total += len(lab)
        windows += 1
    return {"windows": windows, "accuracy": correct / total}


def _peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM: unlike ru_maxrss, not inherited from the parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(kind: str, preds: str, labels: str, out: str) -> None:
    if kind == "peer":
        import pandas  # noqa: F401  imports before the clock, on both sides
        import sklearn.metrics  # noqa: F401
    else:
        import driftline.performance  # noqa: F401
    start = time.perf_counter()
    if kind.startswith("part:"):
        _, index, parts = kind.split(":")
        info = run_part(preds, labels, out, int(index), int(parts))
    elif kind.startswith("merge:"):
        info = run_merge(out, int(kind.split(":")[1]))
    else:
        info = (run_driftline if kind == "driftline" else run_peer)(preds, labels, out)
    info["seconds"] = time.perf_counter() - start
    info["peak_rss_mb"] = _peak_rss_mb()
    print(json.dumps(info))
    with open(Path(out).parent / "children.jsonl", "a") as log:  # readable while it runs
        log.write(json.dumps({"kind": kind, **info}) + "\n")


def measure(kind: str, preds: Path, labels: Path, out: Path, src: str | None = None) -> dict:
    """Run one measurement in a fresh process (`src`: import driftline from there)."""
    import os

    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(preds), str(labels), str(out)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def fan_out(preds: Path, labels: Path, out: Path, parts: int) -> dict:
    """The fan-out path, one process per part in turn (as 1-CPU pods), then the merge."""
    out.mkdir(parents=True, exist_ok=True)
    pods = [measure(f"part:0:{parts}", preds, labels, out)]
    planned = pods[0]["parts"]  # row groups bound the parts: a small file makes fewer
    pods += [measure(f"part:{i}:{parts}", preds, labels, out) for i in range(1, planned)]
    merged = measure(f"merge:{planned}", preds, labels, out)
    merged["pod_seconds"] = [p["seconds"] for p in pods]
    merged["pod_peak_rss_mb"] = max(p["peak_rss_mb"] for p in pods)
    merged["state_mb"] = sum(f.stat().st_size for f in out.glob("state-*.json")) / 2**20
    return merged


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--peer-max", type=int, default=10_000_000)
    parser.add_argument("--before-src", help="a src folder of the code before, to compare")
    parser.add_argument("--before-max", type=int, default=10**12)
    parser.add_argument("--parts", type=int, default=0, help="fan-out parts (0: no fan-out)")
    parser.add_argument("--child", nargs=4)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "performance.md"
    )
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    import os

    import pandas
    import sklearn

    load_before = os.getloadavg()
    lines = [
        "# Performance windows benchmark",
        "",
        f"Machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
        f"{len(os.sched_getaffinity(0))} cores (shared), Python "
        f"{platform.python_version()}; pyarrow {pa.__version__}, pandas {pandas.__version__}, "
        f"scikit-learn {sklearn.__version__}, numpy {np.__version__}. Data seed 0.",
        "",
        "Binary predictions (id, timestamp, prediction, score) over 30 days, labels for 80 % "
        "of ids, daily windows, all classification metrics incl. ROC/PR AUC and log loss. "
        "Peer: pandas merge + groupby + scikit-learn (what one would write by hand). "
        "Peak RSS per process (VmHWM); seconds exclude imports. `bench/performance.py`.",
        "",
        "- `driftline`: `run_performance`, one process.",
        "- `driftline (before)`: the same call on the code before per-window states"
        + (" (`--before-src`)." if args.before_src else " (not run)."),
        "- `fan-out, N parts`: `partition_state` on each of N row-group parts in its own "
        "process (one pod each, run one after another here), then `report_from_states`; "
        "seconds = all parts + merge, peak RSS = the largest part's.",
        "",
        "| rows | tool | seconds | peak RSS MB | windows | overall ROC AUC | rank method "
        "| time / driftline | memory / driftline |",
        "|---:|---|---:|---:|---:|---:|---|---:|---:|",
    ]
    notes = []
    for rows in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            preds, labels = make_data(rows, work)
            results = {"driftline": measure("driftline", preds, labels, work / "out")}
            if args.before_src and rows <= args.before_max:
                results["driftline (before)"] = measure(
                    "driftline", preds, labels, work / "before", args.before_src
                )
            if args.parts:
                fanned = fan_out(preds, labels, work / "parts", args.parts)
                pods = fanned["pod_seconds"]
                results[f"fan-out, {len(pods)} parts"] = fanned
                notes.append(
                    f"- {rows:,} rows, fan-out: {len(pods)} parts of {rows // len(pods):,} rows, "
                    f"part seconds {min(pods):.1f}-{max(pods):.1f} (mean "
                    f"{sum(pods) / len(pods):.1f}), merge {fanned['seconds']:.1f} s, states "
                    f"{fanned['state_mb']:.1f} MB in all."
                )
            if rows <= args.peer_max:
                results["pandas+sklearn"] = measure("peer", preds, labels, work / "peer")
        ours = results["driftline"]
        for name, other in results.items():
            assert abs(other["accuracy"] - ours["accuracy"]) < 1e-12, (name, other, ours)
            if "roc_auc" in other:
                bound = max(
                    other["ranking"].get("roc_auc_error_bound", 0.0),
                    ours["ranking"].get("roc_auc_error_bound", 0.0),
                )
                assert abs(other["roc_auc"] - ours["roc_auc"]) <= bound + 1e-12, (name, other)
        for name, other in results.items():
            seconds = other["seconds"] + (sum(other.get("pod_seconds", [])))
            rss = other.get("pod_peak_rss_mb", other["peak_rss_mb"])
            if name.startswith("fan-out"):
                rss = max(rss, other["peak_rss_mb"])
            other["total_seconds"], other["rss"] = seconds, rss
        for name, other in results.items():
            auc = f"{other['roc_auc']:.6f}" if "roc_auc" in other else "–"
            ranking = other.get("ranking")
            method = "–"
            if ranking:
                method = ranking["method"]
                if method == "rounded":
                    method += (
                        f" ({ranking['significant_bits']} bits, bound "
                        f"{ranking['roc_auc_error_bound']:.1e})"
                    )
            ratio_t = other["total_seconds"] / ours["total_seconds"]
            ratio_m = other["rss"] / ours["rss"]
            lines.append(
                f"| {rows:,} | {name} | {other['total_seconds']:.1f} | {other['rss']:.0f} | "
                f"{other['windows']} | {auc} | {method} | {ratio_t:.2f} | {ratio_m:.2f} |"
            )
            print(lines[-1], flush=True)
    lines += [
        "",
        *notes,
        "",
        f"Load average (1/5/15 min) before: {_load(load_before)}; after: "
        f"{_load(os.getloadavg())} (2 cores shared with other jobs).",
        "",
        f"Command: `python bench/performance.py --sizes {args.sizes} --peer-max {args.peer_max}"
        + (f" --before-src {args.before_src}" if args.before_src else "")
        + (f" --parts {args.parts}" if args.parts else "")
        + "`",
    ]
    out = args.out
    previous = out.read_text() if out.exists() else ""
    out.write_text("\n".join(lines) + "\n" + _kept_sections(previous))
    print(out.read_text())


def _kept_sections(previous: str) -> str:
    """The hand-written sections of the results file (from `## Reading` on) stay."""
    marker = "\n## Reading"
    return previous[previous.index(marker) :] if marker in previous else ""


def _load(values: tuple[float, float, float]) -> str:
    return " / ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    main()
