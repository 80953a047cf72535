"""One pass over a window: its profile serves validation and drift (issue 11)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from driftline.cli import main
from driftline.drift import run_drift
from driftline.errors import InputError
from driftline.profile import (
    DatasetProfile,
    profile_source,
    write_profile,
    write_window_profile,
)
from driftline.report import DriftReport, ValidationReport
from driftline.validation import run_validation


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("window")
    rng = np.random.default_rng(5)
    frames = {
        "ref": pd.DataFrame(
            {
                "timestamp": pd.date_range("2024-01-01", periods=3000, freq="min"),
                "x": rng.normal(0, 1, 3000),
                "day": rng.integers(0, 7, 3000),
                "color": rng.choice(["red", "green", "blue"], 3000),
            }
        ),
        "cur": pd.DataFrame(
            {
                "timestamp": pd.date_range("2024-02-01", periods=1200, freq="min"),
                "x": rng.normal(0.4, 1.3, 1200),
                "day": rng.integers(0, 9, 1200),
                "color": rng.choice(["red", "green", "blue", "pink"], 1200),
                "extra": rng.normal(0, 1, 1200),
            }
        ),
    }
    paths = {}
    for name, frame in frames.items():
        paths[name] = folder / f"{name}.parquet"
        frame.to_parquet(paths[name])
    paths["baseline"] = folder / "baseline.json"
    write_profile(str(paths["ref"]), paths["baseline"], kinds={"day": "categorical"})
    paths["window"] = folder / "window.json"
    write_window_profile(str(paths["cur"]), paths["baseline"], paths["window"])
    return paths


def test_the_window_profile_takes_the_baseline_options_and_kinds(files: dict[str, Path]) -> None:
    baseline = DatasetProfile.load(files["baseline"])
    window = DatasetProfile.load(files["window"])
    assert window.options == baseline.options and window.row_count == 1200
    assert window.columns["day"].kind == "categorical"  # the override, adopted
    assert window.columns["extra"].kind == "numeric"  # not in the baseline: its own kind


def test_validation_of_the_window_profile_equals_validation_of_the_window(
    files: dict[str, Path], tmp_path: Path
) -> None:
    from_table = run_validation(files["baseline"], str(files["cur"]), tmp_path / "table")
    from_profile = run_validation(files["baseline"], str(files["window"]), tmp_path / "profile")
    assert from_profile.to_dict() == from_table.to_dict()
    assert from_table.status == "warning" and from_table.violations  # extra column, new values
    restricted = run_validation(
        files["baseline"], str(files["window"]), tmp_path / "some", columns=["x", "color"]
    )
    assert (
        restricted.to_dict()
        == run_validation(
            files["baseline"], str(files["cur"]), tmp_path / "some-table", columns=["x", "color"]
        ).to_dict()
    )
    assert ValidationReport.load(tmp_path / "profile").status == from_table.status


def test_drift_on_the_window_profile_equals_drift_on_the_window(
    files: dict[str, Path], tmp_path: Path
) -> None:
    options = {"timestamp_column": "timestamp", "columns": ["x", "day", "color"]}
    streamed = run_drift(
        reference_profile=str(files["baseline"]), current=str(files["cur"]),
        out_dir=tmp_path / "streamed", **options,
    )  # fmt: skip
    profiled = run_drift(
        reference_profile=str(files["baseline"]), current=str(files["window"]),
        out_dir=tmp_path / "profiled", **options,
    )  # fmt: skip
    assert profiled.drift_detected and profiled.mode == "profile"
    assert profiled.current_rows == streamed.current_rows == 1200
    for ours, truth in zip(profiled.columns, streamed.columns, strict=True):
        assert (ours.name, ours.kind, ours.method) == (truth.name, truth.kind, truth.method)
        assert math.isclose(ours.score, truth.score, rel_tol=1e-12), ours.name
    assert DriftReport.load(tmp_path / "profiled").drift_share == profiled.drift_share


def test_a_window_profile_made_another_way_is_refused(
    files: dict[str, Path], tmp_path: Path
) -> None:
    other = tmp_path / "other.json"
    profile_source(str(files["cur"]), exact_cap=7).save(other)
    with pytest.raises(InputError, match="profile the window with the baseline's options"):
        run_drift(reference_profile=str(files["baseline"]), current=str(other), out_dir=tmp_path)
    with pytest.raises(InputError, match="profile the window with the baseline's options"):
        run_validation(files["baseline"], str(other), tmp_path)
    with pytest.raises(InputError, match="already cut to its window"):
        run_validation(
            files["baseline"], str(files["window"]), tmp_path, timestamp_column="timestamp"
        )
    assert not (tmp_path / "drift_report.json").exists()


def test_cli_profiles_a_window_like_its_baseline(files: dict[str, Path], tmp_path: Path) -> None:
    runner = CliRunner()
    window = tmp_path / "w.json"
    done = runner.invoke(
        main, ["profile", str(files["cur"]), "--like", str(files["baseline"]), "--out", str(window)]
    )
    assert done.exit_code == 0, done.output
    assert DatasetProfile.load(window).to_dict() == DatasetProfile.load(files["window"]).to_dict()
    for command in (
        ["validate", "--profile", str(files["baseline"]), "--current", str(window)],
        ["drift", "--reference-profile", str(files["baseline"]), "--current", str(window),
         "--timestamp-column", "timestamp"],
    ):  # fmt: skip
        ran = runner.invoke(main, [*command, "--out", str(tmp_path / command[0])])
        assert ran.exit_code == 0, ran.output
    refused = runner.invoke(
        main,
        ["profile", str(files["cur"]), "--like", str(files["baseline"]), "--kind", "x=categorical",
         "--out", str(tmp_path / "k.json")],
    )  # fmt: skip
    assert refused.exit_code == 2 and "--kind and --like" in refused.output
