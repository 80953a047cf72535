"""load_window and check_drift run by the real KFP local runner on the bike data.

Oracles: a pandas filter of the same source for the window, and the library's own
`run_drift` on the same files for the drift check (whose statistics are themselves
tested against Evidently and scipy in tests/unit/drift).
"""

import json
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import pytest
from kfp import dsl
from kfp.dsl import HTML, Artifact, Dataset, Metrics

from driftline.components import check_drift, load_window, profile_baseline
from driftline.drift.run import run_drift
from tests.components.kfp_runs import assert_self_contained, task_dir, timestamped_bikes


class DriftOutputs(NamedTuple):
    drift_detected: bool
    drift_share: float
    report: Artifact
    report_html: HTML
    metrics: Metrics


class WindowOutputs(NamedTuple):
    rows: int
    start: str
    window: Dataset


def _drift_outputs(task: dsl.PipelineTask) -> DriftOutputs:
    return DriftOutputs(*(task.outputs[name] for name in DriftOutputs._fields))


@pytest.fixture
def bikes_with_time(tmp_path: Path, bike_hour_csv: Path) -> Path:
    return timestamped_bikes(bike_hour_csv, tmp_path / "bikes.parquet")


def test_load_window_cuts_the_same_rows_as_a_pandas_filter(
    kfp_local: Path, bikes_with_time: Path
) -> None:
    source = str(bikes_with_time)

    @dsl.pipeline
    def one_week() -> WindowOutputs:
        task = load_window(
            source_uri=source,
            window_end="2012-07-01T00:00:00Z",
            window_length="7d",
            columns=["timestamp", "temp", "season", "cnt"],
        )
        outputs = task.outputs
        return WindowOutputs(outputs["rows"], outputs["window_start"], outputs["window"])

    run = one_week()
    frame = pd.read_parquet(bikes_with_time)
    start, end = pd.Timestamp("2012-06-24", tz="UTC"), pd.Timestamp("2012-07-01", tz="UTC")
    expected = frame[(frame["timestamp"] >= start) & (frame["timestamp"] < end)]
    expected = expected[["timestamp", "temp", "season", "cnt"]].reset_index(drop=True)

    window = run.outputs["window"]
    got = pd.read_parquet(window.path).sort_values("timestamp").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert run.outputs["rows"] == len(expected) > 100  # one week of hours, a few missing
    assert run.outputs["start"] == "2012-06-24T00:00:00+00:00"
    assert window.metadata["rows"] == len(expected)
    assert window.metadata["window_start"] == "2012-06-24T00:00:00+00:00"
    assert window.metadata["window_end"] == "2012-07-01T00:00:00+00:00"
    assert window.metadata["source"] == source
    assert window.metadata["columns"] == ["timestamp", "temp", "season", "cnt"]


def test_check_drift_profile_mode_equals_run_drift(
    kfp_local: Path, tmp_path: Path, bike_years: tuple[Path, Path]
) -> None:
    baseline, production = map(str, bike_years)

    @dsl.pipeline
    def profile_then_drift() -> DriftOutputs:
        base = dsl.importer(artifact_uri=baseline, artifact_class=Dataset)
        window = dsl.importer(artifact_uri=production, artifact_class=Dataset)
        profiled = profile_baseline(dataset=base.output)
        checked = check_drift(current=window.output, reference=profiled.outputs["profile"])
        return _drift_outputs(checked)

    run = profile_then_drift()
    profile_path = task_dir(kfp_local, "profile-baseline") / "profile"
    expected = run_drift(
        current=production, reference_profile=str(profile_path), out_dir=tmp_path / "lib"
    )
    assert expected.mode == "profile"
    _assert_outputs_equal_library(run.outputs, expected, tmp_path / "lib")


def test_check_drift_exact_mode_with_overrides_equals_run_drift(
    kfp_local: Path, tmp_path: Path, bike_years: tuple[Path, Path]
) -> None:
    baseline, production = map(str, bike_years)

    @dsl.pipeline
    def exact_drift() -> DriftOutputs:
        base = dsl.importer(artifact_uri=baseline, artifact_class=Dataset)
        window = dsl.importer(artifact_uri=production, artifact_class=Dataset)
        checked = check_drift(
            current=window.output,
            reference=base.output,
            method="psi",
            threshold=0.2,
            method_overrides={"season": "chi2", "hum": "ks"},
            threshold_overrides={"temp": 0.05},
            columns=["season", "temp", "hum", "cnt", "weathersit"],
            drift_share=0.4,
        )
        return _drift_outputs(checked)

    run = exact_drift()
    expected = run_drift(
        current=production,
        reference=baseline,
        out_dir=tmp_path / "lib",
        method={"*": "psi", "season": "chi2", "hum": "ks"},
        threshold={"*": 0.2, "temp": 0.05},
        columns=["season", "temp", "hum", "cnt", "weathersit"],
        drift_share=0.4,
    )
    assert expected.mode == "exact"
    _assert_outputs_equal_library(run.outputs, expected, tmp_path / "lib")

    # The overrides reached the engine: each column's method and threshold in the report.
    report = json.loads(Path(run.outputs["report"].path).read_text())
    chosen = {c["name"]: (c["method"], c["threshold"]) for c in report["columns"]}
    ks_default = next(c["threshold"] for c in report["columns"] if c["name"] == "hum")
    assert chosen == {
        "season": ("chi2", chosen["season"][1]),
        "temp": ("psi", 0.05),
        "hum": ("ks", ks_default),
        "cnt": ("psi", 0.2),
        "weathersit": ("psi", 0.2),
    }
    assert chosen["season"][1] == 0.2  # the global threshold applies to overridden methods
    assert report["drift_share_threshold"] == 0.4


