"""Benchmark: direct loss estimation (regression error before labels) against the error
realized once the labels are in, and NannyML's DLE when it is installed in a side venv.

1. Simulated, with a known noise model: x1 ~ U(0, 1), x2 ~ N(0, 1), x3 ~ U(-1, 1); the model
   predicts 3 x1 + x2 (the true mean; x3 is a distractor) and the label adds noise of scale
   0.2 + 2 x1 (heteroscedastic):
   - "gaussian": Gaussian noise (the error's shape does not depend on the row, DLE's premise);
   - "shape changes": Gaussian where x1 < 0.5, Student t(3) (same scale) above: the shape
     depends on the row, the premise is broken.
   A labelled reference of REFERENCE rows per seed, then WINDOWS windows of WINDOW_ROWS rows,
   half drawn like the reference, half with x1 ~ U(0.5, 1) (covariate shift).
2. Real data (UCI bike sharing, hourly counts): a gradient-boosted regression of the hourly
   count on weather and calendar fields.
   - "2011 model, 2012 windows": fit on 2011-01..08, reference 2011-09..12, monthly and
     quarterly windows of 2012. Demand grew by 63 % in 2012 (concept drift): no estimate from
     the reference can see it, the table shows how far off both tools are.
   - "same months": fit on days 1-10 of every month of both years (with the year as a
     feature), reference days 11-20, monthly windows of days 21-31: no change between
     reference and windows beyond chance and the weather, the method's own accuracy on real
     data.

Usage: python bench/dle.py [--seeds 5] [--windows 40] [--nannyml /path/to/venv/bin/python]
Writes bench/results/dle.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from sklearn.ensemble import HistGradientBoostingRegressor

from driftline.performance.dle import Feature, LossModel

REFERENCE = 5_000
WINDOW_ROWS = 1_000
METRICS = ("mae", "rmse")
ROOT = Path(__file__).resolve().parent.parent
HOUR_CSV = ROOT / "src" / "driftline" / "demo" / "data" / "hour.csv"
BIKE_FEATURES = ["season", "hr", "holiday", "weekday", "workingday", "weathersit", "temp", "hum"]
SIMULATED_FEATURES = ["x1", "x2", "x3"]

NANNYML_SCRIPT = """
import json, sys
import nannyml as nml, pandas as pd
reference, analysis, out, chunk = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
features = json.loads(sys.argv[5])
chunking = ({"chunk_size": int(chunk)} if chunk.isdigit()
            else {"chunk_period": chunk, "timestamp_column_name": "timestamp"})
est = nml.DLE(feature_column_names=features, y_pred="prediction", y_true="label",
              metrics=["mae", "rmse"], **chunking)
est.fit(pd.read_parquet(reference))
frame = est.estimate(pd.read_parquet(analysis)).filter(period="analysis").to_df()
rows = []
for i in range(len(frame)):
    row = {}
    for m in ["mae", "rmse"]:
        row[m] = {"value": float(frame[(m, "value")].iloc[i]),
                  "low": float(frame[(m, "lower_confidence_boundary")].iloc[i]),
                  "high": float(frame[(m, "upper_confidence_boundary")].iloc[i])}
    rows.append(row)
