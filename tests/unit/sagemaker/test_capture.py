"""Data Capture as a source: the reference records, every encoding, bad records, hour folders."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from driftline.io import detect_format, read_table
from driftline.io.export import export_window
from driftline.io.sagemaker_capture import CaptureOptions, read_capture_table
from driftline.io.sagemaker_ground_truth import read_ground_truth
from driftline.io.sagemaker_layout import hour_folders
from tests.reference import REFERENCE
from tests.unit.sagemaker.conftest import write_capture

MONITOR = REFERENCE / "sagemaker-model-monitor"


def _record(event_id: str, time: str, data: str, output: str = "0.5", **side: str) -> dict:
    encoding = side.get("encoding", "CSV")
    content_type = side.get("content_type", "text/csv")
    return {
        "captureData": {
            "endpointInput": {
                "observedContentType": content_type,
                "mode": "INPUT",
                "data": data,
                "encoding": encoding,
            },
            "endpointOutput": {
                "observedContentType": "text/csv",
                "mode": "OUTPUT",
                "data": output,
                "encoding": "CSV",
            },
        },
        "eventMetadata": {"eventId": event_id, "inferenceTime": time},
        "eventVersion": "0",
    }


def _filled(template: Path, time: str) -> list[dict]:
    return [json.loads(line.replace("{%s}", time)) for line in template.read_text().splitlines()]


def test_reference_json_instances_are_one_row_each() -> None:
    """`{"instances": [1.0, 2.0, 5.0]}` -> `{"predictions": [...]}`: three rows per record."""
    table, report = read_capture_table(str(MONITOR / "sdk-tests-monitor" / "captured-data.jsonl"))
    records = [json.loads(x) for x in (MONITOR / "sdk-tests-monitor/captured-data.jsonl").open()]
    expected_inputs, expected_outputs, expected_ids = [], [], []
    for record in records:
        inputs = json.loads(record["captureData"]["endpointInput"]["data"])["instances"]
        outputs = json.loads(record["captureData"]["endpointOutput"]["data"])["predictions"]
        expected_inputs += inputs
        expected_outputs += outputs
        expected_ids += [record["eventMetadata"]["eventId"]] * len(inputs)
    assert table.column("_c0").to_pylist() == expected_inputs
    assert table.column("prediction").to_pylist() == expected_outputs
    assert table.column("eventId").to_pylist() == expected_ids
    assert table.column("inferenceTime")[0].as_py() == datetime(2019, 11, 24, 7, 30, 50, tzinfo=UTC)
    assert (report.records, report.rows, report.bad_records) == (2, 6, 0)


def test_reference_built_in_algorithm_json_with_header_names() -> None:
    """`{"features": [...]}` instances take the header's names; output objects keep their keys."""
    path = MONITOR / "examples-repo" / "captured-data-json-endpoint.jsonl"
    names = tuple(f"f{i}" for i in range(14))
    table, _ = read_capture_table(str(path), options=CaptureOptions(features=names))
    rows = []
    for line in path.open():
        record = json.loads(line)["captureData"]
        inputs = json.loads(record["endpointInput"]["data"])["instances"]
        outputs = json.loads(record["endpointOutput"]["data"])["predictions"]
        rows += [
            {**dict(zip(names, i["features"], strict=True)), **o}
            for i, o in zip(inputs, outputs, strict=True)
        ]
    assert table.drop_columns(["eventId", "inferenceTime"]).to_pylist() == rows


def test_reference_csv_capture_and_ground_truth_join_on_event_id(tmp_path: Path) -> None:
    """The SDK's 44 CSV records and their actuals: every label joins its capture by eventId."""
    time = "2024-05-01T10:15:00Z"
    write_capture(
        tmp_path / "capture.jsonl", _filled(MONITOR / "sdk-tests-monitor/capture.jsonl", time)
    )
    write_capture(
        tmp_path / "truth.jsonl", _filled(MONITOR / "sdk-tests-monitor/actuals.jsonl", time)
    )
    table, report = read_capture_table(str(tmp_path / "capture.jsonl"))
    labels, label_report = read_ground_truth(str(tmp_path / "truth.jsonl"))
    raw = [json.loads(x) for x in (tmp_path / "capture.jsonl").open()]
    first = [int(v) for v in raw[0]["captureData"]["endpointInput"]["data"].split(",")]
    assert [table.column(f"_c{i}")[0].as_py() for i in range(len(first))] == first
    assert table.column("prediction").type == "double"
    assert report.rows == label_report.rows == 44
    joined = dict(
        zip(labels.column("eventId").to_pylist(), labels.column("label").to_pylist(), strict=True)
    )
    assert set(joined) == set(table.column("eventId").to_pylist())


