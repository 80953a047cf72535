"""Joining late labels: unknown ids, duplicates and their rules, id types, partitions."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from driftline.errors import InputError
from driftline.performance import join, run_performance

START = datetime(2024, 3, 1)


def predictions(n: int = 400, seed: int = 0) -> pa.Table:
    rng = np.random.default_rng(seed)
    return pa.table(
        {
            "id": np.arange(n),
            "timestamp": [START + timedelta(hours=int(h)) for h in rng.integers(0, 96, n)],
            "prediction": rng.integers(0, 2, n),
        }
    )


def labels_for(preds: pa.Table, seed: int = 1) -> pa.Table:
    rng = np.random.default_rng(seed)
    return pa.table({"id": preds["id"], "label": rng.integers(0, 2, preds.num_rows)})


def test_unknown_label_ids_are_counted_not_joined(tmp_path: Path) -> None:
    preds = predictions()
    labels = pa.concat_tables(
        [labels_for(preds), pa.table({"id": [10_000, 10_001], "label": [1, 0]})]
    )
    doc = run_performance(preds, labels, tmp_path, min_labelled_rows=1).document
    assert doc["labels"]["unknown_ids"] == 2
    assert sorted(doc["labels"]["unknown_id_examples"]) == [10_000, 10_001]
    assert doc["labels"]["matched"] == 400
    assert doc["overall"]["labelled_rows"] == 400


def test_duplicate_labels_latest_label_time_wins(tmp_path: Path) -> None:
    preds = predictions(10)
    labels = pa.table(
        {
            "id": [3, 3, 3, 4],
            "label": [0, 1, 0, 1],
            "labelled_at": [
                datetime(2024, 4, 1),
                datetime(2024, 4, 3),
                datetime(2024, 4, 2),
                datetime(2024, 4, 1),
            ],
        }
    )
    doc = run_performance(
        preds,
        labels,
        tmp_path,
        label_timestamp_column="labelled_at",
        min_labelled_rows=1,
        window="7d",
    ).document
    assert doc["labels"]["duplicates"] == 2 and doc["labels"]["duplicate_rule"] == "latest"
    assert doc["overall"]["labelled_rows"] == 2
    truth = {3: "1", 4: "1"}  # id 3: the label of 2024-04-03
    pred = dict(
        zip(preds["id"].to_pylist(), map(str, preds["prediction"].to_pylist()), strict=True)
    )
    correct = sum(pred[i] == label for i, label in truth.items())
    assert doc["overall"]["metrics"]["accuracy"] == correct / 2


def test_duplicate_labels_without_label_time_keep_the_last_read(tmp_path: Path) -> None:
    preds = pa.table({"id": [1], "timestamp": [START], "prediction": [1]})
    labels = pa.table({"id": [1, 1], "label": [0, 1]})
    doc = run_performance(preds, labels, tmp_path, min_labelled_rows=1, classes=["0", "1"]).document
    assert doc["overall"]["metrics"]["accuracy"] == 1.0


def test_duplicate_labels_rule_error(tmp_path: Path) -> None:
    preds = predictions(10)
    labels = pa.table({"id": [3, 3], "label": [0, 1]})
    with pytest.raises(InputError, match=r"labels repeat id\(s\) \[3\].*duplicate_labels='error'"):
        run_performance(preds, labels, tmp_path, duplicate_labels="error")
    assert not (tmp_path / "performance_report.json").exists()


def test_duplicate_prediction_ids_are_refused(tmp_path: Path) -> None:
    preds = pa.table({"id": [1, 1, 2], "timestamp": [START] * 3, "prediction": [0, 1, 0]})
    with pytest.raises(InputError, match=r"predictions repeat id\(s\) \[1\]"):
        run_performance(preds, labels_for(preds), tmp_path)


def test_missing_labels_lower_coverage(tmp_path: Path) -> None:
    preds = predictions()
    labels = labels_for(preds)
    values = labels["label"].to_pylist()
    values[:100] = [None] * 100  # rows with an empty label: not labelled yet
    labels = labels.set_column(1, "label", pa.array(values, pa.int64()))
    doc = run_performance(preds, labels, tmp_path, min_labelled_rows=1).document
    assert doc["labels"]["missing_values"] == 100
    assert doc["overall"]["labelled_rows"] == 300
    assert doc["overall"]["label_coverage"] == pytest.approx(0.75)


def test_string_and_integer_ids_join(tmp_path: Path) -> None:
    preds = predictions(50)
    labels = labels_for(preds).set_column(0, "id", pa.array([str(i) for i in range(50)]))
    doc = run_performance(preds, labels, tmp_path, min_labelled_rows=1).document
    assert doc["overall"]["labelled_rows"] == 50 and doc["labels"]["unknown_ids"] == 0


def test_many_partitions_give_the_same_report(tmp_path: Path, monkeypatch) -> None:
    preds = predictions(3000)
    preds = preds.set_column(0, "id", pa.array([f"p-{i}" for i in range(3000)]))
    labels = labels_for(preds).filter(pa.array(np.arange(3000) % 3 != 0))
    one = run_performance(preds, labels, tmp_path / "one", min_labelled_rows=1).document
    monkeypatch.setattr(join, "BUCKET_ROWS", 100)
    many = run_performance(preds, labels, tmp_path / "many", min_labelled_rows=1).document
    assert one["windows"] == many["windows"] and one["labels"] == many["labels"]


def test_labels_in_the_predictions_table(tmp_path: Path) -> None:
    preds = predictions(200)
    combined = preds.append_column("label", labels_for(preds)["label"])
    with_join = run_performance(preds, labels_for(preds), tmp_path / "a", min_labelled_rows=1)
    same_table = run_performance(combined, None, tmp_path / "b", min_labelled_rows=1)
    assert same_table.document["windows"] == with_join.document["windows"]
    assert same_table.document["labels"] is None


def test_files_on_disk(tmp_path: Path) -> None:
    preds = predictions(100)
    pq.write_table(preds, tmp_path / "preds.parquet")
    labels_for(preds).to_pandas().to_csv(tmp_path / "labels.csv", index=False)
    doc = run_performance(
        tmp_path / "preds.parquet", tmp_path / "labels.csv", tmp_path / "out", min_labelled_rows=1
    ).document
    assert doc["overall"]["labelled_rows"] == 100
    assert (tmp_path / "out" / "performance_report.html").exists()


@pytest.mark.parametrize(
    "ids",
    [
        np.arange(3000) * 7 - 5000,  # dense enough: ids // partitions are the join codes
        np.arange(3000) * 10**12 - 7,  # sparse: hashed once per partition
    ],
    ids=["dense", "sparse"],
)
def test_integer_ids_in_many_partitions_match_one(tmp_path: Path, monkeypatch, ids) -> None:
    preds = predictions(3000).set_column(0, "id", pa.array(ids))
    rng = np.random.default_rng(2)
    pick = rng.permutation(3000)[:2500]
    labels = pa.table(
        {
            "id": np.r_[ids[pick], ids[pick[:300]], [10**15, -(10**15)]],
            "label": rng.integers(0, 2, 2802),
            "labelled_at": np.datetime64("2024-04-01", "s") + rng.integers(0, 10, 2802),
        }
    )
    options = {"min_labelled_rows": 1, "label_timestamp_column": "labelled_at"}
    one = run_performance(preds, labels, tmp_path / "one", **options).document
    monkeypatch.setattr(join, "BUCKET_ROWS", 100)
    many = run_performance(preds, labels, tmp_path / "many", **options).document
    assert one["labels"]["duplicates"] == 300 and one["labels"]["unknown_ids"] == 2
    assert one["labels"]["matched"] == 2500
    assert one["windows"] == many["windows"] and one["labels"] == many["labels"]
    latest = labels.to_pandas().sort_values("labelled_at", kind="stable")
    latest = latest.drop_duplicates("id", keep="last")  # ties: the last one read
    merged = preds.to_pandas().merge(latest, on="id")  # oracle: pandas join
    assert one["overall"]["labelled_rows"] == len(merged)
    accuracy = (merged["prediction"] == merged["label"]).mean()
    assert one["overall"]["metrics"]["accuracy"] == pytest.approx(accuracy, rel=1e-12)


def test_labels_in_the_predictions_spilled_by_window_give_the_same_report(
    tmp_path: Path, monkeypatch
) -> None:
    preds = predictions(3000)
    combined = preds.append_column("label", labels_for(preds)["label"])
    kept = run_performance(combined, None, tmp_path / "memory", min_labelled_rows=1).document
    monkeypatch.setattr(join, "BUCKET_ROWS", 100)
    spilled = run_performance(combined, None, tmp_path / "disk", min_labelled_rows=1).document
    assert kept["windows"] == spilled["windows"] and kept["overall"] == spilled["overall"]
    accuracy = np.mean(np.asarray(combined["prediction"]) == np.asarray(combined["label"]))
    assert kept["overall"]["metrics"]["accuracy"] == pytest.approx(accuracy, rel=1e-12)
