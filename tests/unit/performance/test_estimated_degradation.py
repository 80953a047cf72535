"""No labels yet: estimates, and an estimated degradation marked as estimated everywhere."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from prometheus_client import generate_latest

from driftline.alerting.notify import build_alert
from driftline.cli import main
from driftline.lineage.summaries import headline_of
from driftline.observability.metrics import build_registry
from driftline.performance import run_performance
from driftline.report import PerformanceReport


@pytest.fixture()
def unlabelled(tmp_path: Path) -> Path:
    """Two days of predictions without a label column: day 1 confident, day 2 near 0.5."""
    rng = np.random.default_rng(9)
    rows = 2000
    day2 = np.arange(rows) >= rows // 2
    p = np.where(day2, rng.uniform(0.35, 0.65, rows), rng.choice([0.02, 0.98], rows))
    frame = pd.DataFrame(
        {
            "id": np.arange(rows),
            "timestamp": pd.Timestamp("2024-05-01") + pd.to_timedelta(np.arange(rows) * 86.4, "s"),
            "prediction": (p >= 0.5).astype(int),
            "p": p,
        }
    )
    path = tmp_path / "predictions.parquet"
    frame.to_parquet(path)
    return path


def test_no_labels_at_all_gives_estimates(unlabelled: Path, tmp_path: Path) -> None:
    """Issue 18: "With no labels yet, `driftline performance` runs without a labels file or
    label column ... The report says "no labels yet" and gives estimates.\""""
    out = tmp_path / "out"
    done = CliRunner().invoke(
        main,
        [
            "performance",
            "--predictions",
            str(unlabelled),
            "--score-columns",
            "p",
            "--out",
            str(out),
        ],
    )
    assert done.exit_code == 0, done.output
    report = json.loads((out / "performance_report.json").read_text())
    assert report["label_status"] == "no labels yet"
    assert all(w["status"] == "no labels" for w in report["windows"])
    day1 = report["windows"][0]["estimate"]["metrics"]["accuracy"]
    assert day1["value"] == pytest.approx(0.98, abs=1e-9)
    assert "no labels yet" in (out / "performance_report.html").read_text()


def test_estimated_degradation_is_marked_estimated(unlabelled: Path, tmp_path: Path) -> None:
    """Issue 18: an estimated metric below the threshold with its interval raises an estimated
    degradation, marked as estimated in the report, the metrics, MLMD and the alert; the
    CLI fails on it only with --include-estimated."""
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({"accuracy": 0.95}))
    args = [
        *("performance", "--predictions", str(unlabelled), "--score-columns", "p"),
        *("--baseline", str(baseline), "--fail-on-degradation"),
    ]
    plain = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "a")])
    assert plain.exit_code == 0, plain.output
    assert "estimated degradation" in plain.output
    strict = CliRunner().invoke(main, [*args, "--include-estimated", "--out", str(tmp_path / "b")])
    assert strict.exit_code == 3, strict.output

    report = PerformanceReport.load(tmp_path / "a")
    day1, day2 = report.windows
    assert not report.degraded and report.estimated_degraded
    assert report.estimated_degraded_windows == [day2.start]
    judged = (day2.model_extra or {})["estimated_degradation"]["accuracy"]
    assert judged["degraded"] and judged["high"] < 0.95 * 0.9
    assert not (day1.model_extra or {})["estimated_degraded"]
    assert headline_of(report)["estimated_degraded"] is True
    alert = build_alert(model="m", window_start="s", window_end="e", performance_report=report)
    assert alert is not None and "by estimate (CBPE, labels not in yet)" in alert.reasons[0]
    registry = build_registry("m", "ns", performance_report=report, run_timestamp=0.0)
    line = next(
        x
        for x in generate_latest(registry).decode().splitlines()
        if x.startswith("driftline_performance_estimated_degraded{")
    )
    assert line.endswith(" 1.0")


def test_scalars_mark_estimates(unlabelled: Path, tmp_path: Path) -> None:
    result = run_performance(str(unlabelled), None, tmp_path, score_columns=["p"])
    names = result.scalars()
    assert any(n.startswith("estimated_accuracy@") for n in names)
    assert not any(n.startswith("accuracy@") for n in names)
