"""`driftline performance` on files, its exit codes, and the self-contained HTML page."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from click.testing import CliRunner

from driftline.cli import main
from tests.unit.performance.conftest import Bike


def _files(bike: Bike, tmp_path: Path) -> tuple[Path, Path]:
    frame = bike.frame
    preds = tmp_path / "predictions.parquet"
    pq.write_table(
        pa.Table.from_pandas(frame[["id", "timestamp", "high_pred", "p_high", "season"]]), preds
    )
    labels = tmp_path / "labels.csv"
    frame[["id", "high"]].iloc[: len(frame) // 2].to_csv(labels, index=False)
    return preds, labels


def _args(preds: Path, labels: Path, out: Path) -> list[str]:
    return [
        "performance",
        "--predictions",
        str(preds),
        "--labels",
        str(labels),
        "--id-column",
        "id",
        "--timestamp-column",
        "timestamp",
        "--prediction-column",
        "high_pred",
        "--label-column",
        "high",
        "--task",
        "classification",
        "--window",
        "30d",
        "--score-columns",
        "p_high",
        "--segment-columns",
        "season",
        "--out",
        str(out),
    ]


def test_cli_writes_report_and_html(bike: Bike, tmp_path: Path) -> None:
    preds, labels = _files(bike, tmp_path)
    result = CliRunner().invoke(main, _args(preds, labels, tmp_path / "out"))
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "out" / "performance_report.json").read_text())
    assert doc["schema_version"] == "1.2" and doc["kind"] == "performance"
    windows = doc["windows"]
    assert {"start", "end", "rows", "labelled_rows", "metrics"} <= set(windows[0])
    assert windows[0]["label_coverage"] == 1.0 and windows[-1]["labelled_rows"] == 0
    html = (tmp_path / "out" / "performance_report.html").read_text()
    assert "<svg" in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "estimated accuracy" in html


def test_cli_fail_on_degradation_exits_3(bike: Bike, tmp_path: Path) -> None:
    preds, labels = _files(bike, tmp_path)
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({"accuracy": 0.99}))
    args = [*_args(preds, labels, tmp_path / "out"), "--baseline", str(baseline)]
    assert CliRunner().invoke(main, args).exit_code == 0
    result = CliRunner().invoke(main, [*args, "--fail-on-degradation"])
    assert result.exit_code == 3
    assert "degraded windows: 2011-12-22T00:00:00Z, 2012-01-21" in result.output


def test_cli_bad_input_exits_2_with_one_line(bike: Bike, tmp_path: Path) -> None:
    preds, labels = _files(bike, tmp_path)
    result = CliRunner().invoke(
        main, [*_args(preds, labels, tmp_path / "out"), "--window", "fortnight"]
    )
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: window 'fortnight' is not a window; expected a calendar period, a number "
        "followed by d (days), w (ISO weeks), mo (months), q (quarters) or y (years), e.g. 1d, "
        "1w, 1mo, 3mo, 1q, 1y; or a fixed duration in s, m, h, e.g. 30m, 1h, 1h30m, 1d12h"
    ]
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = CliRunner().invoke(
        main, [*_args(preds, labels, tmp_path / "o"), "--baseline", str(bad)]
    )
    assert result.exit_code == 2 and "cannot read baseline" in result.output
