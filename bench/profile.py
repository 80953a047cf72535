"""Benchmark: profile_source over a generated Parquet file vs a plain pyarrow scan.

Writes bench/results/profile.md. Each measurement runs in a fresh subprocess so its peak RSS
(ru_maxrss) is its own. Usage: python bench/profile.py [rows ...]  (default 1M, 2M, 4M rows).
"""

from __future__ import annotations

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
import pyarrow.compute as pc
import pyarrow.parquet as pq

NUMERIC, CATEGORICAL = 20, 5
#: reader -> (profile mode, peer scan mode)
READERS = {
    "driftline.io.iter_batches (dataset scanner)": ("profile", "scan"),
    "pyarrow ParquetFile.iter_batches": ("profile_file", "scan_file"),
}
RESULTS = Path(__file__).parent / "results" / "profile.md"


def generate(path: Path, rows: int, seed: int = 0) -> None:
    """20 numeric (mixed distributions, some nulls) + 5 categorical (10 to 100k distinct)."""
    rng = np.random.default_rng(seed)
    writer = None
    chunk = 500_000
    for offset in range(0, rows, chunk):
        n = min(chunk, rows - offset)
        columns: dict[str, pa.Array] = {}
        for i in range(NUMERIC):
            values = rng.lognormal(i % 5, 1.0, n) if i % 2 else rng.normal(i, 3.0, n)
            columns[f"num{i}"] = pa.array(values, mask=rng.random(n) < 0.01)
        for i, distinct in enumerate((10, 100, 1_000, 10_000, 100_000)):
            codes = pa.array(rng.zipf(1.3, n) % distinct)
            columns[f"cat{i}"] = pc.binary_join_element_wise("v", codes.cast(pa.string()), "")
        table = pa.table(columns)
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    assert writer is not None
    writer.close()


def measure(mode: str, path: str) -> dict[str, float]:
    """Run in a child process: time one pass and report peak RSS."""
    from driftline.io import iter_batches
    from driftline.profile import profile_batches, profile_source

    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_start = usage.ru_utime + usage.ru_stime
    start = time.perf_counter()
    if mode == "profile":
        profile_source(path)
    elif mode == "profile_file":
        profile_batches(pq.ParquetFile(path).iter_batches(batch_size=131_072))
    else:
        batches = (
            iter_batches(path)
            if mode == "scan"
            else pq.ParquetFile(path).iter_batches(batch_size=131_072)
        )
        for batch in batches:  # a plain scan that touches every column
            for column in batch.columns:
                pc.count(column)
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu_start
    return {"seconds": seconds, "cpu": cpu, "peak_rss_mb": usage.ru_maxrss / 1024}


def run_child(mode: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def main(sizes: list[int], out: Path = RESULTS, label: str = "") -> None:
    import driftline

    lines = [
        "# Profile benchmark",
        "",
        f"Machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
        f"Python {platform.python_version()}, numpy {np.__version__}, pyarrow {pa.__version__}, "
        f"driftline {driftline.__version__}. Shared 2-core machine (other jobs running): "
        "times vary up to 2x between runs.",
        "",
        f"Data: generated Parquet, {NUMERIC} numeric + {CATEGORICAL} categorical columns "
        "(zipf codes, 10 to 100k distinct). Peer: a plain pyarrow scan of the same columns "
        "through the same reader (pc.count per column). Each row is a fresh process.",
        "",
        "| rows | reader | profile s | scan s | time ratio | profile CPU-s | scan CPU-s "
        "| CPU ratio | profile peak RSS MB | scan peak RSS MB |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory() as folder:
        for rows in sizes:
            path = Path(folder) / f"data_{rows}.parquet"
            generate(path, rows)
            for reader, (profile_mode, scan_mode) in READERS.items():
                prof, scan = run_child(profile_mode, path), run_child(scan_mode, path)
                lines.append(
                    f"| {rows:,} | {reader} | {prof['seconds']:.1f} | {scan['seconds']:.1f} | "
                    f"{prof['seconds'] / scan['seconds']:.1f}x | {prof['cpu']:.1f} | "
                    f"{scan['cpu']:.1f} | {prof['cpu'] / scan['cpu']:.1f}x | "
                    f"{prof['peak_rss_mb']:.0f} | "
                    f"{scan['peak_rss_mb']:.0f} |"
                )
                print(lines[-1], flush=True)
            path.unlink()
    lines += [
        "",
        "Profiling adds a flat ~10 MB of peak RSS over the plain scan of the same reader "
        "(ParquetFile rows): the profile state is bounded (sketch buckets, capped category "
        "counts, a 4 KiB HyperLogLog per column). The absolute peak grows with the file for the "
        "plain scan as well: pyarrow's reader and allocator, not profile state; through the "
        "dataset scanner a slower consumer also lets read-ahead buffer more (an io-layer knob).",
    ]
    if label:
        lines.insert(2, label)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(measure(sys.argv[2], sys.argv[3])))
    else:
        import argparse

        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("rows", nargs="*", type=int)
        parser.add_argument("--out", type=Path, default=RESULTS)
        parser.add_argument("--label", default="", help="a line saying what code was measured")
        args = parser.parse_args()
        main(args.rows or [1_000_000, 2_000_000, 4_000_000], args.out, args.label)
