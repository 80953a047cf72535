"""Benchmark: how close CBPE estimates come to the realized metrics, and how often the
realized value falls inside the 95 % interval, with and without the reference calibration,
against NannyML's CBPE when it is installed in a side virtual environment.

1. Simulated data with a known calibration error: the true positive rate p of each row is
   drawn from Beta(0.6, 0.6); the model's score is miscalibrated (under-confident
   0.5 + 0.6 (p - 0.5), or over-confident, p sharpened to p^2 / (p^2 + (1-p)^2)). A labelled
   reference of REFERENCE rows, then WINDOWS windows of WINDOW_ROWS rows, per seed.
2. The demo data (UCI bike sharing, hourly): a logistic "high demand" classifier fit on
   2011-01..08, the labelled reference 2011-09..12, monthly and quarterly windows of 2012
   (labels held back, used only to score the estimates). 2012 demand grew
   past the model's world (concept drift), which CBPE cannot see: the table shows it.

Usage: python bench/cbpe.py [--seeds 5] [--windows 40] [--nannyml /path/to/venv/bin/python]
Writes bench/results/cbpe.md.
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
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

from driftline.performance import run_performance
from driftline.performance.calibration import Calibration
from driftline.performance.estimate import estimate

REFERENCE = 5_000
WINDOW_ROWS = 1_000
METRICS = ("accuracy", "roc_auc", "f1")
ROOT = Path(__file__).resolve().parent.parent
HOUR_CSV = ROOT / "src" / "driftline" / "demo" / "data" / "hour.csv"
FEATURES = ["season", "hr", "holiday", "weekday", "workingday", "weathersit", "temp", "hum"]

NANNYML_SCRIPT = """
import json, sys
import nannyml as nml, pandas as pd
reference, analysis, out, chunk = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
chunking = ({"chunk_size": int(chunk)} if chunk.isdigit()
            else {"chunk_period": chunk, "timestamp_column_name": "timestamp"})
est = nml.CBPE(y_pred_proba="score", y_pred="prediction", y_true="label",
               metrics=["accuracy", "roc_auc", "f1"], problem_type="classification_binary",
               **chunking)
est.fit(pd.read_parquet(reference))
frame = est.estimate(pd.read_parquet(analysis)).filter(period="analysis").to_df()
rows = []
for i in range(len(frame)):
    row = {}
    for m in ["accuracy", "roc_auc", "f1"]:
        row[m] = {"value": float(frame[(m, "value")].iloc[i]),
                  "low": float(frame[(m, "lower_confidence_boundary")].iloc[i]),
                  "high": float(frame[(m, "upper_confidence_boundary")].iloc[i])}
    rows.append(row)
