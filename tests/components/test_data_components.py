"""profile_baseline and validate_data run by the real KFP local runner on the bike data."""

import json
from pathlib import Path

import pytest
from kfp import dsl
from kfp.dsl import Artifact, Dataset

from driftline.components.profile_baseline import profile_baseline
from driftline.components.validate_data import validate_data
from driftline.profile import DatasetProfile, profile_source
from driftline.validation import infer_constraints, validate_profile


def _profile_and_validate(baseline: str, window: str):  # type: ignore[no-untyped-def]
    @dsl.pipeline
    def profile_then_validate() -> bool:
        base = dsl.importer(artifact_uri=baseline, artifact_class=Dataset, reimport=False)
        current = dsl.importer(artifact_uri=window, artifact_class=Dataset, reimport=False)
        profiled = profile_baseline(dataset=base.output)
        checked = validate_data(window=current.output, baseline_profile=profiled.outputs["profile"])
        return checked.outputs["passed"]

    return profile_then_validate()


def test_profile_then_validate_matches_the_library(
    kfp_local: Path, bike_years: tuple[Path, Path]
) -> None:
    baseline, production = bike_years
    run = _profile_and_validate(str(baseline), str(production))
    # 2012 rentals exceed every 2011 range: an error-severity range violation fails the check.
    expected = validate_profile(
        infer_constraints(profile_source(str(baseline))), profile_source(str(production))
    )
    assert run.output is (expected.status != "fail")

    task_dirs = {p.name: p for p in next(kfp_local.iterdir()).iterdir()}
    profile = DatasetProfile.load(task_dirs["profile-baseline"] / "profile")
    assert profile.row_count == 8645  # the 2011 rows
    report = json.loads((task_dirs["validate-data"] / "report").read_text())
    assert report["status"] == expected.status
    assert {(v["column"], v["check"]) for v in report["violations"]} == {
        (v.column, v.check) for v in expected.violations
    }
    html = (task_dirs["validate-data"] / "report_html").read_text()
    assert html.startswith("<!doctype html>") and "http" not in html.split("<body>")[0]


def test_profile_baseline_metadata(kfp_local: Path, bike_years: tuple[Path, Path]) -> None:
    @dsl.pipeline
    def just_profile() -> Artifact:
        base = dsl.importer(artifact_uri=str(bike_years[0]), artifact_class=Dataset)
        return profile_baseline(dataset=base.output, columns=["temp", "season"]).outputs["profile"]

    artifact = just_profile().output
    assert artifact.metadata["kind"] == "profile"
    assert artifact.metadata["rows"] == 8645
    assert sorted(DatasetProfile.load(artifact.path).columns) == ["season", "temp"]


def test_empty_baseline_fails_with_one_clear_message(
    kfp_local: Path, tmp_path: Path, bike_years: tuple[Path, Path]
) -> None:
    import pyarrow.parquet as pq

    empty = tmp_path / "empty.parquet"
    pq.write_table(pq.read_table(bike_years[0]).slice(0, 0), empty)

    @dsl.pipeline
    def profile_empty() -> int:
        base = dsl.importer(artifact_uri=str(empty), artifact_class=Dataset)
        return profile_baseline(dataset=base.output).outputs["rows"]

    with pytest.raises(RuntimeError, match="profile-baseline"):
        profile_empty()
