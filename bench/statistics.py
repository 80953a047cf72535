"""Statistics benchmark: false-alarm and detection rates of the drift policies and methods.

Every replicate draws a fresh reference and current window from fixed seeds and runs
`check_drift` on them, one column per data shape, so the rates are those of the real path.

  null    reference and current from the same distribution: the share of replicates a
          column is flagged is its false-alarm rate; nominal alpha is 0.05 for the p-value
          tests (`auto`), the methods' default thresholds otherwise
  power   the current window shifted: the share flagged is the detection rate (reported,
          not asserted). Shifts are in robust scale units (the IQR).
  methods every method at its default threshold on the null shapes it applies to

Shapes: normal, lognormal, Student t2, Cauchy, Pareto(1.5), Poisson(3), binary 0/1 ints,
categorical with 2, 3, 10, 50 and 200 values (Zipf-like shares), with rare values (1% and
0.2%), and with values a small reference misses. Results: bench/results/statistics.md.

    .venv/bin/python bench/statistics.py           # the committed run (~2 h on a loaded machine)
    .venv/bin/python bench/statistics.py --quick   # small sizes and few seeds
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import scipy

from driftline.drift import check_drift
from driftline.drift.methods.base import DriftMethod
from driftline.drift.registry import all_methods
from driftline.errors import InputError
from driftline.io import ColumnKind

HERE = Path(__file__).resolve().parent
ALPHA = 0.05
Draw = Callable[[np.random.Generator, int, bool], np.ndarray]


def _zipf(k: int) -> np.ndarray:
    shares = 1.0 / np.arange(1, k + 1)
    return shares / shares.sum()


def _categorical(shares: np.ndarray, shifted: np.ndarray | None = None) -> Draw:
    labels = np.array([f"v{i:03d}" for i in range(len(shares))])

    def draw(rng: np.random.Generator, n: int, shift: bool) -> np.ndarray:
        p = shifted if shift and shifted is not None else shares
        return labels[rng.choice(len(p), n, p=p)]

    return draw


def _numeric(sample: Callable[[np.random.Generator, int], np.ndarray], iqr: float) -> Callable:
    def shifted(mean: float = 0.0, scale: float = 1.0) -> Draw:
        def draw(rng: np.random.Generator, n: int, shift: bool) -> np.ndarray:
            x = sample(rng, n)
            return x * scale + mean * iqr if shift else x

        return draw

    return shifted


NORMAL = _numeric(lambda r, n: r.normal(0, 1, n), 1.349)
T2 = _numeric(lambda r, n: r.standard_t(2, n), 1.633)
CAUCHY = _numeric(lambda r, n: r.standard_cauchy(n), 2.0)
PARETO = _numeric(lambda r, n: r.pareto(1.5, n) + 1.0, 1.52)
LOGNORMAL = _numeric(lambda r, n: r.lognormal(0, 1, n), 1.46)


def _ints(sample: Callable[[np.random.Generator, int], np.ndarray]) -> Draw:
    return lambda rng, n, shift: sample(rng, n).astype(np.int64)


def _rare() -> np.ndarray:
    shares = np.array([0.5, 0.3, 0.188, 0.01, 0.002])
    return shares / shares.sum()


def _doubled(shares: np.ndarray, index: int) -> np.ndarray:
    out = shares.copy()
    out[index] *= 2
    rest = np.ones(len(out), bool)
    rest[index] = False
    out[rest] *= (1 - out[index]) / out[rest].sum()
    return out


THREE_PCT = np.array([0.6, 0.37, 0.03])
NULL_SHAPES: dict[str, Draw] = {
    "normal": NORMAL(),
    "lognormal": LOGNORMAL(),
    "t2 (heavy tails)": T2(),
    "cauchy": CAUCHY(),
    "pareto 1.5": PARETO(),
    "poisson(3) ints": _ints(lambda r, n: r.poisson(3, n)),
    "binary 0/1 ints": _ints(lambda r, n: r.random(n) < 0.3),
    "2 categories": _categorical(np.array([0.7, 0.3])),
    "3 categories": _categorical(_zipf(3)),
    "10 categories": _categorical(_zipf(10)),
    "50 categories": _categorical(_zipf(50)),
    "200 categories": _categorical(_zipf(200)),
    "rare categories (1%, 0.2%)": _categorical(_rare()),
}
POWER_SHAPES: dict[str, Draw] = {
    "normal, mean +0.1 IQR": NORMAL(mean=0.1),
    "normal, mean +0.5 IQR": NORMAL(mean=0.5),
    "normal, variance x1.5": NORMAL(scale=math.sqrt(1.5)),
    "t2, variance x1.5 (scale x1.22)": T2(scale=math.sqrt(1.5)),
    "cauchy, +0.5 IQR": CAUCHY(mean=0.5),
    "pareto 1.5, +0.5 IQR": PARETO(mean=0.5),
    "10 categories, one share doubled": _categorical(_zipf(10), _doubled(_zipf(10), 3)),
    "rare category 3% -> 6%": _categorical(THREE_PCT, _doubled(THREE_PCT, 2)),
    "new category at 5%": _categorical(np.array([0.6, 0.4, 0.0]), np.array([0.57, 0.38, 0.05])),
}


def _tables(
    shapes: dict[str, Draw], rng: np.random.Generator, n_ref: int, n_cur: int, shift: bool
) -> tuple[pa.Table, pa.Table]:
    ref = {name: draw(rng, n_ref, False) for name, draw in shapes.items()}
    cur = {name: draw(rng, n_cur, shift) for name, draw in shapes.items()}
    return pa.table(ref), pa.table(cur)


def rates(
    shapes: dict[str, Draw], method: str, n_ref: int, n_cur: int, seeds: int, shift: bool
) -> dict[str, tuple[float, str]]:
    """Per shape: (share of `seeds` replicates flagged, methods chosen)."""
    flagged = dict.fromkeys(shapes, 0)
    unknown = dict.fromkeys(shapes, 0)
    chosen: dict[str, set[str]] = {name: set() for name in shapes}
    for seed in range(seeds):
        rng = np.random.default_rng([n_ref, n_cur, seed, int(shift)])
        ref, cur = _tables(shapes, rng, n_ref, n_cur, shift)
        result = check_drift(ref, cur, method=method, kinds=_kinds(shapes))
        for column in result.columns:
            flagged[column.name] += column.drift_detected
            unknown[column.name] += column.status == "unknown"
            chosen[column.name].add(column.method)
    return {
        name: (flagged[name] / seeds, "/".join(sorted(chosen[name])) + _unknown(unknown[name]))
        for name in shapes
    }


def _unknown(count: int) -> str:
    return f" ({count} unknown)" if count else ""


def _kinds(shapes: dict[str, Draw]) -> dict[str, str]:
    return {name: "categorical" for name in shapes if "categor" in name}


def tolerance(seeds: int) -> float:
    """The binomial tolerance: alpha + 3 standard errors of a rate over `seeds` replicates."""
    return ALPHA + 3 * math.sqrt(ALPHA * (1 - ALPHA) / seeds)


def _pct(rate: float) -> str:
    return f"{100 * rate:.1f} %"


def policy_tables(sizes: list[tuple[int, int, int]], out: list[str]) -> None:
    for title, shapes, shift in (
        ("False alarms (same distribution)", NULL_SHAPES, False),
        ("Detection (shifted current window)", POWER_SHAPES, True),
    ):
        out.append(f"\n## {title}\n")
        for n_ref, n_cur, seeds in sizes:
            seeds = max(seeds // 2, 4) if shift else seeds  # detection: reported, not asserted
            start = time.time()
            auto = rates(shapes, "auto", n_ref, n_cur, seeds, shift)
            evidently = rates(shapes, "evidently", n_ref, n_cur, seeds, shift)
            limit = tolerance(seeds)
            out.append(
                f"\n### reference {n_ref:,} rows, current {n_cur:,} rows, {seeds} seeds "
                f"({time.time() - start:.0f} s)\n"
            )
            bound = f" | auto ≤ {_pct(limit)}?" if not shift else ""
            out.append(f"| column | auto | auto's method | evidently | evidently's method{bound} |")
            out.append("|---|---|---|---|---|" + ("---|" if not shift else ""))
            for name in shapes:
                row = f"| {name} | {_pct(auto[name][0])} | {auto[name][1]} | "
                row += f"{_pct(evidently[name][0])} | {evidently[name][1]} |"
                if not shift:
                    row += " yes |" if auto[name][0] <= limit else " **no** |"
                out.append(row)
            print(f"{title}: {n_ref}/{n_cur} done in {time.time() - start:.0f} s", flush=True)


def method_tables(sizes: list[tuple[int, int, int]], out: list[str]) -> None:
    out.append("\n## Every method, same distribution (false alarms at the default threshold)\n")
    out.append(
        "Each method's own scoring (`DriftMethod.score_exact`) on the null shapes it applies "
        "to; `refused` where the method refuses the column (chi2/z on continuous columns, "
        "fisher_exact on more than 2 values); `n unknown` counts NaN scores.\n"
    )
    for n_ref, n_cur, seeds in sizes:
        start = time.time()
        out.append(f"\n### reference {n_ref:,}, current {n_cur:,}, {seeds} seeds\n")
        out.append("| method | threshold | " + " | ".join(NULL_SHAPES) + " |")
        out.append("|---|---|" + "---|" * len(NULL_SHAPES))
        samples = [
            _tables(
                NULL_SHAPES, np.random.default_rng([n_ref, n_cur, seed, 0]), n_ref, n_cur, False
            )
            for seed in range(seeds)
        ]
        for method in all_methods():
            cells = [_method_rate(method, name, samples) for name in NULL_SHAPES]
            out.append(
                f"| {method.name} | {method.default_threshold:g} | " + " | ".join(cells) + " |"
            )
        print(f"methods: {n_ref}/{n_cur} done in {time.time() - start:.0f} s", flush=True)


def _method_rate(method: DriftMethod, name: str, samples: list[tuple[pa.Table, pa.Table]]) -> str:
    kind = ColumnKind.CATEGORICAL if "categor" in name else ColumnKind.NUMERIC
    if kind not in method.kinds:
        return ""
    if method.name in ("empirical_mmd", "TVD"):
        samples = samples[: max(len(samples) // 4, 10)]  # permutation tests: slow
    flagged = unknown = 0
    for ref_table, cur_table in samples:
        ref, cur = ref_table[name].to_numpy(), cur_table[name].to_numpy()
        if kind is ColumnKind.CATEGORICAL:
            _, codes = np.unique(np.concatenate([ref, cur]), return_inverse=True)
            ref, cur = codes[: len(ref)], codes[len(ref) :]
        try:
            score = method.score_exact(ref, cur, kind)
        except InputError:
            return "refused"
        unknown += math.isnan(score)
        flagged += method.is_drift(score, method.default_threshold)
    return _pct(flagged / len(samples)) + (f" ({unknown} unknown)" if unknown else "")


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, few seeds")
    args = parser.parse_args()
    if args.quick:
        policy_sizes = [(100, 100, 20), (1000, 1000, 20), (1001, 1000, 20)]
        method_sizes = [(200, 200, 10)]
    else:
        policy_sizes = [
            (100, 100, 100),
            (1000, 1000, 100),
            (1001, 1000, 100),
            (1000, 10_000, 100),
            (10_000, 10_000, 100),
            (100_000, 100_000, 100),
            (1_000_000, 1_000_000, 40),
        ]
        method_sizes = [(300, 300, 100)]
    started = time.time()
    out = [
        "# Statistics benchmark (bench/statistics.py)\n",
        f"- machine: {os.cpu_count()} cores, shared; load average {_load()} at the start, so the"
        " times in the headings say nothing about speed",
        f"- python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__},"
        f" pyarrow {pa.__version__}; run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "- seeds: replicate k of size (n_ref, n_cur) uses `numpy.random.default_rng([n_ref, n_cur,"
        " k, shifted])`; alpha = 0.05; the tolerance is alpha + 3 binomial standard errors",
        f"- command: `.venv/bin/python bench/statistics.py{' --quick' if args.quick else ''}`",
        "- a column is flagged when `check_drift` (the real path) says it drifted; `auto`'s column"
        ' is "yes" when its rate is within the tolerance',
    ]
    policy_tables(policy_sizes, out)
    method_tables(method_sizes, out)
    out.append(f"\nTotal run time: {time.time() - started:.0f} s.")
    target = HERE / "results" / ("statistics-quick.md" if args.quick else "statistics.md")
    target.write_text("\n".join(out) + "\n")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