json.dump(rows, open(out, "w"))
"""


def realized(prediction: np.ndarray, label: np.ndarray) -> dict[str, float]:
    error = prediction - label
    return {"mae": float(np.mean(np.abs(error))), "rmse": float(np.sqrt(np.mean(error**2)))}


class Tally:
    """Errors (realized - estimate), relative errors and interval hits per (tool, metric)."""

    def __init__(self) -> None:
        self.errors: dict[tuple[str, str], list[float]] = {}
        self.relative: dict[tuple[str, str], list[float]] = {}
        self.hits: dict[tuple[str, str], list[bool]] = {}
        self.seconds: dict[str, float] = {}

    def add(self, tool: str, estimated: dict, actual: dict[str, float]) -> None:
        for m in METRICS:
            e = estimated[m]
            self.errors.setdefault((tool, m), []).append(actual[m] - e["value"])
            self.relative.setdefault((tool, m), []).append(abs(actual[m] - e["value"]) / actual[m])
            self.hits.setdefault((tool, m), []).append(e["low"] <= actual[m] <= e["high"])

    def time(self, tool: str, seconds: float) -> None:
        self.seconds[tool] = self.seconds.get(tool, 0.0) + seconds

    def rows(self, label: str) -> list[str]:
        out = []
        for tool in dict.fromkeys(t for t, _ in self.errors):
            cells = []
            for m in METRICS:
                errors = np.array(self.errors[(tool, m)])
                cells += [
                    f"{np.mean(np.abs(errors)):.3f}",
                    f"{np.mean(self.relative[(tool, m)]):.1%}",
                    f"{np.mean(errors):+.3f}",
                    f"{np.mean(self.hits[(tool, m)]):.0%}",
                ]
            seconds = self.seconds.get(tool, float("nan"))
            out.append(
                f"| {label} | {tool} | {len(errors)} | " + " | ".join(cells) + f" | {seconds:.1f} |"
            )
        return out


HEADER = (
    "| data | tool | windows | "
    + " | ".join(f"{m} MAE | {m} rel. | {m} bias | {m} inside" for m in METRICS)
    + " | seconds |\n|---|---|---:|"
    + "---:|" * (4 * len(METRICS) + 1)
)


def nannyml(
    python: str | None,
    reference: pd.DataFrame,
    analysis: pd.DataFrame,
    chunk: int,
    features: list[str],
) -> tuple[list[dict] | None, float]:
    """NannyML DLE estimates per chunk of `chunk` rows, and its seconds; None without it."""
    if not python:
        return None, 0.0
    with tempfile.TemporaryDirectory() as work:
        ref, ana, out = (os.path.join(work, n) for n in ("r.parquet", "a.parquet", "o.json"))
        reference.to_parquet(ref)
        analysis.to_parquet(ana)
        started = time.perf_counter()
        quiet = {**os.environ, "NML_DISABLE_USAGE_LOGGING": "1", "PYTHONWARNINGS": "ignore"}
        command = [python, "-c", NANNYML_SCRIPT, ref, ana, out, str(chunk), json.dumps(features)]
        subprocess.run(command, check=True, env=quiet, stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - started
        return json.loads(Path(out).read_text()), seconds


def fit(frame: pd.DataFrame, features: list[str], seed: int = 0) -> LossModel:
    columns = [pa.chunked_array([pa.array(frame[c].to_numpy())]) for c in features]
    spec = [Feature.of(name, c) for name, c in zip(features, columns, strict=True)]
    return LossModel.fit(
        spec, columns, frame["prediction"].to_numpy(), frame["label"].to_numpy(), seed=seed
    )


def driftline_estimate(
    model: LossModel, frame: pd.DataFrame, features: list[str], seed: int
) -> dict:
    columns = [pa.array(frame[c].to_numpy()) for c in features]
    return model.estimate(columns, frame["prediction"].to_numpy(), seed)["metrics"]


def constant_estimate(reference: pd.DataFrame) -> dict:
    """The reference's realized error as the estimate of every window, without interval."""
    values = realized(reference["prediction"].to_numpy(), reference["label"].to_numpy())
    return {m: {"value": v, "low": v, "high": v} for m, v in values.items()}


def simulate(rng: np.random.Generator, n: int, noise: str, shifted: bool) -> pd.DataFrame:
    x1 = rng.uniform(0.5 if shifted else 0.0, 1, n)
    x2, x3 = rng.normal(size=n), rng.uniform(-1, 1, n)
    prediction = 3 * x1 + x2
    eps = rng.normal(size=n)
    if noise == "shape changes":
        t3 = rng.standard_t(3, n) / np.sqrt(3)  # unit variance
        eps = np.where(x1 < 0.5, eps, t3)
    label = prediction + (0.2 + 2 * x1) * eps
    return pd.DataFrame({"x1": x1, "x2": x2, "x3": x3, "prediction": prediction, "label": label})


def simulated(noise: str, seeds: int, windows: int, python: str | None) -> dict[str, Tally]:
    tallies = {"like the reference": Tally(), "x1 shifted": Tally()}
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        reference = simulate(rng, REFERENCE, noise, False)
        frames = [simulate(rng, WINDOW_ROWS, noise, bool(w % 2)) for w in range(windows)]
        started = time.perf_counter()
        model = fit(reference, SIMULATED_FEATURES, seed)
        estimates = [
            driftline_estimate(model, f, SIMULATED_FEATURES, w) for w, f in enumerate(frames)
        ]
        seconds = time.perf_counter() - started
        results, nanny_seconds = nannyml(
            python, reference, pd.concat(frames, ignore_index=True), WINDOW_ROWS, SIMULATED_FEATURES
        )
        constant = constant_estimate(reference)
        for w, frame in enumerate(frames):
            tally = tallies["x1 shifted" if w % 2 else "like the reference"]
            actual = realized(frame["prediction"].to_numpy(), frame["label"].to_numpy())
            tally.add("driftline", estimates[w], actual)
            tally.add("reference's error", constant, actual)
            if results is not None:
                tally.add("NannyML 0.13", results[w], actual)
        for tally in tallies.values():
            tally.time("driftline", seconds / 2)
            if results is not None:
                tally.time("NannyML 0.13", nanny_seconds / 2)
    return tallies


def bike() -> pd.DataFrame:
    data = pd.read_csv(HOUR_CSV)
    data["timestamp"] = pd.to_datetime(data["dteday"]) + pd.to_timedelta(data["hr"], unit="h")
    data["label"] = data["cnt"].astype(float)
    return data


