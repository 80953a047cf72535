"""A window scored part by part (states merged) gives the single pass's report; real data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from sklearn import metrics as skm

from driftline.errors import InputError
from driftline.performance import run_performance
from driftline.performance.partitioned import partition_state, report_from_states
from driftline.performance.state import PerformanceState
from tests.unit.performance.conftest import Bike

TASKS: dict[str, dict[str, Any]] = {
    "regression": {
        "label": "cnt",
        "options": {"task": "regression", "prediction_column": "cnt_pred"},
        "baseline": {"mae": 60.0, "r2": 0.5},
    },
    "binary": {
        "label": "high",
        "options": {"prediction_column": "high_pred", "score_columns": ["p_high"]},
        "baseline": {"accuracy": 0.85, "roc_auc": 0.93},
    },
    "multiclass": {
        "label": "demand",
        "options": {
            "prediction_column": "demand_pred",
            "score_columns": ["p_high", "p_low", "p_mid"],
        },
        "baseline": {"accuracy": 0.7, "log_loss": 0.6},
    },
}


def _inputs(bike: Bike, task: str, seed: int = 0) -> tuple[pd.DataFrame, pa.Table]:
    """Predictions, and labels for 80 % of the ids (some given twice: the latest wins)."""
    rng = np.random.default_rng(seed)
    frame = bike.frame
    label = TASKS[task]["label"]
    labels = frame.loc[rng.random(len(frame)) < 0.8, ["id", label]].rename(columns={label: "label"})
    labels["labelled_at"] = pd.Timestamp("2013-01-01")
    stale = labels.sample(200, random_state=seed).assign(labelled_at=pd.Timestamp("2012-12-01"))
    if task == "regression":
        stale["label"] = stale["label"] * 3.0
    else:
        stale["label"] = stale["label"].sample(frac=1, random_state=seed).to_numpy()
    labels = pd.concat([labels, stale]).sample(frac=1, random_state=seed)
    return frame, pa.Table.from_pandas(labels, preserve_index=False)


def _parts(frame: pd.DataFrame, pieces: int, seed: int) -> list[pa.Table]:
    """Disjoint random parts of the predictions (as pods of a fan-out would read them)."""
    order = np.random.default_rng(seed).permutation(len(frame))
    return [
        pa.Table.from_pandas(frame.iloc[np.sort(part)], preserve_index=False)
        for part in np.array_split(order, pieces)
    ]


def _through_json(state: PerformanceState) -> PerformanceState:
    return PerformanceState.from_dict(json.loads(json.dumps(state.to_dict())))


@pytest.mark.parametrize("task", list(TASKS))
def test_merged_states_give_the_single_pass_report(bike: Bike, task: str, tmp_path: Path) -> None:
    frame, labels = _inputs(bike, task)
    options = {
        **TASKS[task]["options"],
        "window": "30d",
        "label_timestamp_column": "labelled_at",
        "baseline": TASKS[task]["baseline"],
        "min_labelled_rows": 50,
    }
    single = run_performance(
        pa.Table.from_pandas(frame, preserve_index=False),
        labels,
        tmp_path / "single",
        estimate=False,
        **options,
    ).document
    states = [_through_json(partition_state(p, labels, **options)) for p in _parts(frame, 5, 1)]
    merged = report_from_states(states, tmp_path / "merged", **options).document

    assert merged["execution"] == {"path": "fan-out", "parts": 5}
    assert merged["labels"]["matched"] == single["labels"]["matched"]
    assert merged["labels"]["duplicates"] == single["labels"]["duplicates"] == 200
    assert len(merged["windows"]) == len(single["windows"]) == 13
    assert merged["degraded_windows"] == single["degraded_windows"]
    assert any(w["degraded"] for w in single["windows"])  # the comparison judges verdicts too
    for one, many in zip(single["windows"], merged["windows"], strict=True):
        for key in ("start", "rows", "labelled_rows", "status", "degraded", "non_finite_rows"):
            assert many[key] == one[key], key
        assert many.get("confusion_matrix") == one.get("confusion_matrix")
        assert many["metrics"].keys() == one["metrics"].keys()
        for name, value in one["metrics"].items():
            assert many["metrics"][name] == pytest.approx(value, rel=1e-9, abs=1e-12), name
        for name, verdict in one["degradation"].items():
            assert many["degradation"][name]["degraded"] == verdict["degraded"]
    for name, value in single["overall"]["metrics"].items():
        assert merged["overall"]["metrics"][name] == pytest.approx(value, rel=1e-9), name
    assert (
        merged["overall"]["confusion_matrix" if task != "regression" else "rows"]
        == (single["overall"]["confusion_matrix" if task != "regression" else "rows"])
    )


def test_binary_rank_metrics_equal_scikit_learn_over_the_parts(bike: Bike, tmp_path: Path) -> None:
    frame = bike.frame
    labels = pa.table({"id": frame["id"], "label": frame["high"]})
    options = {**TASKS["binary"]["options"], "window": "30d"}
    states = [partition_state(p, labels, **options) for p in _parts(frame, 4, 2)]
    document = report_from_states(states, tmp_path, **options).document
    overall = document["overall"]
    assert overall["ranking"] == {"method": "exact"}
    y, p = frame["high"], frame["p_high"]
    assert overall["metrics"]["roc_auc"] == pytest.approx(skm.roc_auc_score(y, p), abs=1e-12)
    assert overall["metrics"]["pr_auc"] == pytest.approx(
        skm.average_precision_score(y, p), abs=1e-12
    )
    assert overall["metrics"]["log_loss"] == pytest.approx(skm.log_loss(y, p), rel=1e-12)


def test_a_part_that_sees_one_class_merges_by_class_name(bike: Bike, tmp_path: Path) -> None:
    frame = bike.frame
    labels = pa.table({"id": frame["id"], "label": frame["high"]})
    options = {**TASKS["binary"]["options"], "window": "30d"}
    low, high = frame[frame.high_pred == 0], frame[frame.high_pred == 1]
    parts = [
        pa.Table.from_pandas(part[part.high == part.high_pred], preserve_index=False)
        for part in (low, high)
    ]
    parts.append(pa.Table.from_pandas(frame[frame.high != frame.high_pred], preserve_index=False))
    states = [partition_state(p, labels, **options) for p in parts]
    assert [s.windows[min(s.windows)].classification.classes for s in states[:2]] == [["0"], ["1"]]
    document = report_from_states(states, tmp_path, **options).document
    y, p = frame["high"], frame["p_high"]
    assert (
        document["overall"]["confusion_matrix"] == skm.confusion_matrix(y, frame.high_pred).tolist()
    )
    assert document["overall"]["metrics"]["roc_auc"] == pytest.approx(
        skm.roc_auc_score(y, p), abs=1e-12
    )


def test_options_that_need_a_whole_window_are_refused(bike: Bike) -> None:
    table = pa.Table.from_pandas(bike.frame.head(100), preserve_index=False)
    with pytest.raises(InputError, match=r"segment_columns.*fan_out='never'"):
        partition_state(table, None, label_column="high", segment_columns=["season"])


def test_states_of_different_tasks_do_not_merge(bike: Bike, tmp_path: Path) -> None:
    table = pa.Table.from_pandas(bike.frame.head(100), preserve_index=False)
    regression = partition_state(
        table, None, task="regression", prediction_column="cnt_pred", label_column="cnt"
    )
    binary = partition_state(table, None, prediction_column="high_pred", label_column="high")
    with pytest.raises(InputError, match="does not merge"):
        report_from_states([regression, binary], tmp_path, task="regression")
