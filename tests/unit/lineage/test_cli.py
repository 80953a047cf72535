"""`driftline lineage show` and `driftline history` on a real SQLite MLMD."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from driftline.cli import main
from driftline.lineage import record_monitoring_result
from tests.unit.lineage.support import drift_report, validation_report, write_json


def test_show_and_history(store, store_uri, trained, tmp_path: Path):
    for day, share in [(1, 0.25), (2, 0.75)]:
        reports = [
            write_json(tmp_path / f"{day}/drift.json", drift_report(share, int(share * 4))),
            write_json(tmp_path / f"{day}/validation.json", validation_report("ok")),
        ]
        record_monitoring_result(
            store,
            trained.model_id,
            reports,
            run_id=f"mon-{day}",
            task="record",
            window_start=f"2012-01-0{day}",
            window_end=f"2012-01-0{day + 1}",
        )
    runner = CliRunner()
    shown = runner.invoke(main, ["lineage", "show", str(trained.model_id), "--store", store_uri])
    assert shown.exit_code == 0, shown.output
    assert "trained by execution" in shown.output and "hour-1.csv (baseline)" in shown.output
    assert "metric rmse = 40" in shown.output and "monitoring runs: 2" in shown.output
    table = runner.invoke(main, ["history", str(trained.model_id), "--store", store_uri])
    assert (
        table.exit_code == 0
        and "0.750" in table.output
        and "2012-01-02 .. 2012-01-03" in (table.output)
    )
    as_json = runner.invoke(
        main, ["history", str(trained.model_id), "--store", store_uri, "--json", "--limit", "1"]
    )
    [newest] = json.loads(as_json.output)
    assert newest["run_id"] == "mon-2" and newest["drifted_columns"] == 3
    shown_json = runner.invoke(
        main, ["lineage", "show", str(trained.model_id), "--store", store_uri, "--json"]
    )
    assert len(json.loads(shown_json.output)["monitoring_runs"]) == 2


def test_cli_errors_are_one_line(store_uri, trained):
    runner = CliRunner()
    missing = runner.invoke(main, ["history", "777", "--store", store_uri])
    assert missing.exit_code == 1 and "error: no artifact with MLMD id 777" in missing.output
    bad = runner.invoke(main, ["lineage", "show", "1", "--store", "ftp://x"])
    assert bad.exit_code == 2 and "scheme 'ftp' is not supported" in bad.output
