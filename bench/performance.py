"""Benchmark: run_performance (streaming join + windows) vs pandas merge + scikit-learn.

Each measurement runs in its own process so peak RSS (ru_maxrss) is its own.
Usage: python bench/performance.py [--sizes 1000000,10000000] [--peer-max 10000000]
Writes bench/results/performance.md.
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
    return {
        "windows": len(result.document["windows"]),
        "accuracy": result.document["overall"]["metrics"]["accuracy"],
    }


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


def child(kind: str, preds: str, labels: str, out: str) -> None:
    start = time.perf_counter()
    info = (run_driftline if kind == "driftline" else run_peer)(preds, labels, out)
    info["seconds"] = time.perf_counter() - start
    info["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(info))


def measure(kind: str, preds: Path, labels: Path, out: Path) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(preds), str(labels), str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--peer-max", type=int, default=10_000_000)
    parser.add_argument("--child", nargs=4)
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
        f"{len(__import__('os').sched_getaffinity(0))} cores (shared), Python "
        f"{platform.python_version()}; pyarrow {pa.__version__}, pandas {pandas.__version__}, "
        f"scikit-learn {sklearn.__version__}, numpy {np.__version__}.",
        "",
        "Binary predictions (id, timestamp, prediction, score) over 30 days, labels for 80 % "
        "of ids, daily windows, all classification metrics incl. ROC/PR AUC and log loss. "
        "Peer: pandas merge + groupby + scikit-learn (what one would write by hand). "
        "Peak RSS per process (ru_maxrss). `bench/performance.py`.",
        "",
        "| rows | tool | seconds | peak RSS MB | windows | ratio time (peer/driftline) "
        "| ratio memory (peer/driftline) |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for rows in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            preds, labels = make_data(rows, Path(tmp))
            ours = measure("driftline", preds, labels, Path(tmp) / "out")
            peer = (
                measure("peer", preds, labels, Path(tmp) / "peer")
                if rows <= args.peer_max
                else None
            )
        if peer:
            assert abs(peer["accuracy"] - ours["accuracy"]) < 1e-12, (peer, ours)
        ratio_t = f"{peer['seconds'] / ours['seconds']:.2f}" if peer else "–"
        ratio_m = f"{peer['peak_rss_mb'] / ours['peak_rss_mb']:.2f}" if peer else "–"
        lines.append(
            f"| {rows:,} | driftline | {ours['seconds']:.1f} | "
            f"{ours['peak_rss_mb']:.0f} | {ours['windows']} | {ratio_t} | {ratio_m} |"
        )
        if peer:
            lines.append(
                f"| {rows:,} | pandas+sklearn | {peer['seconds']:.1f} | "
                f"{peer['peak_rss_mb']:.0f} | {peer['windows']} | | |"
            )
        print(lines[-1], flush=True)
    lines += [
        "",
        f"Load average (1/5/15 min) before: {_load(load_before)}; after: "
        f"{_load(os.getloadavg())} (2 cores shared with other jobs).",
    ]
    out = Path(__file__).parent / "results" / "performance.md"
    out.write_text("\n".join(lines) + "\n")
    print(out.read_text())


def _load(values: tuple[float, float, float]) -> str:
    return " / ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    main()
