"""`driftline profile` and `driftline validate` end to end, with exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from driftline.cli import main


def test_profile_then_validate(bike_years: dict[str, Path], tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "p.json"
    result = runner.invoke(
        main,
        ["profile", str(bike_years["2011"]), "--out", str(out), "--kind", "season=categorical"],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    assert document["kind"] == "profile" and document["row_count"] > 8000
    season = next(c for c in document["columns"] if c["name"] == "season")
    assert season["kind"] == "categorical" and set(season["categorical"]["frequencies"]) == {
        "1",
        "2",
        "3",
        "4",
    }
    report = tmp_path / "report"
    args = ["validate", "--profile", str(out), "--current", str(bike_years["2012"])]
    result = runner.invoke(main, [*args, "--out", str(report)])
    assert result.exit_code == 0 and "status warning" in result.output
    assert json.loads((report / "validation_report.json").read_text())["status"] == "warning"
    strict = tmp_path / "strict.yaml"
    strict.write_text("severity: {range: error}\n")
    result = runner.invoke(
        main, [*args, "--out", str(report), "--constraints", str(strict), "--fail-on-error"]
    )
    assert result.exit_code == 3 and "status fail" in result.output


def test_bad_input_exits_2_with_one_line(bike_years: dict[str, Path], tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["profile", str(bike_years["2011"]), "--out", "x", "--kind", "s"])
    assert result.exit_code == 2 and "--kind expects COLUMN=KIND" in result.output
    corrupt = tmp_path / "bad.json"
    corrupt.write_text("{")
    out = tmp_path / "out"
    current = str(bike_years["2012"])
    args = ["validate", "--profile", str(corrupt), "--current", current, "--out", str(out)]
    result = runner.invoke(main, args)
    assert result.exit_code == 2 and "not valid JSON" in result.output
    assert not out.exists()  # nothing half-written
    empty = tmp_path / "empty.csv"
    empty.write_text("a,b\n")
    result = runner.invoke(main, ["profile", str(empty), "--out", str(tmp_path / "p.json")])
    assert result.exit_code == 2 and "holds no rows" in result.output
