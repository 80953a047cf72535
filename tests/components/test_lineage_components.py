"""resolve_baseline and record_monitoring_result run by KFP's local runner against real MLMD."""

import json
from pathlib import Path

import pytest
from kfp import dsl, local
from kfp.dsl import HTML, Artifact, Dataset, Output

from driftline.components.image import IMAGE
from driftline.components.record_monitoring_result import record_monitoring_result
from driftline.components.resolve_baseline import resolve_baseline
from driftline.lineage import open_store
from tests.unit.lineage.support import (
    drift_report,
    performance_report,
    seed_training,
    validation_report,
)


@pytest.fixture
def local_kfp(tmp_path: Path):
    local.init(
        runner=local.SubprocessRunner(use_venv=False),
        pipeline_root=str(tmp_path / "root"),
        raise_on_error=True,
    )


@pytest.fixture
def seeded(tmp_path: Path):
    uri = f"sqlite://{tmp_path}/mlmd.sqlite"
    return uri, seed_training(open_store(uri))


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def write_page(page: Output[HTML]):
    """Test helper: a report's HTML page."""
    with open(page.path, "w") as handle:
        handle.write("<html></html>")


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def write_drift_report(report: Output[Artifact], document: str = "{}"):
    """Test helper: write a drift report document to an artifact."""
    with open(report.path, "w") as handle:
        handle.write(document)


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def write_window(window: Output[Dataset]):
    """Test helper: a window artifact with the bounds load_window puts in its metadata."""
    with open(window.path, "w") as handle:
        handle.write("rows")
    window.metadata["window_start"] = "2012-01-01T00:00:00+00:00"
    window.metadata["window_end"] = "2012-01-08T00:00:00+00:00"


def test_resolve_baseline_component(local_kfp, seeded):
    uri, run = seeded
    task = resolve_baseline(model=str(run.model_id), store=uri)
    assert task.outputs["model_id"] == run.model_id
    assert task.outputs["dataset_uri"] == "minio://mlpipeline/data/bike/hour-1.csv"
    baseline = task.outputs["baseline"]
    assert baseline.uri == "minio://mlpipeline/data/bike/hour-1.csv"
    assert baseline.metadata["dataset_id"] == run.dataset_ids["dataset"]
    assert baseline.metadata["training_run_id"] == "run-1"
    assert task.outputs["training_metrics"].metadata == {"rmse": 40.0, "r2": 0.81}


def test_resolve_baseline_component_bad_model_fails(local_kfp, seeded):
    uri, _ = seeded
    with pytest.raises(RuntimeError):
        resolve_baseline(model="4242", store=uri)


def test_monitoring_pipeline_records_with_kfp_run_id(local_kfp, seeded):
    uri, run = seeded

    @dsl.pipeline
    def monitor(store: str, model: str, drift: str, validation: str, performance: str):
        # kfp 2.13's local runner fails on unconnected optional input artifacts (KeyError in
        # executor_input_utils), so all three reports and pages are connected here.
        resolved = resolve_baseline(model=model, store=store)
        drift_task = write_drift_report(document=drift)
        validation_task = write_drift_report(document=validation)
        performance_task = write_drift_report(document=performance)
        record_monitoring_result(
            drift_report=drift_task.outputs["report"],
            validation_report=validation_task.outputs["report"],
            performance_report=performance_task.outputs["report"],
            baseline=resolved.outputs["baseline"],
            window=write_window().outputs["window"],
            store=store,
            run_id=dsl.PIPELINE_JOB_ID_PLACEHOLDER,
            task=dsl.PIPELINE_TASK_NAME_PLACEHOLDER,
            validation_page=write_page().outputs["page"],
            drift_page=write_page().outputs["page"],
            performance_page=write_page().outputs["page"],
        )

    monitor(
        store=uri,
        model=str(run.model_id),
        drift=json.dumps(drift_report(0.5, 2)),
        validation=json.dumps(validation_report("fail", 2)),
        performance=json.dumps(performance_report(True, 60.0)),
    )
    [record] = open_store(uri).history(run.model_id)
    assert record.drift_share == 0.5 and record.window_end == "2012-01-08T00:00:00+00:00"
    assert record.window_start == "2012-01-01T00:00:00+00:00"
    assert record.validation_status == "fail" and record.performance == {"rmse": 60.0}
    assert record.run_id and "{{" not in record.run_id  # the local runner resolved it
    assert record.task == "record-monitoring-result"
    store = open_store(uri)
    inputs = {
        e.path.steps[0].key: e.artifact_id
        for e in store.mlmd.get_events_by_execution_ids([record.execution_id])
        if e.type == 3
    }
    assert sorted(inputs) == ["baseline", "model", "window"]
    assert inputs["model"] == run.model_id and inputs["baseline"] == run.dataset_ids["dataset"]
    [window] = store.mlmd.get_artifacts_by_id([inputs["window"]])
    assert window.uri.endswith("/write-window/window")
