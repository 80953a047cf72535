"""Bad input to a component: the task fails with the CLI's one `error:` line, no traceback,
and no output artifact is written.

Each case runs the failing component in kfp.local, reads the task log kfp.local prints,
and runs the CLI on the same input for the line it must equal.
"""

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from kfp import dsl
from kfp.dsl import Artifact, Dataset

from driftline.components import check_drift, load_window, validate_data
from tests.components.kfp_runs import task_dir, timestamped_bikes

REPORT_OUTPUTS = ("report", "report_html", "metrics", "executor_output.json")


def _cli(*args: str, cwd: Path) -> str:
    """The one line the CLI prints on stderr for bad input (exit code 2)."""
    done = subprocess.run(
        [sys.executable, "-m", "driftline", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )
    assert done.returncode == 2, (done.returncode, done.stderr)
    (line,) = done.stderr.splitlines()
    assert line.startswith("error: ")
    return line


def _task_error(run: Callable[[], object], task: str, capsys: pytest.CaptureFixture[str]) -> str:
    """Run a pipeline whose `task` must fail; return the one `error:` line of its log."""
    capsys.readouterr()
    with pytest.raises(RuntimeError, match=task):
        run()
    log = capsys.readouterr()
    text = log.out + log.err
    assert "Traceback" not in text
    errors = [line.strip() for line in text.splitlines() if line.strip().startswith("error: ")]
    assert len(errors) == 1, errors
    return errors[0]


def _assert_nothing_written(root: Path, task: str, outputs: tuple[str, ...]) -> None:
    folder = task_dir(root, task)
    assert [name for name in outputs if (folder / name).exists()] == []


def _drift_pipeline(current: str, reference: str, **options: object) -> Callable[[], object]:
    @dsl.pipeline
    def drift_on_bad_input() -> bool:
        window = dsl.importer(artifact_uri=current, artifact_class=Dataset)
        base = dsl.importer(artifact_uri=reference, artifact_class=Dataset)
        task = check_drift(current=window.output, reference=base.output, **options)
        return task.outputs["drift_detected"]

    return drift_on_bad_input


def test_missing_artifact(
    kfp_local: Path, tmp_path: Path, bike_years: tuple[Path, Path], capsys
) -> None:  # type: ignore[no-untyped-def]
    missing, baseline = str(tmp_path / "gone" / "window.parquet"), str(bike_years[0])
    line = _task_error(_drift_pipeline(missing, baseline), "check-drift", capsys)
    cli = _cli("drift", "--reference", baseline, "--current", missing, "--out", "o", cwd=tmp_path)
    assert line == cli
    assert missing in line
    _assert_nothing_written(kfp_local, "check-drift", REPORT_OUTPUTS)
    assert not (tmp_path / "o").exists()


def test_missing_baseline_profile_in_validate_data(
    kfp_local: Path, tmp_path: Path, bike_years: tuple[Path, Path], capsys
) -> None:  # type: ignore[no-untyped-def]
    missing, window = str(tmp_path / "gone" / "profile.json"), str(bike_years[1])

    @dsl.pipeline
    def validate_without_profile() -> bool:
        current = dsl.importer(artifact_uri=window, artifact_class=Dataset)
        profile = dsl.importer(artifact_uri=missing, artifact_class=Artifact)
        task = validate_data(window=current.output, baseline_profile=profile.output)
        return task.outputs["passed"]

    line = _task_error(validate_without_profile, "validate-data", capsys)
    assert line == _cli(
        "validate", "--profile", missing, "--current", window, "--out", "o", cwd=tmp_path
    )
    _assert_nothing_written(kfp_local, "validate-data", REPORT_OUTPUTS)


def test_empty_window(
    kfp_local: Path, tmp_path: Path, bike_years: tuple[Path, Path], capsys
) -> None:  # type: ignore[no-untyped-def]
    baseline = str(bike_years[0])
    empty = tmp_path / "empty.parquet"
    pq.write_table(pq.read_table(bike_years[1]).slice(0, 0), empty)
    line = _task_error(_drift_pipeline(str(empty), baseline), "check-drift", capsys)
    cli = _cli(
        "drift", "--reference", baseline, "--current", str(empty), "--out", "o", cwd=tmp_path
    )
    assert line == cli
    assert "no rows" in line
    _assert_nothing_written(kfp_local, "check-drift", REPORT_OUTPUTS)


def test_empty_window_in_load_window(
    kfp_local: Path, tmp_path: Path, bike_hour_csv: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    source = str(timestamped_bikes(bike_hour_csv, tmp_path / "bikes.parquet"))

    @dsl.pipeline
    def window_after_the_data() -> int:
        return load_window(source_uri=source, window_end="2015-01-01T00:00:00Z").outputs["rows"]

    line = _task_error(window_after_the_data, "load-window", capsys)
    assert line == (
        "error: window [2014-12-31T00:00:00+00:00, 2015-01-01T00:00:00+00:00) of "
        f"{source} has 0 rows; at least 1 needed (min_rows)"
    )
    _assert_nothing_written(kfp_local, "load-window", ("window", "executor_output.json"))


def test_wrong_column_name(
    kfp_local: Path, tmp_path: Path, bike_years: tuple[Path, Path], capsys
) -> None:  # type: ignore[no-untyped-def]
    baseline, window = map(str, bike_years)
    run = _drift_pipeline(window, baseline, columns=["temp", "temperature"])
    line = _task_error(run, "check-drift", capsys)
    cli = _cli(
        "drift",
        "--reference",
        baseline,
        "--current",
        window,
        "--columns",
        "temp,temperature",
        "--out",
        "o",
        cwd=tmp_path,
    )
    assert line == cli
    assert "'temperature'" in line and "temp" in line.split(";")[1]  # names the valid columns
    _assert_nothing_written(kfp_local, "check-drift", REPORT_OUTPUTS)


def test_unknown_method(
    kfp_local: Path, tmp_path: Path, bike_years: tuple[Path, Path], capsys
) -> None:  # type: ignore[no-untyped-def]
    baseline, window = map(str, bike_years)
    line = _task_error(
        _drift_pipeline(window, baseline, method="kolmogorov"), "check-drift", capsys
    )
    cli = _cli(
        "drift",
        "--reference",
        baseline,
        "--current",
        window,
        "--method",
        "kolmogorov",
        "--out",
        "o",
        cwd=tmp_path,
    )
    assert line == cli
    assert "'kolmogorov'" in line and "ks" in line.split("valid:")[1]
    _assert_nothing_written(kfp_local, "check-drift", REPORT_OUTPUTS)


def test_unknown_method_override(
    kfp_local: Path, tmp_path: Path, bike_years: tuple[Path, Path], capsys
) -> None:  # type: ignore[no-untyped-def]
    baseline, window = map(str, bike_years)
    run = _drift_pipeline(window, baseline, method_overrides={"temp": "kolmogorov"})
    line = _task_error(run, "check-drift", capsys)
    cli = _cli(
        "drift",
        "--reference",
        baseline,
        "--current",
        window,
        "--method",
        "temp=kolmogorov",
        "--out",
        "o",
        cwd=tmp_path,
    )
    assert line == cli
    _assert_nothing_written(kfp_local, "check-drift", REPORT_OUTPUTS)


def test_bad_threshold_quantile(
    kfp_local: Path, tmp_path: Path, bike_years: tuple[Path, Path], capsys
) -> None:  # type: ignore[no-untyped-def]
    baseline, window = map(str, bike_years)
    run = _drift_pipeline(window, baseline, thresholds="calibrated", threshold_quantile=1.5)
    line = _task_error(run, "check-drift", capsys)
    assert line.startswith("error: threshold_quantile 1.5 must be in (0.5, 1)")
    cli = _cli(
        "drift", "--reference", baseline, "--current", window, "--out", "o",
        "--thresholds", "calibrated", "--threshold-quantile", "1.5", cwd=tmp_path,
    )  # fmt: skip
    assert "--threshold-quantile 1.5 must be in (0.5, 1)" in cli
    _assert_nothing_written(kfp_local, "check-drift", REPORT_OUTPUTS)
