"""compute_performance runs in KFP's local runner and fills the artifacts the KFP UI draws."""

import json
from pathlib import Path
from typing import NamedTuple

import pytest
from kfp import dsl
from kfp.dsl import HTML, Artifact, ClassificationMetrics, Dataset, Metrics, Output

from driftline.components.compute_performance import compute_performance


@dsl.component(base_image="python:3.11", install_kfp_package=False)
def bike_predictions(hour_csv: str, labels_path: str, predictions: Output[Dataset]) -> None:
    """2012 bike hours: a 'busy hour' classifier fit on 2011, labels for the first half."""
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    data = pd.read_csv(hour_csv)
    data["timestamp"] = pd.to_datetime(data["dteday"]) + pd.to_timedelta(data["hr"], unit="h")
    features = ["hr", "workingday", "temp", "hum", "weathersit"]
    train, test = data[data.yr == 0], data[data.yr == 1].copy()
    busy = train["cnt"] > train["cnt"].median()
    model = LogisticRegression(max_iter=2000).fit(train[features], busy)
    test["score"] = model.predict_proba(test[features])[:, 1]
    test["prediction"] = np.where(test["score"] >= 0.5, "busy", "quiet")
    test["label"] = np.where(test["cnt"] > train["cnt"].median(), "busy", "quiet")
    test = test.rename(columns={"instant": "id"})
    test[["id", "timestamp", "prediction", "score"]].to_parquet(predictions.path)
    test[["id", "label"]].iloc[: len(test) // 2].to_parquet(labels_path)


class Outputs(NamedTuple):
    degraded: bool
    report: Artifact
    metrics: Metrics
    classification_metrics: ClassificationMetrics
    html: HTML


@dsl.pipeline
def monitor(hour_csv: str, labels_path: str, window: str = "30d") -> Outputs:
    data = bike_predictions(hour_csv=hour_csv, labels_path=labels_path)
    task = compute_performance(
        predictions=data.outputs["predictions"],
        labels_uri=labels_path,
        score_columns=["score"],
        positive_label="busy",
        window=window,
        baseline_metrics={"accuracy": 0.95},
    )
    return Outputs(
        degraded=task.outputs["degraded"],
        report=task.outputs["report"],
        metrics=task.outputs["metrics"],
        classification_metrics=task.outputs["classification_metrics"],
        html=task.outputs["report_html"],
    )


def test_compute_performance_locally(kfp_local: Path, bike_hour_csv: Path) -> None:
    task = monitor(
        hour_csv=str(bike_hour_csv), labels_path=str(kfp_local.parent / "labels.parquet")
    )
    assert task.outputs["degraded"] is True
    document = json.loads(Path(task.outputs["report"].path).read_text())

    assert document["degraded"] and document["positive_label"] == "busy"
    assert task.outputs["report"].metadata["degraded"] is True
    metrics = task.outputs["metrics"].metadata
    first = document["windows"][0]
    assert metrics[f"accuracy@{first['start']}"] == pytest.approx(first["metrics"]["accuracy"])
    kfp_cm = task.outputs["classification_metrics"].metadata["confusionMatrix"]
    assert [c["displayName"] for c in kfp_cm["annotationSpecs"]] == ["busy", "quiet"]
    assert [r["row"] for r in kfp_cm["rows"]] == document["overall"]["confusion_matrix"]
    roc = task.outputs["classification_metrics"].metadata["confidenceMetrics"]
    assert roc[0]["falsePositiveRate"] == 1.0 and roc[-1]["recall"] == 0.0
    html = Path(task.outputs["html"].path).read_text()
    assert html.startswith("<!doctype html>") and "<svg" in html


def test_compute_performance_bad_input_fails_the_task(kfp_local: Path, bike_hour_csv: Path) -> None:
    with pytest.raises(RuntimeError, match="compute-performance"):
        monitor(
            hour_csv=str(bike_hour_csv),
            labels_path=str(kfp_local.parent / "labels.parquet"),
            window="fortnight",
        )


@dsl.pipeline
def monitor_without_labels(hour_csv: str, labels_path: str) -> bool:
    data = bike_predictions(hour_csv=hour_csv, labels_path=labels_path)
    return compute_performance(predictions=data.outputs["predictions"], label_column="").outputs[
        "degraded"
    ]


def test_no_labels_configured_is_a_report_not_a_failure(
    kfp_local: Path, bike_hour_csv: Path
) -> None:
    run = monitor_without_labels(
        hour_csv=str(bike_hour_csv), labels_path=str(kfp_local.parent / "labels.parquet")
    )
    assert run.output is False
    task_dir = next(kfp_local.iterdir()) / "compute-performance"
    document = json.loads((task_dir / "report").read_text())
    assert document["status"] == "no_labels"
    assert document["windows"] == [] and document["degraded"] is False


@dsl.pipeline
def estimate_without_labels(hour_csv: str, labels_path: str, include_estimated: bool) -> bool:
    data = bike_predictions(hour_csv=hour_csv, labels_path=labels_path)
    return compute_performance(
        predictions=data.outputs["predictions"],
        label_column="",
        score_columns=["score"],
        classes=["busy", "quiet"],
        positive_label="busy",
        window="1mo",
        timezone="America/New_York",
        baseline_metrics={"accuracy": 0.99},
        include_estimated=include_estimated,
    ).outputs["degraded"]


@pytest.mark.parametrize("include_estimated", [False, True])
def test_no_labels_yet_gives_estimates_and_an_estimated_degradation(
    kfp_local: Path, bike_hour_csv: Path, include_estimated: bool
) -> None:
    """Issue 18: no labels at all, the component still estimates (calendar months in a
    timezone) and its `degraded` output includes an estimated degradation on request."""
    run = estimate_without_labels(
        hour_csv=str(bike_hour_csv),
        labels_path=str(kfp_local.parent / "labels.parquet"),
        include_estimated=include_estimated,
    )
    assert run.output is include_estimated
    task_dir = next(p for p in kfp_local.iterdir() if (p / "compute-performance").exists())
    document = json.loads((task_dir / "compute-performance" / "report").read_text())
    assert document["label_status"] == "no labels yet" and not document["degraded"]
    # 2012-01-01 00:00 UTC is still December 31 in New York
    starts = [w["start"] for w in document["windows"]]
    assert starts[:2] == ["2011-12-01T00:00:00-05:00", "2012-01-01T00:00:00-05:00"]
    assert len(starts) == 13 and "2012-07-01T00:00:00-04:00" in starts
    assert document["estimated_degraded_windows"]
    assert all("accuracy" in w["estimate"]["metrics"] for w in document["windows"])