def test_ground_truth_labels_score_a_performance_window(tmp_path: Path) -> None:
    """Ground truth in the merge format, given as a path, scores predictions joined on eventId
    (numpy on the labels as `read_ground_truth` reads them is the oracle)."""
    from driftline.performance import run_performance

    rng = np.random.default_rng(3)
    captures, truths = [], []
    for i in range(150):
        prediction = float(rng.normal(10, 2))
        captures.append(_record(f"e{i}", f"2024-05-01T10:{i % 60:02d}:00Z", "1,2", f"{prediction}"))
        label = prediction + float(rng.normal(0, 1))
        truths.append(
            {
                "groundTruthData": {"data": str(label), "encoding": "CSV"},
                "eventMetadata": {"eventId": f"e{i}"},
                "eventVersion": "0",
            }
        )
    write_capture(tmp_path / "c.jsonl", captures)
    write_capture(tmp_path / "t.jsonl", truths)
    predictions, _ = read_capture_table(str(tmp_path / "c.jsonl"))
    labels, _ = read_ground_truth(str(tmp_path / "t.jsonl"))
    assert detect_format(str(tmp_path / "t.jsonl")) == "sagemaker-ground-truth"
    result = run_performance(
        predictions,
        str(tmp_path / "t.jsonl"),  # read through the generic readers, format detected
        tmp_path / "out",
        task="regression",
        id_column="eventId",
        timestamp_column="inferenceTime",
        window="1d",
        min_labelled_rows=1,
        estimate=False,
    )
    expected = np.mean(
        np.abs(np.array(labels.column("label")) - np.array(predictions.column("prediction")))
    )
    document = json.loads((tmp_path / "out" / "performance_report.json").read_text())
    assert document["windows"][0]["metrics"]["mae"] == pytest.approx(expected, rel=1e-12)
    assert result is not None


def test_base64_and_json_encodings_give_the_csv_rows(tmp_path: Path) -> None:
    """The same call captured as CSV text, BASE64 CSV and JSON gives the same row."""
    encoded = base64.b64encode(b"3,4.5,red").decode()
    records = [
        _record("a", "2024-05-01T10:00:00Z", "3,4.5,red"),
        _record("b", "2024-05-01T10:00:01Z", encoded, encoding="BASE64", content_type="text/csv"),
        _record(
            "c",
            "2024-05-01T10:00:02Z",
            '[3, 4.5, "red"]',
            encoding="JSON",
            content_type="application/json",
        ),
    ]
    write_capture(tmp_path / "x.jsonl", records)
    table, report = read_capture_table(str(tmp_path / "x.jsonl"))
    rows = table.select(["_c0", "_c1", "_c2", "prediction"]).to_pylist()
    assert rows == [{"_c0": 3, "_c1": 4.5, "_c2": "red", "prediction": 0.5}] * 3
    assert report.bad_records == 0


def test_bad_records_are_counted_with_their_reasons(tmp_path: Path) -> None:
    """Unreadable records are counted per reason and named, never silently dropped."""
    good = _record("ok", "2024-05-01T10:00:00Z", "1,2")
    no_id = _record("", "2024-05-01T10:00:00Z", "1,2")
    bad_time = _record("t", "{%s}", "1,2")
    bad_base64 = _record("b", "2024-05-01T10:00:00Z", "%%%", encoding="BASE64")
    image = _record(
        "i",
        "2024-05-01T10:00:00Z",
        base64.b64encode(b"x").decode(),
        encoding="BASE64",
        content_type="image/jpeg",
    )
    too_wide = _record("w", "2024-05-01T10:00:00Z", "1,2,3")
    path = tmp_path / "x.jsonl"
    write_capture(path, [good, no_id, bad_time, bad_base64, image, too_wide])
    with path.open("a") as handle:
        handle.write("{not json\n")
        handle.write("[" * 100_000 + "\n")  # nesting that json.loads cannot follow
        nested = _record("n", "2024-05-01T10:00:00Z", "[" * 100_000, encoding="JSON")
        handle.write(json.dumps(nested) + "\n")
    table, report = read_capture_table(str(path), options=CaptureOptions(features=("a", "b")))
    assert table.column("eventId").to_pylist() == ["ok"]
    assert report.bad_records == 8
    assert report.reasons["record is nested too deeply"] == 1
    assert report.reasons["JSON data is nested too deeply"] == 1
    reasons = " | ".join(report.reasons)
    for expected in (
        "eventId is missing",
        "inferenceTime",
        "BASE64",
        "image/jpeg",
        "3 input values but 2 feature names",
        "Expecting property name",
    ):
        assert expected in reasons
    assert sum(report.reasons.values()) == 8