def _assert_outputs_equal_library(outputs: dict, expected, lib_dir: Path) -> None:  # type: ignore[no-untyped-def, type-arg]
    assert outputs["drift_detected"] is expected.drift_detected
    assert outputs["drift_share"] == pytest.approx(expected.drift_share, abs=0)

    report = outputs["report"]
    document = json.loads(Path(report.path).read_text())
    library_document = json.loads((lib_dir / "drift_report.json").read_text())
    assert document == library_document
    drifted = [c.name for c in expected.columns if c.drift_detected]
    assert report.metadata == {
        "kind": "drift",
        "mode": expected.mode,
        "drift_detected": expected.drift_detected,
        "drift_share": expected.drift_share,
        "drifted_columns": drifted,
        "thresholds": expected.thresholds,
    }

    metrics = outputs["metrics"].metadata
    assert metrics.pop("drift_share") == expected.drift_share
    assert metrics.pop("drifted_columns") == len(drifted)
    assert metrics == {f"score_{c.name}": c.score for c in expected.columns}

    html = Path(outputs["report_html"].path).read_text()
    assert_self_contained(html)
    for column in expected.columns:
        assert column.name in html


@pytest.mark.parametrize(
    "tag",
    [
        '<script src="https://cdn.example.com/x.js"></script>',
        "<img src=//example.com/a.png>",
        "<style>body { background: url('http://example.com/a.png') }</style>",
        '<link rel="stylesheet" href="style.css">',
    ],
)
def test_the_self_contained_check_catches_external_references(tag: str) -> None:
    page = f'<!doctype html><html><body><svg xmlns="http://www.w3.org/2000/svg"></svg>{tag}</body>'
    assert_self_contained(page.replace(tag, ""))
    with pytest.raises(AssertionError):
        assert_self_contained(page)


def test_check_drift_runs_multivariate_methods_on_the_baseline_rows(
    kfp_local: Path, tmp_path: Path
) -> None:
    """Profile mode per column, plus the multivariate methods on the baseline rows given as
    reference_rows (a URI): a correlation 0 -> 0.8 that no column shows."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(9)
    paths = []
    for name, correlation in (("base", 0.0), ("window", 0.8)):
        x = rng.standard_normal(3000)
        y = correlation * x + np.sqrt(1 - correlation**2) * rng.standard_normal(3000)
        paths.append(str(tmp_path / f"{name}.parquet"))
        pq.write_table(pa.table({"x": x, "y": y}), paths[-1])
    baseline, production = paths

    @dsl.pipeline
    def multivariate_drift() -> DriftOutputs:
        base = dsl.importer(artifact_uri=baseline, artifact_class=Dataset)
        window = dsl.importer(artifact_uri=production, artifact_class=Dataset)
        profiled = profile_baseline(dataset=base.output)
        checked = check_drift(
            current=window.output,
            reference=profiled.outputs["profile"],
            multivariate="classifier,pca",
            reference_rows=baseline,
        )
        return _drift_outputs(checked)

    run = multivariate_drift()
    expected = run_drift(
        current=production,
        reference_profile=str(task_dir(kfp_local, "profile-baseline") / "profile"),
        out_dir=tmp_path / "lib",
        multivariate="classifier,pca",
        reference_rows=baseline,
    )
    assert expected.number_of_drifted_columns == 0 and expected.drift_detected
    assert run.outputs["drift_detected"] is True
    document = json.loads(Path(run.outputs["report"].path).read_text())
    assert document == json.loads((tmp_path / "lib" / "drift_report.json").read_text())
    assert run.outputs["report"].metadata["multivariate_drifted"] == ["classifier"]
    metrics = run.outputs["metrics"].metadata
    for found in expected.multivariate:
        assert metrics[f"multivariate_score_{found.method}"] == found.score
    html = Path(run.outputs["report_html"].path).read_text()
    assert_self_contained(html)
    assert "Multivariate drift" in html
