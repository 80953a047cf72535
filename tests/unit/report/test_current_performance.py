""" "Current performance" is one number: the newest judged window, shown alike by every consumer."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from prometheus_client.parser import text_string_to_metric_families

from driftline.alerting import notify_from_reports
from driftline.cli import main
from driftline.demo.runner import _outcome, format_table
from driftline.lineage import open_store, record_monitoring_result
from driftline.observability.publish import publish_monitoring_metrics
from driftline.report import PerformanceReport
from tests.unit.lineage.support import seed_training
from tests.unit.report.conftest import DAYS, Outputs


@pytest.fixture(scope="module")
def report(outputs: Outputs) -> PerformanceReport:
    return PerformanceReport.load(outputs.performance)


def test_current_is_the_newest_window_with_enough_labels(
    outputs: Outputs, report: PerformanceReport
) -> None:
    statuses = [w.status for w in report.windows]
    assert statuses == ["ok"] * (DAYS - 1) + ["insufficient labels"]  # labels arrive late
    current = report.current
    assert current is not None and current.start == report.windows[-2].start
    # oracle: pandas on the raw rows of that day
    window = pd.read_parquet(outputs.performance.parent / "window.parquet")
    labels = pd.read_parquet(outputs.performance.parent / "labels.parquet")
    rows = window.merge(labels, on="id")
    day = rows[rows["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%SZ").between(
        current.start, current.end, inclusive="left"
    )]  # fmt: skip
    error = day["prediction"] - day["label"]
    assert current.labelled_rows == len(day)
    assert current.metrics["mae"] == pytest.approx(np.abs(error).mean(), rel=1e-12)
    assert current.metrics["rmse"] == pytest.approx(np.sqrt((error**2).mean()), rel=1e-12)
    # neither the newest window nor the overall block: both would tell another story
    assert current.metrics["mae"] != pytest.approx(report.overall.metrics["mae"], rel=1e-3)
    assert report.to_dict()["current"] == current.model_dump()


def test_no_judged_window_means_no_current_performance(report: PerformanceReport) -> None:
    document = report.to_dict()
    for window in document["windows"]:
        window["status"] = "insufficient labels"
    document.pop("current")
    assert PerformanceReport.from_document(document).current is None


def test_every_consumer_shows_the_current_performance(
    outputs: Outputs, report: PerformanceReport, tmp_path: Path
) -> None:
    current = report.current
    assert current is not None
    mae = current.metrics["mae"]

    # ML Metadata: the monitoring run's properties, read back by `driftline history`
    store_uri = f"sqlite://{tmp_path}/mlmd.sqlite"
    store = open_store(store_uri)
    trained = seed_training(store)
    record_monitoring_result(
        store,
        trained.model_id,
        [str(outputs.validation), str(outputs.drift), str(outputs.performance)],
        run_id="run-1",
        task="record",
    )
    [recorded] = store.history(trained.model_id)
    store.close()
    assert recorded.performance == current.metrics
    assert (recorded.performance_window_start, recorded.performance_window_end) == (
        current.start,
        current.end,
    )
    listed = CliRunner().invoke(main, ["history", str(trained.model_id), "--store", store_uri])
    assert listed.exit_code == 0, listed.output
    assert f"mae={mae:g}" in listed.output
    as_json = CliRunner().invoke(
        main, ["history", str(trained.model_id), "--store", store_uri, "--json"]
    )
    assert json.loads(as_json.output)[0]["performance"]["mae"] == mae

    # Prometheus
    text = publish_monitoring_metrics("bike", "ml", performance_report=outputs.performance).text
    samples = {
        (s.name, s.labels.get("metric")): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert samples[("driftline_performance", "mae")] == mae
    assert samples[("driftline_performance", "rmse")] == current.metrics["rmse"]
    assert samples[("driftline_label_coverage", None)] == current.label_coverage
    end = pd.Timestamp(current.end).timestamp()
    assert samples[("driftline_performance_window_end_timestamp_seconds", None)] == end

    # the alert
    alert = notify_from_reports(
        url="",
        model="bike",
        window_start=report.windows[0].start,
        window_end=report.windows[-1].end,
        performance_report_path=str(outputs.performance),
    )
    assert alert is not None and alert.performance == current.metrics
    assert f"mae {mae:.4g} (training 0.8)" in alert.text
    assert f"current window {current.start}..{current.end}" in alert.text

    # the demo table
    def artifact(path: Path) -> SimpleNamespace:
        return SimpleNamespace(path=str(path))

    run = SimpleNamespace(
        outputs={
            "drift_report": artifact(outputs.drift / "drift_report.json"),
            "validation_report": artifact(outputs.validation / "validation_report.json"),
            "performance_report": artifact(outputs.performance / "performance_report.json"),
            "window_start": report.windows[0].start,
            "window_end": report.windows[-1].end,
        }
    )
    outcome = _outcome(run)
    assert outcome.mae == mae
    assert f"{mae:6.1f} {mae / 0.8:7.2f}x!" in format_table([outcome], training_mae=0.8)
