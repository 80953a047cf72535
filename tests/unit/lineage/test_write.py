"""Writing monitoring results to a real MLMD (SQLite): atomic, idempotent, linked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from driftline.errors import InputError, LineageError
from driftline.lineage import record_baseline_profile, record_monitoring_result
from tests.unit.lineage.support import (
    drift_report,
    performance_report,
    profile_document,
    validation_report,
    write_json,
)


@pytest.fixture
def reports(tmp_path: Path) -> list[str]:
    return [
        write_json(tmp_path / "drift_report.json", drift_report(0.5, 2)),
        write_json(tmp_path / "validation_report.json", validation_report("warning", 0, 1)),
        write_json(tmp_path / "performance_report.json", performance_report(True, 55.5)),
    ]


def _counts(mlmd) -> tuple[int, int, int, int]:
    return (
        len(mlmd.get_executions()),
        len(mlmd.get_artifacts()),
        len(mlmd.get_contexts()),
        len(mlmd.get_events_by_execution_ids([e.id for e in mlmd.get_executions()])),
    )


def test_record_links_model_baseline_window_and_reports(store, trained, reports):
    baseline = trained.dataset_ids["dataset"]
    run_id = record_monitoring_result(
        store,
        trained.model_id,
        reports,
        run_id="mon-1",
        task="record",
        baseline_ids=[baseline],
        window_uri="s3://prod/requests/2012-01",
    )
    mlmd = store.mlmd
    [execution] = mlmd.get_executions_by_id([run_id])
    assert execution.type == "driftline.MonitoringRun"
    assert execution.external_id == "driftline:mon-1:record"
    assert execution.properties["drift_share"].double_value == 0.5
    assert execution.properties["drifted_columns"].int_value == 2
    assert execution.properties["validation_status"].string_value == "warning"
    assert execution.properties["performance_degraded"].bool_value is True
    assert execution.properties["window_start"].string_value == "2012-01-01T00:00:00"
    events = mlmd.get_events_by_execution_ids([run_id])
    inputs = {e.path.steps[0].key: e.artifact_id for e in events if e.type == 3}
    outputs = {e.path.steps[0].key: e.artifact_id for e in events if e.type == 4}
    assert inputs["model"] == trained.model_id and inputs["baseline"] == baseline
    assert set(outputs) == {"drift_report", "validation_report", "performance_report"}
    drift = mlmd.get_artifacts_by_id([outputs["drift_report"]])[0]
    assert drift.type == "driftline.DriftReport" and drift.properties["drift_detected"].bool_value
    assert drift.properties["thresholds"].string_value == "fixed"  # a 1.0 report: fixed
    [window] = mlmd.get_artifacts_by_id([inputs["window"]])
    assert window.type == "system.Dataset" and window.uri == "s3://prod/requests/2012-01"
    context = mlmd.get_context_by_type_and_name(
        "driftline.MonitoredModel", f"driftline:model:{trained.model_id}"
    )
    assert [e.id for e in mlmd.get_executions_by_context(context.id)] == [run_id]
    assert set(outputs.values()) <= {a.id for a in mlmd.get_artifacts_by_context(context.id)}


def test_retry_writes_nothing_twice(store, trained, reports):
    first = record_monitoring_result(store, trained.model_id, reports, run_id="r", task="t")
    before = _counts(store.mlmd)
    again = record_monitoring_result(store, trained.model_id, reports, run_id="r", task="t")
    assert again == first and _counts(store.mlmd) == before
    other = record_monitoring_result(store, trained.model_id, reports[:1], run_id="r2", task="t")
    assert other != first
    history = store.history(trained.model_id)
    assert [h.execution_id for h in history] == [first, other]
    assert history[0].performance == {"rmse": 55.5} and history[1].validation_status is None


def test_links_to_the_artifact_kfp_recorded_in_the_same_run(store, trained, tmp_path: Path):
    """Inside KFP the drift report was already recorded (system.Artifact, same URI, attributed
    to the run context): link it, attach the monitoring run to the run context."""
    from ml_metadata.proto import metadata_store_pb2 as pb

    from driftline.lineage.mlmd.types import TypeCache

    mlmd = store.mlmd
    uri = "minio://mlpipeline/v2/artifacts/monitor/run-1/check-drift/1a2b/drift_report"
    kfp_artifact = pb.Artifact(type_id=TypeCache(mlmd).artifact("system.Artifact"), uri=uri)
    [run_context] = mlmd.get_contexts_by_id([trained.run_context_id])
    _, [kfp_id], _ = mlmd.put_execution(
        pb.Execution(type_id=mlmd.get_execution_type("system.ContainerExecution").id),
        [(kfp_artifact, pb.Event(type=pb.Event.OUTPUT))],
        [run_context],
    )
    path = write_json(tmp_path / "drift_report.json", drift_report())
    execution = record_monitoring_result(
        store, trained.model_id, [(path, uri)], run_id="run-1", task="record"
    )
    outputs = [
        e.artifact_id
        for e in mlmd.get_events_by_execution_ids([execution])
        if e.type == pb.Event.OUTPUT
    ]
    assert outputs == [kfp_id]
    assert len(mlmd.get_artifacts_by_uri(uri)) == 1
    assert execution in {e.id for e in mlmd.get_executions_by_context(trained.run_context_id)}
    [context] = mlmd.get_contexts_by_id([trained.run_context_id])
    assert context.custom_properties["namespace"].string_value == "kubeflow"  # not overwritten


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"kind": "drift"}, "no schema_version"),
        ({"schema_version": "1.0", "kind": "weird"}, "valid report kinds"),
        ({**drift_report(), "drift_share": "high"}, "states drift_share 'high'"),
        ({**validation_report(), "status": "meh"}, "status 'meh'"),
        ({**drift_report(), "schema_version": "2.0"}, r"this driftline reads 1\.x"),
        ([1, 2], "kind None"),
    ],
)
def test_bad_reports_write_nothing(store, trained, tmp_path: Path, document, message):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(document))
    before = _counts(store.mlmd)
    with pytest.raises(InputError, match=message):
        record_monitoring_result(store, trained.model_id, [str(path)], run_id="x", task="y")
    assert _counts(store.mlmd) == before


def test_other_bad_inputs_write_nothing(store, trained, reports, tmp_path: Path):
    before = _counts(store.mlmd)
    with pytest.raises(InputError, match=r"does not exist"):
        record_monitoring_result(
            store, trained.model_id, [str(tmp_path / "no.json")], run_id="x", task="y"
        )
    with pytest.raises(InputError, match=r"run_id and task must be non-empty"):
        record_monitoring_result(store, trained.model_id, reports, run_id="", task="y")
    with pytest.raises(InputError, match=r"at most one each"):
        record_monitoring_result(
            store, trained.model_id, [reports[0], reports[0]], run_id="x", task="y"
        )
    with pytest.raises(InputError, match=r"no report to record"):
        record_monitoring_result(store, trained.model_id, [], run_id="x", task="y")
    with pytest.raises(LineageError, match=r"baseline artifact id"):
        record_monitoring_result(
            store, trained.model_id, reports, run_id="x", task="y", baseline_ids=[12345]
        )
    with pytest.raises(LineageError, match=r"no artifact with MLMD id"):
        record_monitoring_result(store, 4242, reports, run_id="x", task="y")
    with pytest.raises(InputError, match=r"is a 'drift' document, not a profile"):
        record_baseline_profile(store, trained.model_id, "s3://p", reports[0], run_id="x", task="y")
    assert _counts(store.mlmd) == before


def test_baseline_profile_is_idempotent_and_linked(store, trained):
    ids = [
        record_baseline_profile(
            store,
            trained.model_id,
            "s3://p/profile.json",
            profile_document(),
            run_id="deploy",
            task="profile",
            dataset_ids=[trained.dataset_ids["dataset"]],
        )
        for _ in range(2)
    ]
    assert ids[0] == ids[1]
    events = store.mlmd.get_events_by_artifact_ids([ids[0]])
    [producer] = store.mlmd.get_executions_by_id([events[0].execution_id])
    assert producer.type == "driftline.BaselineRun"
    inputs = {
        e.artifact_id for e in store.mlmd.get_events_by_execution_ids([producer.id]) if e.type == 3
    }
    assert inputs == {trained.model_id, trained.dataset_ids["dataset"]}


def test_the_threshold_origin_and_the_calibration_window_are_recorded(
    store, trained, tmp_path: Path
):
    calibrated = {**drift_report(0.5, 2), "schema_version": "1.1", "thresholds": "calibrated"}
    run_id = record_monitoring_result(
        store,
        trained.model_id,
        [write_json(tmp_path / "drift_report.json", calibrated)],
        run_id="mon-calibrated",
        task="record",
    )
    events = store.mlmd.get_events_by_execution_ids([run_id])
    [drift] = store.mlmd.get_artifacts_by_id([e.artifact_id for e in events if e.type == 4])
    assert drift.properties["thresholds"].string_value == "calibrated"
    profile = {**profile_document(), "calibration": {"version": 1, "window": "1d"}}
    profile_id = record_baseline_profile(
        store, trained.model_id, "s3://p/calibrated.json", profile, run_id="deploy", task="p"
    )
    [recorded] = store.mlmd.get_artifacts_by_id([profile_id])
    assert recorded.properties["calibration_window"].string_value == "1d"


def test_multivariate_verdicts_become_custom_properties(store, trained, tmp_path: Path):
    """A real drift report with a multivariate section (a correlation 0 -> 0.8 that no
    column shows): its verdicts sit next to the dataset drift result in MLMD."""
    import numpy as np
    import pyarrow as pa

    from driftline.drift import check_drift

    rng = np.random.default_rng(4)

    def pair(correlation: float) -> pa.Table:
        x = rng.standard_normal(2000)
        y = correlation * x + np.sqrt(1 - correlation**2) * rng.standard_normal(2000)
        return pa.table({"x": x, "y": y})

    result = check_drift(pair(0.0), pair(0.8), multivariate="classifier")
    assert result.number_of_drifted_columns == 0 and result.drift_detected
    result.dump(tmp_path, html="<html></html>")
    run_id = record_monitoring_result(
        store, trained.model_id, [str(tmp_path / "drift_report.json")], run_id="mv", task="t"
    )
    mlmd = store.mlmd
    [execution] = mlmd.get_executions_by_id([run_id])
    assert execution.properties["drift_detected"].bool_value is True
    custom = execution.custom_properties
    classifier = result.multivariate[0]
    assert custom["multivariate_classifier_drift_detected"].int_value == 1  # KFP's bool
    # the report file keeps 6 significant digits
    assert custom["multivariate_classifier_score"].double_value == pytest.approx(
        classifier.score, rel=1e-5
    )
    assert custom["multivariate_classifier_threshold"].double_value == pytest.approx(
        classifier.threshold, rel=1e-5
    )
    assert custom["multivariate_classifier_p_value"].double_value == pytest.approx(
        classifier.p_value, rel=1e-5
    )
    top = custom["multivariate_classifier_top_features"].string_value
    assert set(top.split(",")) == {"x", "y"}
    [event] = [e for e in mlmd.get_events_by_execution_ids([run_id]) if e.type == 4]
    [artifact] = mlmd.get_artifacts_by_id([event.artifact_id])
    assert artifact.custom_properties["multivariate_classifier_score"].double_value == (
        custom["multivariate_classifier_score"].double_value
    )