json.dump(rows, open(out, "w"))
"""


def underconfident(p: np.ndarray) -> np.ndarray:
    return 0.5 + 0.6 * (p - 0.5)


def overconfident(p: np.ndarray) -> np.ndarray:
    return p**2 / (p**2 + (1 - p) ** 2)


def realized(y: np.ndarray, predicted: np.ndarray, score: np.ndarray) -> dict[str, float]:
    return {
        "accuracy": accuracy_score(y, predicted),
        "roc_auc": roc_auc_score(y, score),
        "f1": f1_score(y, predicted),
    }


def binary(p: np.ndarray) -> np.ndarray:
    return np.column_stack([1 - p, p])


class Tally:
    """Errors and interval hits per (tool, metric)."""

    def __init__(self) -> None:
        self.errors: dict[tuple[str, str], list[float]] = {}
        self.hits: dict[tuple[str, str], list[bool]] = {}
        self.seconds: dict[str, float] = {}

    def add(self, tool: str, estimated: dict, actual: dict[str, float]) -> None:
        for m in METRICS:
            e = estimated[m]
            self.errors.setdefault((tool, m), []).append(actual[m] - e["value"])
            self.hits.setdefault((tool, m), []).append(e["low"] <= actual[m] <= e["high"])

    def rows(self, tools: list[str]) -> list[str]:
        out = []
        for tool in tools:
            cells = []
            for m in METRICS:
                errors = np.array(self.errors.get((tool, m), [np.nan]))
                hits = np.array(self.hits.get((tool, m), [False]))
                cells += [
                    f"{np.mean(np.abs(errors)):.4f}",
                    f"{np.mean(errors):+.4f}",
                    f"{np.mean(hits):.0%}",
                ]
            n = len(self.errors.get((tool, METRICS[0]), []))
            seconds = self.seconds.get(tool, float("nan"))
            out.append(f"| {tool} | {n} | " + " | ".join(cells) + f" | {seconds:.1f} |")
        return out


def nannyml(python: str | None, reference: pd.DataFrame, analysis: pd.DataFrame, chunk: int | str):
    """NannyML CBPE estimates per chunk (`chunk` rows, or a pandas period such as "Q" of the
    timestamp column), and its seconds; None without it."""
    if not python:
        return None, 0.0
    with tempfile.TemporaryDirectory() as work:
        ref, ana, out = (os.path.join(work, n) for n in ("r.parquet", "a.parquet", "o.json"))
        reference.to_parquet(ref)
        analysis.to_parquet(ana)
        started = time.perf_counter()
        quiet = {**os.environ, "NML_DISABLE_USAGE_LOGGING": "1", "PYTHONWARNINGS": "ignore"}
        command = [python, "-c", NANNYML_SCRIPT, ref, ana, out, str(chunk)]
        subprocess.run(command, check=True, env=quiet)
        seconds = time.perf_counter() - started
        return json.loads(Path(out).read_text()), seconds


def simulated(shape: str, seeds: int, windows: int, python: str | None, tally: Tally) -> None:
    miscalibrate = underconfident if shape == "under-confident" else overconfident
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        p_ref = rng.beta(0.6, 0.6, REFERENCE)
        s_ref = miscalibrate(p_ref)
        y_ref = (rng.random(REFERENCE) < p_ref).astype(int)
        p = rng.beta(0.6, 0.6, (windows, WINDOW_ROWS))
        y = (rng.random(p.shape) < p).astype(int)
        s = miscalibrate(p)
        started = time.perf_counter()
        calibration = Calibration.fit(y_ref, binary(s_ref), 1)
        for w in range(windows):
            predicted = (s[w] >= 0.5).astype(int)
            actual = realized(y[w], predicted, s[w])
            tally.add(
                "driftline", estimate(predicted, binary(s[w]), 1, calibration, w)["metrics"], actual
            )
        tally.seconds["driftline"] = (
            tally.seconds.get("driftline", 0) + time.perf_counter() - started
        )
        started = time.perf_counter()
        for w in range(windows):
            predicted = (s[w] >= 0.5).astype(int)
            actual = realized(y[w], predicted, s[w])
            tally.add(
                "driftline, no calibration",
                estimate(predicted, binary(s[w]), 1, None, w)["metrics"],
                actual,
            )
        key = "driftline, no calibration"
        tally.seconds[key] = tally.seconds.get(key, 0) + time.perf_counter() - started
        frame = lambda score, label: pd.DataFrame(  # noqa: E731
            {"score": score, "prediction": (score >= 0.5).astype(int), "label": label}
        )
        results, seconds = nannyml(
            python, frame(s_ref, y_ref), frame(s.ravel(), y.ravel()), WINDOW_ROWS
        )
        if results is not None:
            tally.seconds["NannyML 0.13"] = tally.seconds.get("NannyML 0.13", 0) + seconds
            for w, entry in enumerate(results[:windows]):
                predicted = (s[w] >= 0.5).astype(int)
                tally.add("NannyML 0.13", entry, realized(y[w], predicted, s[w]))


def demo(python: str | None, tallies: dict[str, Tally]) -> None:
    """Monthly ("1mo", pandas "M") and quarterly ("1q", "Q") windows of 2012."""
    data = pd.read_csv(HOUR_CSV)
    data["timestamp"] = pd.to_datetime(data["dteday"]) + pd.to_timedelta(data["hr"], unit="h")
    train = data[data["timestamp"] < "2011-09-01"]
    threshold = float(train["cnt"].median())
    model = LogisticRegression(max_iter=3000).fit(train[FEATURES], train["cnt"] > threshold)
    data["score"] = model.predict_proba(data[FEATURES])[:, 1]
    data["prediction"] = (data["score"] >= 0.5).astype(int)
    data["label"] = (data["cnt"] > threshold).astype(int)
    data["id"] = np.arange(len(data))
    reference = data[(data["timestamp"] >= "2011-09-01") & (data["timestamp"] < "2012-01-01")]
    current = data[data["timestamp"] >= "2012-01-01"]
    columns = ["id", "timestamp", "prediction", "score"]
    table = lambda f, c: pa.Table.from_pandas(f[c], preserve_index=False)  # noqa: E731
    for (window, period), tally in zip((("1mo", "M"), ("1q", "Q")), tallies.values(), strict=True):
        groups = [g for _, g in current.groupby(current["timestamp"].dt.to_period(period))]
        actuals = [
            realized(g["label"].to_numpy(), g["prediction"].to_numpy(), g["score"].to_numpy())
            for g in groups
        ]
        for tool, method in (("driftline", "isotonic"), ("driftline, no calibration", "none")):
            with tempfile.TemporaryDirectory() as work:
                started = time.perf_counter()
                result = run_performance(
                    table(current, columns),
                    None,
                    work,
                    reference=table(reference, ["prediction", "score", "label"]),
                    score_columns=["score"],
                    window=window,
                    calibration_method=method,
                )
                tally.seconds[tool] = time.perf_counter() - started
            windows = result.document["windows"]
            for entry, actual in zip(windows, actuals, strict=True):
                tally.add(tool, entry["estimate"]["metrics"], actual)
        if python:  # one NannyML call, one chunk per calendar period
            frame_columns = ["timestamp", "score", "prediction", "label"]
            results, seconds = nannyml(
                python, reference[frame_columns], current[frame_columns], period
            )
            assert results is not None and len(results) == len(groups)
            tally.seconds["NannyML 0.13"] = seconds
            for entry, actual in zip(results, actuals, strict=True):
                tally.add("NannyML 0.13", entry, actual)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--windows", type=int, default=40)
    parser.add_argument("--nannyml", default=os.environ.get("NANNYML_PYTHON"))
    args = parser.parse_args()
    tools = ["driftline", "driftline, no calibration"] + (["NannyML 0.13"] if args.nannyml else [])
    header = (
        "| tool | windows | "
        + " | ".join(f"{m} MAE | {m} bias | {m} inside" for m in METRICS)
        + " | seconds |\n|---|---:|"
        + "---:|" * (3 * len(METRICS) + 1)
    )
    sections = []
    for shape in ("under-confident", "over-confident"):
        tally = Tally()
        simulated(shape, args.seeds, args.windows, args.nannyml, tally)
        sections.append(
            f"### Simulated, {shape} scores\n\n{header}\n" + "\n".join(tally.rows(tools))
        )
    tallies = {"monthly": Tally(), "quarterly": Tally()}
    demo(args.nannyml, tallies)
    for name, tally in tallies.items():
        sections.append(
            f"### Demo data (bike sharing, {name} windows of 2012)\n\n"
            + header
            + "\n"
            + "\n".join(tally.rows(tools))
        )
    versions = {
        name: __import__(name).__version__ for name in ("numpy", "pandas", "pyarrow", "sklearn")
    }
    nanny = ""
    if args.nannyml:
        nanny = subprocess.run(
            [args.nannyml, "-c", "import nannyml; print(nannyml.__version__)"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    load = os.getloadavg()
    libraries = ", ".join(f"{k} {v}" for k, v in versions.items())
    libraries += f"; NannyML {nanny} (side venv)" if nanny else "; NannyML not installed"
    command = f"bench/cbpe.py --seeds {args.seeds} --windows {args.windows}"
    text = f"""# CBPE estimation benchmark

Machine: {platform.machine()}, {os.cpu_count()} cores (shared), Python {platform.python_version()};
{libraries}.
Seeds 0..{args.seeds - 1}; {args.windows} windows of {WINDOW_ROWS} rows per seed, a labelled
reference of {REFERENCE} rows per seed; `{command}`.
Load average (1/5/15 min) at the end: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}.

MAE and bias (realized - estimate) of each estimate against the value realized once the
labels are in; "inside": share of windows whose realized value fell inside the tool's
interval (driftline: the 95 % interval; NannyML: its default band, ±3 standard errors).
Seconds: the whole estimation of that table (driftline in-process; NannyML includes its
process start and Parquet I/O).

{chr(10).join(s + chr(10) for s in sections)}
"""
    out = Path(__file__).parent / "results" / "cbpe.md"
    out.write_text(text)
    print(text)


if __name__ == "__main__":
    sys.exit(main())
