"""Ground truth in SageMaker's merge format as a label table: format `sagemaker-ground-truth`."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds

from driftline.io.sagemaker_capture import EVENT_ID, LABEL, CaptureReport, column_of
from driftline.io.sagemaker_layout import capture_files, read_lines
from driftline.io.sagemaker_payload import PayloadError, decode_side


def ground_truth_dataset(
    source: str, storage_options: Mapping[str, Any] | None = None
) -> ds.Dataset:
    """`read_ground_truth` (every hour) as an in-memory dataset, for the generic readers."""
    table, report = read_ground_truth(source, storage_options=storage_options)
    if report.bad_records:
        print(f"warning: {source}: {report.summary()}", file=sys.stderr)
    return ds.dataset(table)


def read_ground_truth(
    source: str,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    storage_options: Mapping[str, Any] | None = None,
) -> tuple[pa.Table, CaptureReport]:
    """Ground-truth records in SageMaker's merge format as a table `eventId`, `label`.

    Records are `{"groundTruthData": {"data", "encoding"}, "eventMetadata": {"eventId"}}`
    under the same `yyyy/mm/dd/hh` layout; [start, end) selects the hours they were uploaded
    in (labels arrive late: give the window of their upload, not of the predictions).
    Format `sagemaker-ground-truth` of the generic readers reads every hour.
    """
    filesystem, files = capture_files(source, start, end, storage_options)
    report = CaptureReport()
    ids: list[str] = []
    labels: list[Any] = []
    for path in files:
        report.files += 1
        for number, line in read_lines(filesystem, path):
            where = f"{path}:{number}"
            try:
                event_id, label = _label(json.loads(line))
            except (ValueError, PayloadError) as exc:
                report.bad(where, str(exc))
                continue
            except RecursionError:
                report.bad(where, "record is nested too deeply")
                continue
            report.records += 1
            ids.append(event_id)
            labels.append(label)
    report.rows = len(ids)
    return pa.table({EVENT_ID: pa.array(ids, pa.string()), LABEL: column_of(labels)}), report


def _label(record: Any) -> tuple[str, Any]:
    if not isinstance(record, dict):
        raise PayloadError("record is not a JSON object")
    metadata = record.get("eventMetadata")
    if not isinstance(metadata, dict) or not metadata.get(EVENT_ID):
        raise PayloadError("eventMetadata.eventId is missing")
    rows = decode_side(record.get("groundTruthData"), output=True)
    if len(rows) != 1 or len(rows[0]) != 1:
        raise PayloadError("groundTruthData holds more than one value")
    return str(metadata[EVENT_ID]), next(iter(rows[0].values()))
