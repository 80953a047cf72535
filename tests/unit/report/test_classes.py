"""The report classes: one load and one dump each, versioned, strict about what they read."""

from __future__ import annotations

import io
import json
import math
import shutil
from pathlib import Path

import pytest

from driftline.errors import DataSourceError, InputError
from driftline.report import (
    REPORT_CLASSES,
    DriftReport,
    PerformanceReport,
    Report,
    ValidationReport,
    load_report,
)
from tests.object_store import S3Server
from tests.unit.report.conftest import Outputs

CLASSES: list[type[Report]] = [ValidationReport, DriftReport, PerformanceReport]


def _json(folder: Path, cls: type[Report]) -> Path:
    return folder / f"{cls.KIND}_report.json"


def _folder(outputs: Outputs, cls: type[Report]) -> Path:
    return {"validation": outputs.validation, "drift": outputs.drift}.get(
        cls.KIND, outputs.performance
    )


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.KIND)
def test_load_then_dump_gives_the_same_document(
    outputs: Outputs, cls: type[Report], tmp_path: Path
) -> None:
    written = _json(_folder(outputs, cls), cls)
    document = json.loads(written.read_text(encoding="utf-8"))  # the stdlib as the oracle
    assert document["kind"] == cls.KIND and document["schema_version"] == cls.SCHEMA_VERSION
    report = cls.load(written)
    assert report.to_dict() == _with_nan(report.to_dict(), document)
    paths = report.dump(tmp_path, html="<p>page</p>")
    assert Path(paths.json).read_bytes() == written.read_bytes()
    assert Path(paths.html).read_text(encoding="utf-8") == "<p>page</p>"
    assert isinstance(load_report(written), cls)


def _with_nan(mine: object, theirs: object) -> object:
    """`theirs` with null where `mine` holds NaN (JSON has no NaN: scores become null)."""
    if isinstance(mine, float) and math.isnan(mine) and theirs is None:
        return mine
    if isinstance(mine, dict) and isinstance(theirs, dict):
        return {k: _with_nan(mine.get(k), v) for k, v in theirs.items()}
    if isinstance(mine, list) and isinstance(theirs, list):
        return [_with_nan(a, b) for a, b in zip(mine, theirs, strict=False)]
    return theirs


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.KIND)
def test_load_takes_a_file_or_a_kfp_artifact_folder(
    outputs: Outputs, cls: type[Report], tmp_path: Path
) -> None:
    written = _json(_folder(outputs, cls), cls)
    # a KFP output artifact: a folder holding the document under its own name
    artifact = tmp_path / "artifact"
    artifact.mkdir()
    shutil.copy(written, artifact / "report")
    shutil.copy(written, tmp_path / f"{cls.KIND}.json")
    from_file = cls.load(written)
    assert cls.load(artifact / "report") == from_file
    assert cls.load(_folder(outputs, cls)) == from_file
    assert cls.load(str(tmp_path / f"{cls.KIND}.json")) == from_file
    # a folder with one JSON file of another name is that report; with two it is ambiguous
    lone = tmp_path / "lone"
    lone.mkdir()
    shutil.copy(written, lone / "result.json")
    assert cls.load(lone) == from_file
    shutil.copy(written, lone / "other.json")
    ambiguous = r"holds 2 JSON file\(s\) \(other\.json, result\.json\)"
    with pytest.raises(DataSourceError, match=ambiguous):
        cls.load(lone)


