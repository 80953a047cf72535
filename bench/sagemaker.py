"""Benchmark: read SageMaker Data Capture, one hour out of a day, and the whole day.

driftline's `read_capture_table` against pandas (`read_json(lines=True)` on every file, the
CSV payloads split into columns, rows filtered on inferenceTime), the plain way to read
captures. Each run is its own process, so peak RSS is that run's alone.

    .venv/bin/python bench/sagemaker.py [--records-per-hour 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

DAY = datetime(2024, 5, 1, tzinfo=UTC)
HOURS = 24
FEATURES = 8
WINDOW_HOUR = 10


def generate(root: Path, per_hour: int) -> None:
    """24 hour folders of one variant, `per_hour` CSV records each, as an endpoint writes."""
    rng = np.random.default_rng(0)
    for hour in range(HOURS):
        moment = DAY + timedelta(hours=hour)
        folder = root / "ep" / "AllTraffic" / f"{moment:%Y/%m/%d/%H}"
        folder.mkdir(parents=True)
        values = rng.normal(size=(per_hour, FEATURES)).round(4)
        seconds = np.sort(rng.integers(0, 3600, per_hour))
        with (folder / "capture.jsonl").open("w") as out:
            for i in range(per_hour):
                stamp = moment + timedelta(seconds=int(seconds[i]))
                record = {
                    "captureData": {
                        "endpointInput": {
                            "observedContentType": "text/csv",
                            "mode": "INPUT",
                            "data": ",".join(map(str, values[i])),
                            "encoding": "CSV",
                        },
                        "endpointOutput": {
                            "observedContentType": "text/csv",
                            "mode": "OUTPUT",
                            "data": str(round(float(values[i].sum()), 4)),
                            "encoding": "CSV",
                        },
                    },
                    "eventMetadata": {
                        "eventId": f"{hour}-{i}",
                        "inferenceTime": f"{stamp:%Y-%m-%dT%H:%M:%SZ}",
                    },
                    "eventVersion": "0",
                }
                out.write(json.dumps(record) + "\n")


def _bounds(scope: str) -> tuple[datetime, datetime]:
    if scope == "hour":
        start = DAY + timedelta(hours=WINDOW_HOUR)
        return start, start + timedelta(hours=1)
    return DAY, DAY + timedelta(hours=HOURS)


def run_one(method: str, root: str, scope: str) -> dict[str, float]:
    """Read once in this process; rows, a checksum, seconds and the peak RSS."""
    import pandas as pd

    from driftline.io.sagemaker_capture import read_capture_table  # both pay the same imports

    start, end = _bounds(scope)
    began = time.perf_counter()
    if method == "driftline.read_capture_table":
        table, _ = read_capture_table(f"{root}/ep/AllTraffic", start, end)
        rows, checksum = table.num_rows, float(np.sum(table.column("_c0")))
    else:
        frames = [pd.read_json(p, lines=True) for p in sorted(Path(root).rglob("*.jsonl"))]
        frame = pd.concat(frames, ignore_index=True)
        times = pd.to_datetime(frame["eventMetadata"].map(lambda m: m["inferenceTime"]), utc=True)
        frame = frame[(times >= start) & (times < end)]
        data = frame["captureData"].map(lambda c: c["endpointInput"]["data"])
        columns = data.str.split(",", expand=True).astype(float)
        rows, checksum = len(columns), float(columns[0].sum())
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rows": rows, "checksum": round(checksum, 6), "seconds": seconds, "peak_mib": peak}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records-per-hour", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one", nargs=3, metavar=("METHOD", "ROOT", "SCOPE"))
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(*args.one)))
        return
    methods = ("driftline.read_capture_table", "pandas.read_json")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        generate(Path(folder), args.records_per_hour)
        for scope in ("hour", "day"):
            results = {}
            for method in methods:
                runs = []
                for _ in range(args.repeat):
                    out = subprocess.run(
                        [sys.executable, __file__, "--one", method, folder, scope],
                        check=True,
                        capture_output=True,
                        text=True,
                    )
                    runs.append(json.loads(out.stdout))
                if len({(r["rows"], r["checksum"]) for r in runs}) != 1:
                    raise SystemExit(f"{method} is not deterministic")
                results[method] = {
                    "rows": runs[0]["rows"],
                    "checksum": runs[0]["checksum"],
                    "seconds": statistics.median(r["seconds"] for r in runs),
                    "peak_mib": statistics.median(r["peak_mib"] for r in runs),
                }
            mine, peer = results[methods[0]], results[methods[1]]
            if (mine["rows"], mine["checksum"]) != (peer["rows"], peer["checksum"]):
                raise SystemExit(f"methods disagree on the {scope}: {mine} vs {peer}")
            for method in methods:
                r = results[method]
                rows.append(
                    f"| {method} | {scope} | {r['rows']:,} | {r['seconds']:.2f} | "
                    f"{r['peak_mib']:.0f} | {r['seconds'] / peer['seconds']:.2f} | "
                    f"{r['peak_mib'] / peer['peak_mib']:.2f} |"
                )
    write(rows, args)


def write(rows: list[str], args: argparse.Namespace) -> None:
    import pandas as pd
    import pyarrow as pa

    import driftline

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    total = args.records_per_hour * HOURS
    text = f"""# SageMaker Data Capture benchmark: one hour out of a day, and the whole day

- data: {HOURS} hour folders of one variant, {args.records_per_hour:,} records each \
({total:,} records; CSV payloads of {FEATURES} numbers, one prediction), local disk
- hour: the window [10:00, 11:00); day: all {HOURS} hours. driftline lists the window's hour \
folders (plus the next one) and decodes records into typed columns with eventId and \
inferenceTime; the peer (pandas) reads every file with `read_json(lines=True)`, splits the \
CSV payloads and filters on inferenceTime. Both must give the same rows and checksum.
- each run a fresh process (imports before the clock starts, the same on both sides); median \
of {args.repeat} runs; peak RSS = the process's max RSS
- machine: {platform.machine()}, {os.cpu_count()} cores (shared: load average {load} when \
the run ended); Python {platform.python_version()}, pandas {pd.__version__}, pyarrow \
{pa.__version__}, driftline {driftline.__version__}

| method | scope | rows | seconds | peak RSS MiB | time ratio vs peer | RSS ratio vs peer |
|---|---|---:|---:|---:|---:|---:|
{chr(10).join(rows)}
"""
    out = Path(__file__).parent / "results" / "sagemaker.md"
    out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
