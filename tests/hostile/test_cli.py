"""Hostile input through the `driftline` command line (issue 12, "Crashes and unclear errors")."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from driftline.cli import main
from driftline.errors import InputError
from driftline.exits import exit_on_error
from driftline.io.readers import detect_format
from driftline.profile import write_profile


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Reference and current tables with inf, -inf and +-1e308 in features, labels, predictions."""
    folder = tmp_path_factory.mktemp("hostile-cli")
    rng = np.random.default_rng(7)
    rows = 480
    paths = {}
    for name, shift in (("ref", 0.0), ("cur", 1.0)):
        x = rng.normal(shift, 1, rows)
        x[:4], x[4:6], x[6:9], x[9:12] = np.inf, -np.inf, 1e308, -1e308
        prediction, label = rng.normal(0, 1, rows), rng.normal(0, 1, rows)
        prediction[:3], prediction[3:5], label[10:12], label[20] = np.inf, 1e308, 1e308, -np.inf
        frame = pd.DataFrame(
            {
                "id": np.arange(rows),
                "timestamp": pd.date_range("2024-01-01", periods=rows, freq="h"),
                "x": x,
                "big": rng.normal(0, 1, rows) * 1e300 + 1e307,
                "color": rng.choice(["red", "green", "blue"], rows),
                "prediction": prediction,
                "label": label,
                "cls": rng.integers(0, 2, rows),
                "cls_pred": rng.integers(0, 2, rows),
            }
        )
        paths[name] = folder / f"{name}.parquet"
        frame.to_parquet(paths[name])
    paths["profile"] = folder / "ref_profile.json"
    write_profile(str(paths["ref"]), str(paths["profile"]))
    paths["folder"] = folder
    return paths


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The real `driftline` process: what a user's terminal shows."""
    command = [sys.executable, "-m", "driftline", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


HUGE_VALUE_COMMANDS = {
    "profile": ["profile", "{ref}", "--out", "{out}/p.json"],
    "validate": ["validate", "--profile", "{profile}", "--current", "{cur}", "--out", "{out}"],
    "drift-exact": ["drift", "--reference", "{ref}", "--current", "{cur}", "--out", "{out}"],
    "drift-profile": [
        *("drift", "--reference-profile", "{profile}", "--current", "{cur}", "--out", "{out}"),
    ],
    "performance-regression": [
        *("performance", "--predictions", "{cur}", "--task", "regression", "--out", "{out}"),
    ],
    "performance-classification": [
        *("performance", "--predictions", "{cur}", "--task", "classification"),
        *("--prediction-column", "cls_pred", "--label-column", "cls", "--out", "{out}"),
    ],
}


@pytest.mark.parametrize("command", sorted(HUGE_VALUE_COMMANDS))
def test_numpy_runtime_warnings_leak_to_stderr_on_inf_or_huge_values(
    command: str, tables: dict[str, Path], tmp_path: Path
) -> None:
    """Issue 12: numpy RuntimeWarnings leak to stderr on inf or huge values."""
    places = {**{k: str(v) for k, v in tables.items()}, "out": str(tmp_path)}
    done = _cli(*(arg.format(**places) for arg in HUGE_VALUE_COMMANDS[command]))
    assert "Warning" not in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr


# (arguments, the flag the error must name, the Python name it must not use)
FLAG_CASES = {
    "profile --format": (
        ["profile", "{folder}/data.bin", "--out", "{out}/p.json"], "--format", "format=",
    ),
    "validate --timestamp-column needed": (
        ["validate", "--profile", "{profile}", "--current", "{cur}", "--out", "{out}",
         "--start", "2024-01-02"],
        "--timestamp-column", "timestamp_column",
    ),
    "validate --timestamp-column missing": (
        ["validate", "--profile", "{profile}", "--current", "{cur}", "--out", "{out}",
         "--start", "2024-01-02", "--timestamp-column", "when"],
        "--timestamp-column when is not in the data", "timestamp_column",
    ),
    "drift two references": (
        ["drift", "--reference", "{ref}", "--reference-profile", "{profile}", "--current", "{cur}",
         "--out", "{out}"],
        "--reference (data) and --reference-profile", "reference_profile",
    ),
    "drift --drift-share": (
        ["drift", "--reference", "{ref}", "--current", "{cur}", "--out", "{out}",
         "--drift-share", "1.5"],
        "--drift-share 1.5 must be in (0, 1]", "drift_share",
    ),
    "drift --threshold": (
        ["drift", "--reference", "{ref}", "--current", "{cur}", "--out", "{out}",
         "--threshold", "x=-1"],
        "--threshold -1.0 for column 'x'", "threshold ",
    ),
    "performance --min-labelled-rows": (
        ["performance", "--predictions", "{cur}", "--task", "regression", "--out", "{out}",
         "--min-labelled-rows", "0"],
        "--min-labelled-rows must be", "min_labelled_rows",
    ),
    "performance --degradation-threshold": (
        ["performance", "--predictions", "{cur}", "--task", "regression", "--out", "{out}",
         "--degradation-threshold", "-1"],
        "--degradation-threshold must be", "degradation_threshold",
    ),
    "history --store": (
        ["history", "1", "--store", "{out}/none.sqlite"], "--store sqlite:", "error: store",
    ),
    "lineage show --store": (
        ["lineage", "show", "1", "--store", "{out}/none.sqlite"], "--store sqlite:", "error: store",
    ),
    "publish-metrics --pushgateway-url": (
        ["publish-metrics", "--model", "m", "--namespace", "n", "--pushgateway-url", "ftp://x"],
        "--pushgateway-url must be", "pushgateway_url",
    ),
    "setup-monitoring --sink-url": (
        ["setup-monitoring", "--isvc", "bike", "--namespace", "ml", "--sink-url", "sink",
         "--out", "{out}/m"],
        "--sink-url must be", "sink_url",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(FLAG_CASES))
def test_messages_name_python_parameters_instead_of_cli_flags(
    case: str, tables: dict[str, Path], tmp_path: Path
) -> None:
    """Issue 12: Messages name Python parameters instead of CLI flags ("pass format=")."""
    (tables["folder"] / "data.bin").write_bytes(b"x,y\n1,2\n")
    args, flag, python_name = FLAG_CASES[case]
    places = {**{k: str(v) for k, v in tables.items()}, "out": str(tmp_path)}
    run = CliRunner().invoke(main, [arg.format(**places) for arg in args])
    assert run.exit_code == 2, run.output
    [line] = run.stderr.splitlines()
    assert line.startswith("error: ") and flag in line, line
    assert python_name not in line.replace(flag, "") and "`" not in line, line


def test_components_and_python_name_their_own_parameters(tmp_path: Path, capsys) -> None:
    """The same error names `format=` in Python and the component's `data_format`."""
    path = tmp_path / "data.bin"
    path.write_bytes(b"x\n1\n")
    with pytest.raises(InputError) as raised:
        detect_format(str(path))
    assert "give format: one of parquet, csv, jsonl" in str(raised.value)
    with pytest.raises(SystemExit) as exited, exit_on_error():
        detect_format(str(path))
    assert exited.value.code == 2
    assert "give data_format: one of parquet" in capsys.readouterr().err