def test_load_reads_s3_and_minio_uris_that_are_not_mounted(
    outputs: Outputs,
    s3: S3Server,  # the real S3 server, as the endpoint of s3:// URIs
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = s3.client
    s3.bucket("mlpipeline")
    key = "v2/artifacts/monitor/run-1/check-drift/4f1e/report"
    body = _json(outputs.drift, DriftReport).read_bytes()
    client.upload_fileobj(io.BytesIO(body), "mlpipeline", key)
    client.upload_fileobj(io.BytesIO(body), "mlpipeline", "reports/run-1/drift_report.json")
    expected = DriftReport.load(outputs.drift)
    assert DriftReport.load(f"s3://mlpipeline/{key}") == expected
    assert DriftReport.load("s3://mlpipeline/reports/run-1/") == expected  # a folder
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    monkeypatch.setenv("MINIO_ENDPOINT", s3.host_port)
    assert DriftReport.load(f"minio://mlpipeline/{key}") == expected
    with pytest.raises(DataSourceError, match=r"drift report minio://mlpipeline/nothing/here"):
        DriftReport.load("minio://mlpipeline/nothing/here")


def _document(outputs: Outputs, cls: type[Report]) -> dict[str, object]:
    document: dict[str, object] = json.loads(
        _json(_folder(outputs, cls), cls).read_text(encoding="utf-8")
    )
    return document


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.KIND)
def test_schema_versions(outputs: Outputs, cls: type[Report]) -> None:
    document = _document(outputs, cls)
    major = cls.SCHEMA_VERSION.split(".")[0]
    newer = {**document, "schema_version": f"{major}.99", "added_later": {"a": [1, 2]}}
    report = cls.from_document(newer, "newer.json")  # a newer minor version reads
    assert report.to_dict()["added_later"] == {"a": [1, 2]}  # and its new field survives
    assert report.to_dict()["schema_version"] == cls.SCHEMA_VERSION
    with pytest.raises(InputError, match=rf"schema_version '2.0'; this driftline reads {major}\.x"):
        cls.from_document({**document, "schema_version": "2.0"}, "future.json")
    without = {k: v for k, v in document.items() if k != "schema_version"}
    with pytest.raises(InputError, match=r"old\.json states no schema_version"):
        cls.from_document(without, "old.json")


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.KIND)
def test_a_report_of_another_kind_is_refused(outputs: Outputs, cls: type[Report]) -> None:
    other = next(c for c in CLASSES if c is not cls)
    with pytest.raises(InputError, match=rf"is a '{other.KIND}' document, expected a {cls.KIND}"):
        cls.load(_json(_folder(outputs, other), other))


def test_bad_documents_get_one_line_naming_the_field(outputs: Outputs, tmp_path: Path) -> None:
    drift = _document(outputs, DriftReport)
    drift["columns"][1]["threshold"] = "tight"  # type: ignore[index]
    with pytest.raises(InputError) as caught:
        DriftReport.from_document(drift, "d.json")
    assert str(caught.value).startswith("drift report d.json: field columns.1.threshold: ")
    assert "\n" not in str(caught.value)
    validation = _document(outputs, ValidationReport)
    validation["violations"] = [{"column": "x", "check": "range", "severity": "fatal"}]
    with pytest.raises(InputError, match=r"field violations\.0\.severity: .*'error' or 'warning'"):
        ValidationReport.from_document(validation)
    performance = _document(outputs, PerformanceReport)
    with pytest.raises(InputError, match=r"field task: .*got \"ranking\""):
        PerformanceReport.from_document({**performance, "task": "ranking"})
    (tmp_path / "list.json").write_text("[1, 2]")
    with pytest.raises(InputError, match="has kind None; valid report kinds: validation, drift"):
        load_report(tmp_path / "list.json")
    (tmp_path / "cut.json").write_text('{"kind": "drift", "schema')
    with pytest.raises(DataSourceError, match=r"cut\.json is not readable JSON"):
        DriftReport.load(tmp_path / "cut.json")
    with pytest.raises(DataSourceError, match="does not exist"):
        ValidationReport.load(tmp_path / "missing")


@pytest.mark.parametrize(
    ("cls", "key", "value", "message"),
    [
        (DriftReport, "drift_detected", False, "states drift_detected False, but its columns"),
        (DriftReport, "number_of_drifted_columns", 0, "states number_of_drifted_columns 0"),
        (ValidationReport, "status", "ok", "states status 'ok', but its violations give"),
        (PerformanceReport, "current", None, "states the current window None, but its newest"),
    ],
)
def test_a_stated_verdict_that_disagrees_is_refused(
    outputs: Outputs, cls: type[Report], key: str, value: object, message: str
) -> None:
    document = _document(outputs, cls)
    assert document[key] != value  # the engines' reports hold the opposite
    with pytest.raises(InputError, match=message):
        cls.from_document({**document, key: value})


def test_every_report_class_is_registered() -> None:
    assert set(REPORT_CLASSES) == {"validation", "drift", "performance"}
    assert all(REPORT_CLASSES[cls.KIND] is cls for cls in CLASSES)
