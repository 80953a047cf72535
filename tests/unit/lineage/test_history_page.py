"""`driftline history MODEL --html OUT`: the history page from a real SQLite MLMD."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from driftline.cli import main
from driftline.lineage import record_monitoring_result
from driftline.lineage.history_page import html_page_of
from tests.unit.lineage.support import (
    drift_report,
    performance_report,
    validation_report,
    write_json,
)


def _record(store, model_id: int, root: Path, day: int, share: float, degraded: bool) -> None:
    folder = root / f"run-{day}"
    reports = [
        write_json(folder / "check-drift" / "report", drift_report(share)),
        write_json(folder / "validate-data" / "report", validation_report("ok")),
        write_json(folder / "compute-performance" / "report", performance_report(degraded)),
    ]
    record_monitoring_result(
        store, model_id, reports, run_id=f"mon-{day}", task="record",
        window_start=f"2012-01-0{day}T00:00:00+00:00",
        window_end=f"2012-01-0{day + 1}T00:00:00+00:00",
    )  # fmt: skip


def test_history_page_shows_every_window_and_when_the_alerts_began(
    store, store_uri, trained, tmp_path: Path
) -> None:
    # day 1 quiet, day 2 drift only, days 3-4 drift and degraded performance
    for day, share, degraded in [(1, 0.25, False), (2, 0.75, False), (3, 0.75, True),
                                 (4, 0.5, True)]:  # fmt: skip
        _record(store, trained.model_id, tmp_path, day, share, degraded)
    out = tmp_path / "history.html"
    done = CliRunner().invoke(
        main, ["history", str(trained.model_id), "--store", store_uri, "--html", str(out)]
    )
    assert done.exit_code == 0, done.output
    html = out.read_text()
    assert html.startswith("<!doctype html>") and "<script" not in html
    assert "http://" not in html and "https://" not in html
    assert f"(id {trained.model_id})" in html
    # the cards: 4 runs, 3 alerts, alerting since the first of the unbroken alerting streak
    cards = dict(re.findall(r"<div class='v [a-z]*'>([^<]*)</div><div class='k'>([^<]*)<", html))
    assert cards["4"] == "monitoring runs" and cards["3"] == "alerts raised"
    assert cards["2012-01-02"] == "alerting since"
    # the drift chart marks the three alerting windows; rows per window, oldest first
    assert "aria-label='drifted columns per window'" in html
    shown = re.sub(r"title='[^']*'", "", html)  # the full reasons are on hover
    assert shown.count("drift in ") == 3 and shown.count("model performance degraded") == 2
    rows = re.findall(r"<tr><td>(2012-01-0\d)<br>", html)
    assert rows == ["2012-01-01", "2012-01-02", "2012-01-03", "2012-01-04"]
    assert "x0, x1, x2" in html  # the top drifted columns, strongest first
    assert "rmse 41 (training 40)" in html
    assert "aria-label='rmse per window against the training baseline'" in html
    # each window links to its three report pages (beside the JSON, as KFP lays them out)
    for kind in ("check-drift", "validate-data", "compute-performance"):
        assert f"href='{tmp_path / 'run-4' / kind / 'report_html'}'" in html
        assert f"href='{tmp_path / 'run-4' / kind / 'report'}'" in html


def test_an_unreadable_report_is_noted_not_fatal(store, store_uri, trained, tmp_path: Path):
    _record(store, trained.model_id, tmp_path, 1, 0.75, False)
    (tmp_path / "run-1" / "check-drift" / "report").write_text("{not json")
    out = tmp_path / "history.html"
    done = CliRunner().invoke(
        main, ["history", str(trained.model_id), "--store", store_uri, "--html", str(out)]
    )
    assert done.exit_code == 0, done.output
    html = out.read_text()
    assert "unreadable" in html and "1 monitoring runs" in html
    assert "75 %" in html  # the recorded drift share is still shown


def test_a_model_without_monitoring_runs_gets_a_page_saying_so(store_uri, trained, tmp_path):
    out = tmp_path / "history.html"
    done = CliRunner().invoke(
        main, ["history", str(trained.model_id), "--store", store_uri, "--html", str(out)]
    )
    assert done.exit_code == 0
    assert "No monitoring results are recorded for this model yet." in out.read_text()


def test_html_page_of_follows_the_kfp_output_layout() -> None:
    assert html_page_of("s3://b/run/check-drift/report") == "s3://b/run/check-drift/report_html"
    assert html_page_of("/x/drift_report.json") == "/x/drift_report.json"
