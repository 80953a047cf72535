"""Benchmark: publishing a monitoring run's metrics (build + exposition + Pushgateway push).

driftline's `publish_monitoring_metrics` (reads the report documents, builds the
registry, renders the exposition text, pushes) against a peer measured in the
same run: the same series set directly with prometheus-client gauges and
pushed with `push_to_gateway` — so the ratio is driftline's overhead. The
Pushgateway is the real Debian binary on a loopback port. Memory: tracemalloc
peak of one publish. Writes bench/results/monitoring.md.

Run: .venv/bin/python bench/monitoring.py [--columns 100 1000 5000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import requests
from prometheus_client import CollectorRegistry, Gauge, generate_latest, push_to_gateway

from driftline.observability.publish import publish_monitoring_metrics

RESULTS = Path(__file__).parent / "results" / "monitoring.md"


def drift_report(columns: int) -> dict[str, Any]:
    cols = [
        {"name": f"f{i}", "kind": "numeric", "method": "ks", "score": (i % 100) / 100,
         "threshold": 0.05, "drift_detected": i % 3 == 0, "direction": "p_value"}
        for i in range(columns)
    ]  # fmt: skip
    return {
        "schema_version": "1.0", "kind": "drift", "drift_detected": True, "drift_share": 0.33,
        "drift_share_threshold": 0.5, "number_of_columns": columns,
        "number_of_drifted_columns": columns // 3, "mode": "exact", "reference_rows": 1,
        "current_rows": 1, "prediction": None, "columns": cols,
    }  # fmt: skip


def peer(report: dict[str, Any], url: str | None) -> str:
    registry = CollectorRegistry()
    base = ("model", "namespace")
    labels = {"model": "bike", "namespace": "ml"}
    Gauge("driftline_last_run_timestamp_seconds", "t", base, registry=registry).labels(
        **labels
    ).set(time.time())
    Gauge("driftline_drift_share", "s", base, registry=registry).labels(**labels).set(
        report["drift_share"]
    )
    score = Gauge("driftline_feature_drift_score", "d", (*base, "feature", "method", "direction"),
                  registry=registry)  # fmt: skip
    flag = Gauge("driftline_feature_drift_detected", "f", (*base, "feature", "method"),
                 registry=registry)  # fmt: skip
    for c in report["columns"]:
        score.labels(**labels, feature=c["name"], method=c["method"], direction=c["direction"]).set(
            c["score"]
        )
        flag.labels(**labels, feature=c["name"], method=c["method"]).set(c["drift_detected"])
    if url:
        push_to_gateway(url, "driftline", registry,
                        {"model": "bike", "namespace": "ml", "pipeline": "peer"})  # fmt: skip
    return generate_latest(registry).decode()


def ours(report: dict[str, Any], url: str | None) -> str:
    return publish_monitoring_metrics("bike", "ml", drift_report=report, pushgateway_url=url).text


def measure(fn: Callable[[], str], repeat: int) -> tuple[float, float, int]:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    text = fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(times), peak / 2**20, text.count("\n")


def pushgateway() -> tuple[subprocess.Popen[bytes], str]:
    binary = shutil.which("prometheus-pushgateway")
    if binary is None:
        sys.exit("prometheus-pushgateway not found (apt-get install prometheus-pushgateway)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [binary, f"--web.listen-address=127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tempfile.gettempdir(),
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if requests.get(f"{url}/-/ready", timeout=1).ok:
                return proc, url
        except requests.RequestException:
            time.sleep(0.1)
    proc.terminate()
    sys.exit("pushgateway did not become ready")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--columns", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    proc, url = pushgateway()
    rows = []
    try:
        for columns in args.columns:
            report = drift_report(columns)
            for push in (False, True):
                target = url if push else None
                d = measure(lambda r=report, t=target: ours(r, t), args.repeat)
                p = measure(lambda r=report, t=target: peer(r, t), args.repeat)
                rows.append((columns, push, d, p))
                print(columns, push, d, p, flush=True)
    finally:
        proc.terminate()
        proc.wait(10)
    versions = ", ".join(f"{name} {version(name)}" for name in ("driftline", "prometheus-client"))
    lines = [
        "# Monitoring benchmark: publishing a run's metrics",
        "",
        f"Run `python bench/monitoring.py --columns {' '.join(map(str, args.columns))} "
        f"--repeat {args.repeat}` on {time.strftime('%Y-%m-%d')}.",
        f"Machine: {platform.machine()}, {len(__import__('os').sched_getaffinity(0))} cores "
        f"(shared), Linux {platform.release()}, Python {platform.python_version()}; {versions}; "
        "Pushgateway: Debian prometheus-pushgateway on loopback.",
        "Input: a drift report with N feature columns (one score + one flag series each). "
        "Peer: the same series set directly with prometheus-client gauges "
        "(+ `push_to_gateway`). Median of the repeats; memory = tracemalloc peak of one call.",
        "",
        "| columns | push | series lines | driftline s | peer s | time ratio | driftline peak MiB "
        "| peer peak MiB |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for columns, push, (dt, dm, dl), (pt, pm, _) in rows:
        lines.append(
            f"| {columns:,} | {'yes' if push else 'no'} | {dl:,} | {dt:.4f} | {pt:.4f} | "
            f"{dt / pt:.2f} | {dm:.1f} | {pm:.1f} |"
        )
    RESULTS.write_text("\n".join(lines) + "\n")
    print(RESULTS.read_text())


if __name__ == "__main__":
    main()
