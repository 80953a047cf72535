"""profile_baseline with a calibration window, then check_drift, by the real KFP local runner
on the bike data; the oracle is the library's `run_drift` on the same profile and window."""

import json
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
from kfp import dsl
from kfp.dsl import Artifact, Dataset

from driftline.components import check_drift, profile_baseline
from driftline.drift.run import run_drift
from tests.components.kfp_runs import task_dir, timestamped_bikes

COLUMNS = ["timestamp", "weekday", "weathersit", "temp", "hum", "registered", "cnt"]


def test_a_calibrated_baseline_gives_calibrated_thresholds_in_the_pipeline(
    kfp_local: Path, tmp_path: Path, bike_hour_csv: Path
) -> None:
    bikes = pq.read_table(timestamped_bikes(bike_hour_csv, tmp_path / "bikes.parquet"))
    march = bikes.filter(pc.and_(pc.equal(bikes["yr"], 0), pc.equal(bikes["mnth"], 3)))
    day = pc.day(march["timestamp"])
    baseline, window = str(tmp_path / "first-half.parquet"), str(tmp_path / "day.parquet")
    pq.write_table(march.filter(pc.less_equal(day, 15)).select(COLUMNS), baseline)
    pq.write_table(march.filter(pc.equal(day, 20)).select(COLUMNS), window)

    @dsl.pipeline
    def calibrated() -> Artifact:
        base = dsl.importer(artifact_uri=baseline, artifact_class=Dataset)
        current = dsl.importer(artifact_uri=window, artifact_class=Dataset)
        profiled = profile_baseline(
            dataset=base.output, calibration_window="1d", timestamp_column="timestamp"
        )
        checked = check_drift(
            current=current.output,
            reference=profiled.outputs["profile"],
            timestamp_column="timestamp",
        )
        return checked.outputs["report"]

    run = calibrated()
    profile_path = task_dir(kfp_local, "profile-baseline") / "profile"
    profile = json.loads(profile_path.read_text())
    assert profile["calibration"]["window"] == "1d" and profile["calibration"]["chunks"] == 15
    report = run.output
    assert report.metadata["thresholds"] == "calibrated"
    document = json.loads(Path(report.path).read_text())
    expected = run_drift(
        current=window,
        reference_profile=str(profile_path),
        timestamp_column="timestamp",
        out_dir=tmp_path / "lib",
    )
    assert document["columns"] == expected.to_dict()["columns"]
    assert {c["threshold_origin"] for c in document["columns"]} == {"calibrated"}