def _layout(root: Path) -> None:
    """Hours 09..13 of one variant; hours 09 and 13 hold garbage that must never be read."""
    base = root / "my-endpoint" / "AllTraffic" / "2024" / "05" / "01"
    for hour in ("09", "13"):
        (base / hour).mkdir(parents=True)
        (base / hour / "garbage.jsonl").write_text("not json at all\n")
    write_capture(
        base / "10" / "a.jsonl",
        [
            _record("in1", "2024-05-01T10:00:00Z", "1,2"),
            _record("in2", "2024-05-01T10:30:00Z", "3,4"),
        ],
    )
    write_capture(
        base / "11" / "b.jsonl",
        [
            _record("late", "2024-05-01T10:59:59Z", "5,6"),
            _record("out", "2024-05-01T11:00:00Z", "7,8"),
        ],
    )
    write_capture(base / "12" / "c.jsonl", [_record("out2", "2024-05-01T12:10:00Z", "9,9")])


def test_the_window_hours_select_the_files(tmp_path: Path) -> None:
    """[10:00, 11:00) reads the 10 and 11 folders only; rows are filtered on inferenceTime."""
    _layout(tmp_path)
    start, end = datetime(2024, 5, 1, 10, tzinfo=UTC), datetime(2024, 5, 1, 11, tzinfo=UTC)
    assert hour_folders(start, end) == ["2024/05/01/10", "2024/05/01/11"]
    for source in (tmp_path / "my-endpoint" / "AllTraffic", tmp_path / "my-endpoint", tmp_path):
        table, report = read_capture_table(str(source), start, end)
        assert table.column("eventId").to_pylist() == ["in1", "in2", "late"]
        assert (report.files, report.bad_records) == (2, 0)


def test_a_folder_without_the_layout_is_one_clear_error(tmp_path: Path) -> None:
    """A folder that holds no yyyy folders below names what it found."""
    from driftline.errors import DataSourceError

    (tmp_path / "models" / "v1").mkdir(parents=True)
    with pytest.raises(DataSourceError, match=r"not a Data Capture folder.*found models"):
        read_capture_table(
            str(tmp_path), datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 2, tzinfo=UTC)
        )


def test_detected_and_read_by_the_generic_readers(tmp_path: Path) -> None:
    """A capture file or folder is detected; plain JSON lines stay jsonl."""
    _layout(tmp_path)
    (tmp_path / "plain.jsonl").write_text('{"x": 1}\n')
    variant = tmp_path / "my-endpoint" / "AllTraffic"
    assert detect_format(str(variant)) == "sagemaker-capture"
    assert detect_format(str(variant / "2024/05/01/10/a.jsonl")) == "sagemaker-capture"
    assert detect_format(str(tmp_path / "plain.jsonl")) == "jsonl"
    table = read_table(
        str(variant),
        timestamp_column="inferenceTime",
        start="2024-05-01T10:00:00Z",
        end="2024-05-01T11:00:00Z",
        columns=["_c0"],
    )
    assert table.column("_c0").to_pylist() == [1, 3, 5]


def test_export_window_reports_bad_records_in_its_metadata(tmp_path: Path) -> None:
    """load_window's library call writes the window and counts the records it could not use."""
    _layout(tmp_path)
    base = tmp_path / "my-endpoint" / "AllTraffic" / "2024" / "05" / "01" / "10"
    with (base / "a.jsonl").open("a") as handle:
        handle.write(json.dumps(_record("", "2024-05-01T10:40:00Z", "1,1")) + "\n")
    summary = export_window(
        str(tmp_path / "my-endpoint" / "AllTraffic"),
        tmp_path / "w.parquet",
        timestamp_column="timestamp",
        window_end="2024-05-01T11:00:00Z",
        window_length="1h",
    )
    assert pq.read_table(tmp_path / "w.parquet").column("eventId").to_pylist() == [
        "in1",
        "in2",
        "late",
    ]
    assert summary.metadata()["bad_records"] == 1
    assert summary.metadata()["bad_record_reasons"] == {"eventMetadata.eventId is missing": 1}


def test_captures_on_s3_read_like_local_ones(tmp_path: Path, aws: str) -> None:
    """The same layout in (moto) S3, written with boto3, reads the same rows."""
    import boto3

    _layout(tmp_path)
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="captures")
    for path in tmp_path.rglob("*.jsonl"):
        s3.upload_file(str(path), "captures", f"datacapture/{path.relative_to(tmp_path)}")
    start, end = datetime(2024, 5, 1, 10, tzinfo=UTC), datetime(2024, 5, 1, 11, tzinfo=UTC)
    remote, report = read_capture_table(
        "s3://captures/datacapture/my-endpoint/AllTraffic", start, end
    )
    local, _ = read_capture_table(str(tmp_path / "my-endpoint" / "AllTraffic"), start, end)
    assert remote.equals(local)
    assert (report.files, report.bad_records) == (2, 0)
