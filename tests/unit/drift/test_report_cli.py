"""run_drift and `driftline drift`: the report files, their contract, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from driftline.cli import main
from driftline.drift import run_drift
from driftline.errors import InputError
from driftline.profile import profile_batches

COLUMN_KEYS = {"name", "kind", "method", "score", "threshold", "drift_detected", "direction",
               "reference", "current"}  # fmt: skip
TOP_KEYS = {"schema_version", "kind", "drift_detected", "drift_share", "drift_share_threshold",
            "number_of_columns", "number_of_drifted_columns", "mode", "reference_rows",
            "current_rows", "prediction", "columns"}  # fmt: skip


@pytest.fixture(scope="module")
def files(bike: pa.Table, tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("drift-data")
    day = bike["dteday"].cast(pa.timestamp("s")).cast(pa.int64()).to_numpy()
    seconds = day + bike["hr"].to_numpy() * 3600
    stamped = bike.append_column("ts", pa.array(seconds).cast(pa.timestamp("s"))).drop(
        ["dteday", "instant", "weather_label"]
    )
    paths = {
        "ref": root / "ref.parquet",
        "cur": root / "cur.parquet",
        "profile": root / "profile.json",
    }
    ref = stamped.filter(pc.equal(stamped["yr"], 0))
    pq.write_table(ref, paths["ref"])
    pq.write_table(stamped.filter(pc.equal(stamped["yr"], 1)), paths["cur"])
    profile_batches(ref.drop(["ts"]).to_batches()).save(paths["profile"])
    return paths


def test_run_drift_writes_the_report_contract(files, tmp_path: Path) -> None:
    result = run_drift(
        reference=str(files["ref"]), current=str(files["cur"]), out_dir=tmp_path,
        prediction_column="cnt", timestamp_column="ts",
    )  # fmt: skip
    doc = json.loads((tmp_path / "drift_report.json").read_text())
    assert set(doc) >= TOP_KEYS and doc["schema_version"] == "1.1" and doc["kind"] == "drift"
    assert doc == json.loads(json.dumps(result.to_dict()))
    assert doc["reference_rows"] == 8645 and doc["current_rows"] == 8734
    assert doc["mode"] == "exact" and doc["prediction"]["name"] == "cnt"
    assert "ts" not in {c["name"] for c in doc["columns"]}
    for column in doc["columns"]:
        assert set(column) >= COLUMN_KEYS
        assert column["direction"] in ("p_value", "distance")
    drifted = sum(c["drift_detected"] for c in doc["columns"])
    assert doc["number_of_drifted_columns"] == drifted
    assert doc["drift_share"] == pytest.approx(drifted / len(doc["columns"]))
    assert doc["drift_detected"] == (doc["drift_share"] >= doc["drift_share_threshold"])
    html = (tmp_path / "drift_report.html").read_text()
    assert "http://" not in html and "https://" not in html and "<script" not in html
    assert html.index("dataset drift") < html.index("<table")
    # per column: its distributions (shared bins or categories) and its score vs threshold
    assert html.count("<svg class='chart'") == 2 * len(doc["columns"])
    for column in doc["columns"]:
        assert f"aria-label='{column['name']}: reference vs current" in html
        assert f"aria-label='{column['name']}: {column['method']} score against" in html


def test_profile_mode_report(files, tmp_path: Path) -> None:
    result = run_drift(
        reference_profile=str(files["profile"]), current=str(files["cur"]), out_dir=tmp_path,
        timestamp_column="ts",
    )  # fmt: skip
    assert result.mode == "profile"
    assert json.loads((tmp_path / "drift_report.json").read_text())["mode"] == "profile"


def test_time_window_filters_the_current_side(files, tmp_path: Path) -> None:
    from datetime import datetime

    result = run_drift(
        reference=str(files["ref"]), current=str(files["cur"]), out_dir=tmp_path,
        timestamp_column="ts", start=datetime(2012, 3, 1), end=datetime(2012, 3, 8),
    )  # fmt: skip
    ts = pq.read_table(files["cur"])["ts"]
    inside = pc.and_(
        pc.greater_equal(ts, pa.scalar(datetime(2012, 3, 1), pa.timestamp("s"))),
        pc.less(ts, pa.scalar(datetime(2012, 3, 8), pa.timestamp("s"))),
    )
    assert result.current_rows == pc.sum(inside).as_py() > 100


def test_bad_input_writes_nothing(files, tmp_path: Path) -> None:
    with pytest.raises(InputError):
        run_drift(reference=str(files["ref"]), current=str(files["cur"]), out_dir=tmp_path,
                  method="nope")  # fmt: skip
    with pytest.raises(InputError, match="exactly one of reference"):
        run_drift(current=str(files["cur"]), out_dir=tmp_path)
    assert not any(tmp_path.iterdir())


def _cli(*args: str):
    return CliRunner().invoke(main, ["drift", *args])


def test_cli_runs_with_overrides(files, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = _cli("--reference", str(files["ref"]), "--current", str(files["cur"]), "--out", str(out),
               "--method", "psi", "--method", "hr=ks", "--threshold", "0.2",
               "--threshold", "hr=0.01", "--columns", "hr,temp,season",
               "--timestamp-column", "ts", "--drift-share", "0.3")  # fmt: skip
    assert run.exit_code == 0, run.output
    doc = json.loads((out / "drift_report.json").read_text())
    by_name = {c["name"]: c for c in doc["columns"]}
    assert set(by_name) == {"hr", "temp", "season"}
    assert (by_name["hr"]["method"], by_name["hr"]["threshold"]) == ("ks", 0.01)
    assert (by_name["temp"]["method"], by_name["temp"]["threshold"]) == ("psi", 0.2)
    assert doc["drift_share_threshold"] == 0.3


def test_cli_exit_codes(files, tmp_path: Path) -> None:
    base = ["--reference", str(files["ref"]), "--current", str(files["cur"]),
            "--timestamp-column", "ts"]  # fmt: skip
    drifting = _cli(*base, "--out", str(tmp_path / "a"), "--columns", "cnt,registered")
    assert drifting.exit_code == 0 and drifting.output.startswith("drift:")
    failing = _cli(*base, "--out", str(tmp_path / "b"), "--columns", "cnt", "--fail-on-drift")
    assert failing.exit_code == 3
    calm = _cli(*base, "--out", str(tmp_path / "c"), "--columns", "season", "--fail-on-drift")
    assert calm.exit_code == 0 and calm.output.startswith("no drift:")
    for bad in (["--method", "nope"], ["--threshold", "x"], ["--threshold", "hr="],
                ["--columns", "missing_col"], ["--format", "xls"]):  # fmt: skip
        run = _cli(*base, "--out", str(tmp_path / "d"), *bad)
        assert run.exit_code == 2, (bad, run.output)
        assert run.output.startswith("error: ") and run.output.count("\n") == 1
    assert not (tmp_path / "d").exists()


def test_cli_needs_exactly_one_reference(files, tmp_path: Path) -> None:
    run = _cli("--current", str(files["cur"]), "--out", str(tmp_path))
    assert (
        run.exit_code == 2
        and "exactly one of --reference (data) and --reference-profile" in run.output
    )
