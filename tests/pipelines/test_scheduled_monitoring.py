"""The scheduled-monitoring pipeline: compiled DAG, and the monitoring path run locally."""

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from kfp import components, dsl, local

from driftline.demo.dataset import FEATURES, ID, PREDICTION, TARGET, TIMESTAMP, prepare
from driftline.lineage import open_store
from driftline.lineage.mlmd.kfp_records import record_training_run
from driftline.pipelines.scheduled_monitoring import MAX_PARALLEL_PARTITIONS, monitor_window

PIPELINES = Path(__file__).parents[2] / "pipelines" / "yaml"


def _documents(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    spec, platform = yaml.safe_load_all((PIPELINES / f"{name}.yaml").read_text())
    return spec, platform


def test_compiled_pipelines_load_with_kfp() -> None:
    for name in ("scheduled_monitoring", "monitor_window"):
        loaded = components.load_component_from_file(str(PIPELINES / f"{name}.yaml"))
        assert "model" in loaded.component_spec.inputs


def test_scheduled_dag_plans_then_monitors_one_path_then_alerts_then_retrains() -> None:
    spec, _ = _documents("scheduled_monitoring")
    tasks = spec["root"]["dag"]["tasks"]
    assert set(tasks) == {
        "plan-partitions",
        "condition-branches-1",
        "send-notification",
        "condition-4",
    }
    plan = tasks["plan-partitions"]["inputs"]["parameters"]
    # The window ends at the run's scheduled time, not at wall-clock time.
    assert plan["window_end"]["runtimeValue"]["constant"] == "{{$.pipeline_job_schedule_time_utc}}"
    assert tasks["plan-partitions"]["cachingOptions"] == {}  # new files: plan again
    components = spec["components"]
    branches = components["comp-condition-branches-1"]["dag"]["tasks"]
    assert branches["condition-2"]["triggerPolicy"]["condition"] == (
        "inputs.parameter_values['pipelinechannel--plan-partitions-fan_out'] == true"
    )
    assert "!(" in branches["condition-3"]["triggerPolicy"]["condition"]  # the else branch
    assert list(components["comp-condition-2"]["dag"]["tasks"]) == ["driftline-monitor-partitions"]
    [single] = components["comp-condition-3"]["dag"]["tasks"].values()
    assert single["componentRef"]["name"] == "comp-driftline-monitor-window"
    monitor = single["inputs"]["parameters"]
    assert monitor["window_end"]["runtimeValue"]["constant"] == (
        "{{$.pipeline_job_schedule_time_utc}}"
    )
    assert monitor["run_id"]["runtimeValue"]["constant"] == "{{$.pipeline_job_uuid}}"
    # The alert reads the reports of whichever path ran (dsl.OneOf).
    alert = tasks["send-notification"]
    assert set(alert["dependentTasks"]) == {"condition-branches-1", "plan-partitions"}
    oneof = components["comp-condition-branches-1"]["dag"]["outputs"]["artifacts"]
    for name, source in alert["inputs"]["artifacts"].items():
        selectors = oneof[source["taskOutputArtifact"]["outputArtifactKey"]]["artifactSelectors"]
        assert [s["producerSubtask"] for s in selectors] == ["condition-2", "condition-3"], name
    condition = tasks["condition-4"]
    assert condition["dependentTasks"] == ["send-notification"]
    assert "send-notification-alert_raised'] == true" in condition["triggerPolicy"]["condition"]
    inner = components["comp-condition-4"]["dag"]["tasks"]["condition-5"]
    assert "retrain_pipeline_id'] != ''" in inner["triggerPolicy"]["condition"]
    retrain = components["comp-condition-5"]["dag"]["tasks"]
    assert list(retrain) == ["start-retraining"]
    assert retrain["start-retraining"]["cachingOptions"] == {}
    defaults = spec["root"]["inputDefinitions"]["parameters"]
    assert defaults["fan_out"]["defaultValue"] == "auto"
    assert defaults["rows_per_task"]["defaultValue"] == 10_000_000


def test_fan_out_dag_profiles_partitions_in_parallel_then_merges() -> None:
    spec, platform = _documents("scheduled_monitoring")
    components = spec["components"]
    fan = components["comp-driftline-monitor-partitions"]["dag"]["tasks"]
    assert set(fan) == {
        "resolve-baseline",
        "profile-baseline",
        "for-loop-1",
        "merge-profiles",
        "validate-data",
        "check-drift",
        "merge-performance",
        "record-monitoring-result",
        "publish-metrics",
        "render-history",
    }  # no task loads the whole window: neither load-window nor compute-performance
    loop = fan["for-loop-1"]
    assert loop["parameterIterator"]["items"] == {"inputParameter": "pipelinechannel--partitions"}
    assert loop["iteratorPolicy"] == {"parallelismLimit": MAX_PARALLEL_PARTITIONS}
    assert loop["dependentTasks"] == ["profile-baseline"]
    inner = components["comp-for-loop-1"]["dag"]["tasks"]
    assert set(inner) == {"profile-partition", "score-partition"}  # two pods per partition
    for name, task in inner.items():
        assert task["componentRef"]["name"] == f"comp-{name}"
        assert task["cachingOptions"] == {}  # a partition's late rows (and labels) change it
        assert task["inputs"]["parameters"]["partition"] == {
            "componentInputParameter": "pipelinechannel--partitions-loop-item"
        }
    scoring = inner["score-partition"]["inputs"]["parameters"]
    for name in ("window_start", "window_end", "labels_uri", "id_column", "label_column"):
        assert scoring[name]["componentInputParameter"] == f"pipelinechannel--{name}", name
    assert scoring["window"]["componentInputParameter"] == "pipelinechannel--performance_window"
    performance = fan["merge-performance"]
    assert performance["dependentTasks"] == ["for-loop-1", "resolve-baseline"]
    assert performance["cachingOptions"] == {}
    states = performance["inputs"]["artifacts"]["states"]["taskOutputArtifact"]
    assert states == {
        "outputArtifactKey": "pipelinechannel--score-partition-state",
        "producerTask": "for-loop-1",
    }
    recorded = fan["record-monitoring-result"]["inputs"]["artifacts"]["performance_report"]
    assert recorded["taskOutputArtifact"]["producerTask"] == "merge-performance"
    merged = fan["merge-profiles"]
    assert merged["dependentTasks"] == ["for-loop-1"]
    collected = merged["inputs"]["artifacts"]["profiles"]["taskOutputArtifact"]
    assert collected["producerTask"] == "for-loop-1"  # dsl.Collected over every iteration
    # the halves each partition could not pair (sink sides written apart) reach the merge too
    leftovers = merged["inputs"]["artifacts"]["unpaired"]["taskOutputArtifact"]
    assert leftovers == {
        "producerTask": "for-loop-1",
        "outputArtifactKey": "pipelinechannel--profile-partition-unpaired",
    }
    loop_outputs = components["comp-for-loop-1"]["outputDefinitions"]["artifacts"]
    assert loop_outputs["pipelinechannel--profile-partition-unpaired"]["isArtifactList"] is True
    for task in ("validate-data", "check-drift"):
        current = fan[task]["inputs"]["artifacts"]
        window = current.get("window") or current["current"]
        assert window["taskOutputArtifact"]["producerTask"] == "merge-profiles", task
    # the plan's partitions and window bounds feed the fan-out path
    branch = components["comp-condition-2"]["dag"]["tasks"]["driftline-monitor-partitions"]
    given = branch["inputs"]["parameters"]
    assert given["partitions"]["componentInputParameter"] == (
        "pipelinechannel--plan-partitions-partitions"
    )
    executors = platform["platforms"]["kubernetes"]["deploymentSpec"]["executors"]
    for executor in ("exec-plan-partitions", "exec-profile-partition", "exec-score-partition"):
        [secret] = executors[executor]["secretAsEnv"]
        assert secret["secretNameParameter"] == {"componentInputParameter": "credentials_secret"}


def test_monitoring_core_dag_and_platform_settings() -> None:
    spec, platform = _documents("scheduled_monitoring")
    core = spec["components"]["comp-driftline-monitor-window"]["dag"]["tasks"]
    assert set(core) == {
        "resolve-baseline",
        "profile-baseline",
        "load-window",
        "profile-window",
        "validate-data",
        "check-drift",
        "compute-performance",
        "record-monitoring-result",
        "publish-metrics",
        "render-history",
    }
    # the history page is rendered once this window is recorded, never from a cache
    assert core["render-history"]["dependentTasks"] == ["record-monitoring-result"]
    assert core["render-history"]["cachingOptions"] == {}
    assert set(core["record-monitoring-result"]["dependentTasks"]) == {
        "check-drift",
        "compute-performance",
        "load-window",
        "resolve-baseline",
        "validate-data",
    }
    assert "record-monitoring-result" in core["publish-metrics"]["dependentTasks"]
    check = core["check-drift"]["inputs"]["artifacts"]
    assert check["reference"]["taskOutputArtifact"]["producerTask"] == "profile-baseline"
    assert_window_read_once(core)
    for task in ("resolve-baseline", "load-window", "record-monitoring-result"):
        assert core[task]["cachingOptions"] == {}, task  # side effects: never cached
    executors = platform["platforms"]["kubernetes"]["deploymentSpec"]["executors"]
    for executor in ("exec-load-window", "exec-compute-performance"):
        [secret] = executors[executor]["secretAsEnv"]
        assert {m["envVar"] for m in secret["keyToEnv"]} == {
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
        }
        assert secret["secretNameParameter"] == {"componentInputParameter": "credentials_secret"}
    defaults = spec["root"]["inputDefinitions"]["parameters"]
    assert defaults["credentials_secret"]["defaultValue"] == "mlpipeline-minio-artifact"
    assert defaults["window_length"]["defaultValue"] == "1d"
    assert "window_end" not in defaults  # set by the schedule, not by users


def _readers(core: dict[str, Any], producer: str, output: str) -> set[str]:
    """The tasks that take `producer`'s `output` artifact as an input."""
    return {
        name
        for name, task in core.items()
        for given in task.get("inputs", {}).get("artifacts", {}).values()
        if given.get("taskOutputArtifact")
        == {"producerTask": producer, "outputArtifactKey": output}
    }


def assert_window_read_once(core: dict[str, Any]) -> None:
    """Issue 11, "one pass over each window": validation and drift take the window's profile;
    the window table itself is profiled once (performance joins its rows to labels, and
    the lineage record links the window artifact without reading it)."""
    assert _readers(core, "load-window", "window") == {
        "profile-window",
        "compute-performance",
        "record-monitoring-result",
    }
    assert _readers(core, "profile-window", "profile") == {"validate-data", "check-drift"}
    profiled = core["profile-window"]["inputs"]["artifacts"]["baseline_profile"]
    assert profiled["taskOutputArtifact"]["producerTask"] == "profile-baseline"


@pytest.fixture
def demo_store(tmp_path: Path) -> dict[str, Any]:
    files = prepare(tmp_path / "data")
    store = f"sqlite://{tmp_path / 'mlmd.sqlite'}"
    training = record_training_run(
        open_store(store),
        dataset_uri=str(files.training),
        model_uri=str(files.model.parent),
        metrics=files.training_metrics,
        pipeline_name="bike-demand-training",
        run_id="training-run-1",
    )
    return {"files": files, "store": store, "training": training}


def _report(artifact: dsl.Artifact) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(Path(artifact.path).read_text())
    return document


def test_monitoring_path_runs_locally_and_lands_in_mlmd(
    tmp_path: Path, demo_store: dict[str, Any]
) -> None:
    files, store = demo_store["files"], demo_store["store"]
    local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=str(tmp_path / "root"))
    run = monitor_window(
        model=str(files.model.parent),
        source_uri=str(files.production),
        window_end="2012-07-01T00:00:00Z",
        store=store,
        timestamp_column=TIMESTAMP,
        window_length="28d",
        columns=[*FEATURES, PREDICTION],
        prediction_column=PREDICTION,
        id_column=ID,
        labels_uri=str(files.labels),
        label_column=TARGET,
        task="regression",
        performance_window="7d",
        model_name="bike-demand",
        namespace="ml",
        run_id="scheduled-run-1",
    )
    drift = _report(run.outputs["drift_report"])
    validation = _report(run.outputs["validation_report"])
    performance = _report(run.outputs["performance_report"])
    assert run.outputs["window_start"] == "2012-06-03T00:00:00+00:00"
    assert drift["mode"] == "profile" and drift["reference_rows"] == 8645
    assert drift["current_rows"] == 672  # 28 days of hourly rows, none missing in June 2012
    assert drift["prediction"]["name"] == PREDICTION
    # 2012 rentals are ~60% above 2011's at similar weather: the model under-predicts.
    assert performance["overall"]["metrics"]["mean_error"] < 0
    assert performance["degraded"] is True

    [record] = open_store(store).history(str(files.model.parent))
    assert record.execution_id == run.outputs["monitoring_run_id"]
    assert record.run_id == "scheduled-run-1"
    assert record.window_end == "2012-07-01T00:00:00+00:00"
    assert record.validation_status == validation["status"]
    assert record.drift_share == pytest.approx(drift["drift_share"])
    assert record.drifted_columns == sum(c["drift_detected"] for c in drift["columns"])
    # the current performance: the newest window with enough labels to be judged
    newest = max((w for w in performance["windows"] if w["status"] == "ok"), key=lambda w: w["end"])
    assert performance["current"]["start"] == newest["start"]
    assert record.performance["mae"] == pytest.approx(newest["metrics"]["mae"])
    assert record.performance_window_end == newest["end"]
    assert record.performance_degraded is True


def test_monitoring_path_calibrates_the_baseline_it_profiles(
    tmp_path: Path, demo_store: dict[str, Any]
) -> None:
    """calibration_window reaches profile_baseline, and check_drift then judges every column
    against the stored calibration (drift_thresholds "auto")."""
    files, store = demo_store["files"], demo_store["store"]
    local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=str(tmp_path / "root"))
    run = monitor_window(
        model=str(files.model.parent),
        source_uri=str(files.production),
        window_end="2012-07-01T00:00:00Z",
        store=store,
        timestamp_column=TIMESTAMP,
        window_length="28d",
        columns=FEATURES,
        calibration_window="28d",
        model_name="bike-demand",
        namespace="ml",
        run_id="scheduled-run-calibrated",
    )
    drift = _report(run.outputs["drift_report"])
    assert drift["thresholds"] == "calibrated"
    for column in drift["columns"]:
        calibration = column["calibration"]
        assert calibration["window"] == "28d" and calibration["chunks"] >= 10, column["name"]
        assert column["threshold_origin"] == "calibrated" or calibration["fallback"]
    assert sum(c["threshold_origin"] == "calibrated" for c in drift["columns"]) >= 1