def bike_windows(
    name: str,
    model_rows: pd.DataFrame,
    reference: pd.DataFrame,
    current: pd.DataFrame,
    features: list[str],
    periods: tuple[str, ...],
    python: str | None,
) -> list[str]:
    """Fit the count model, then estimate each period's MAE/RMSE with both tools."""
    regression = HistGradientBoostingRegressor(random_state=0).fit(
        model_rows[features], model_rows["label"]
    )
    reference = reference.assign(prediction=regression.predict(reference[features]))
    current = current.assign(prediction=regression.predict(current[features]))
    lines = []
    for period in periods:
        tally = Tally()
        groups = [g for _, g in current.groupby(current["timestamp"].dt.to_period(period))]
        started = time.perf_counter()
        model = fit(reference, features)
        estimates = [driftline_estimate(model, g, features, i) for i, g in enumerate(groups)]
        tally.time("driftline", time.perf_counter() - started)
        constant = constant_estimate(reference)
        for group, estimate in zip(groups, estimates, strict=True):
            actual = realized(group["prediction"].to_numpy(), group["label"].to_numpy())
            tally.add("reference's error", constant, actual)
            tally.add(
                "driftline",
                estimate,
                realized(group["prediction"].to_numpy(), group["label"].to_numpy()),
            )
        if python:  # one chunk per calendar period
            columns = [*features, "timestamp", "prediction", "label"]
            results, seconds = nannyml(
                python, reference[columns], current[columns], period, features
            )
            assert results is not None and len(results) == len(groups)
            tally.time("NannyML 0.13", seconds)
            for group, entry in zip(groups, results, strict=True):
                tally.add(
                    "NannyML 0.13",
                    entry,
                    realized(group["prediction"].to_numpy(), group["label"].to_numpy()),
                )
        label = f"{name}, {'monthly' if period == 'M' else 'quarterly'}"
        lines += tally.rows(label)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--windows", type=int, default=40)
    parser.add_argument("--nannyml", default=os.environ.get("NANNYML_PYTHON"))
    args = parser.parse_args()
    simulated_lines = []
    for noise in ("gaussian", "shape changes"):
        for kind, tally in simulated(noise, args.seeds, args.windows, args.nannyml).items():
            simulated_lines += tally.rows(f"{noise}, {kind}")
    data = bike()
    features = [*BIKE_FEATURES, "yr"]
    day = data["timestamp"].dt.day
    real_lines = bike_windows(
        "2011 model, 2012 windows",
        data[data["timestamp"] < "2011-09-01"],
        data[(data["timestamp"] >= "2011-09-01") & (data["timestamp"] < "2012-01-01")],
        data[data["timestamp"] >= "2012-01-01"],
        BIKE_FEATURES,
        ("M", "Q"),
        args.nannyml,
    )
    real_lines += bike_windows(
        "same months",
        data[day <= 10],
        data[(day > 10) & (day <= 20)],
        data[day > 20],
        features,
        ("M",),
        args.nannyml,
    )
    versions = {n: __import__(n).__version__ for n in ("numpy", "pandas", "pyarrow", "sklearn")}
    nanny = ""
    if args.nannyml:
        nanny = subprocess.run(
            [
                args.nannyml,
                "-c",
                "import nannyml, lightgbm; print(nannyml.__version__, lightgbm.__version__)",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    load = os.getloadavg()
    libraries = ", ".join(f"{k} {v}" for k, v in versions.items())
    libraries += (
        f"; NannyML {nanny[0]} with LightGBM {nanny[1]} (side venv)"
        if nanny
        else "; NannyML not installed"
    )
    text = f"""# Direct loss estimation (DLE) benchmark

Machine: {platform.machine()}, {os.cpu_count()} cores (shared), Python {platform.python_version()};
{libraries}.
Simulated: seeds 0..{args.seeds - 1}; per seed a labelled reference of {REFERENCE} rows and
{args.windows} windows of {WINDOW_ROWS} rows (half like the reference, half with x1 shifted);
`bench/dle.py --seeds {args.seeds} --windows {args.windows}`.
Load average (1/5/15 min) at the end: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}.

Per metric: MAE of the estimate against the value realized once the labels are in, the same
relative to the realized value ("rel."), bias (realized - estimate; negative: the estimate
ran high), and "inside": the share of windows whose realized value fell inside the tool's
interval (driftline: its 95 % interval; NannyML: its default band, ±3 standard errors of
the rows' error around the estimate). Seconds: fit + all estimates of that table (driftline
in-process; NannyML includes its process start and Parquet I/O, one call per seed or
table). "reference's error": the realized error of the whole reference taken as the
estimate of every window (what a monitor without an estimate assumes), with no interval.

### Simulated, known noise model

{HEADER}
{chr(10).join(simulated_lines)}

### Real data: UCI bike sharing, hourly counts, gradient-boosted regression

{HEADER}
{chr(10).join(real_lines)}
"""
    out = Path(__file__).parent / "results" / "dle.md"
    out.write_text(text)
    print(text)


if __name__ == "__main__":
    sys.exit(main())
