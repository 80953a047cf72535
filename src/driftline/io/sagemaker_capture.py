"""Read SageMaker Data Capture JSON Lines as a table: format `sagemaker-capture`.

The files come from `sagemaker_layout` (only the window's hour folders). A source may be a
variant folder, a folder above it (an endpoint's, or a Model Monitor job's `dataset_source`:
each variant found below it is read) or a single `.jsonl` file.

Each record becomes one row per instance: feature columns from `endpointInput`, prediction
columns from `endpointOutput` (see `sagemaker_payload` for the naming), and `eventId`,
`inferenceTime` (UTC) and `inferenceId` when callers passed one. A record that cannot be read
is counted in the `CaptureReport` with its reason, never dropped silently.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs

from driftline.errors import InputError
from driftline.io.sagemaker_layout import capture_files, read_lines
from driftline.io.sagemaker_payload import PayloadError, Row, decode_side
from driftline.io.windows import as_utc

EVENT_ID = "eventId"
INFERENCE_TIME = "inferenceTime"
INFERENCE_ID = "inferenceId"
LABEL = "label"
CAPTURE_SIDES = ("endpointInput", "endpointOutput")
_MAX_EXAMPLES = 5
_MAX_REASONS = 20


@dataclass
class CaptureReport:
    """What a read saw: files, records in the window, rows, and the records it could not use."""

    files: int = 0
    records: int = 0
    rows: int = 0
    bad_records: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    output_columns: dict[str, None] = field(default_factory=dict)  # from endpointOutput, in order

    def bad(self, where: str, reason: str) -> None:
        """Count one unusable record."""
        self.bad_records += 1
        key = reason if reason in self.reasons or len(self.reasons) < _MAX_REASONS else "other"
        self.reasons[key] += 1
        if len(self.examples) < _MAX_EXAMPLES:
            self.examples.append(f"{where}: {reason}")

    def metadata(self) -> dict[str, Any]:
        """Artifact metadata: counts and the reasons records were not used."""
        return {
            "capture_files": self.files,
            "capture_records": self.records,
            "bad_records": self.bad_records,
            "bad_record_reasons": dict(self.reasons),
        }

    def summary(self) -> str:
        """One line for logs; names the first bad records."""
        line = f"{self.records} record(s) in {self.files} file(s) gave {self.rows} row(s)"
        if self.bad_records:
            line += f"; {self.bad_records} record(s) not used, e.g. {self.examples[0]}"
        return line


@dataclass(frozen=True)
class CaptureOptions:
    """Which sides to read and what to call positional values.

    `features` names input values in order (a baseline's columns, a header option); a record
    with more values than names is a bad record, one with fewer leaves the rest missing. Output
    values take `predictions`, else the feature names after the inputs when exactly that many
    are left (a baseline of inputs and outputs), else `prediction` / `prediction_<j>`.
    """

    features: tuple[str, ...] = ()
    predictions: tuple[str, ...] = ()
    sides: tuple[str, ...] = CAPTURE_SIDES


def _time(metadata: Mapping[str, Any]) -> datetime:
    value = metadata.get(INFERENCE_TIME)
    try:
        moment = datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise PayloadError(f"inferenceTime {value!r} is not an ISO 8601 time") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _records(
    filesystem: pafs.FileSystem,
    files: Sequence[str],
    start: datetime | None,
    end: datetime | None,
    report: CaptureReport,
) -> Iterator[tuple[str, Mapping[str, Any], datetime, str]]:
    """(event id, record, time, where) of each readable record in [start, end)."""
    for path in files:
        report.files += 1
        for number, line in read_lines(filesystem, path):
            where = f"{path}:{number}"
            try:
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise PayloadError("record is not a JSON object")
                metadata = record.get("eventMetadata")
                if not isinstance(metadata, dict) or not metadata.get(EVENT_ID):
                    raise PayloadError("eventMetadata.eventId is missing")
                moment = _time(metadata)
            except (ValueError, PayloadError) as exc:
                report.bad(where, str(exc))
                continue
            except RecursionError:
                report.bad(where, "record is nested too deeply")
                continue
            if (start is None or moment >= start) and (end is None or moment < end):
                report.records += 1
                yield str(metadata[EVENT_ID]), record, moment, where


def _positional(row: Row, prefix: str) -> list[str]:
    """The keys of `row` that are positional (`_c0`, `prediction_1`, ...), in order."""
    if prefix == "_c":
        return [k for k in row if k[:2] == "_c" and k[2:].isdigit()]
    return [k for k in row if k == "prediction" or (k[:11] == "prediction_" and k[11:].isdigit())]


def _rename_inputs(rows: list[Row], names: Sequence[str]) -> list[Row]:
    renamed = []
    for row in rows:
        width = len(_positional(row, "_c"))
        if width > len(names):
            raise PayloadError(f"{width} input values but {len(names)} feature names")
        positional = set(_positional(row, "_c"))
        renamed.append({names[int(k[2:])] if k in positional else k: v for k, v in row.items()})
    return renamed


def _rename_outputs(rows: list[Row], names: Sequence[str]) -> list[Row]:
    renamed = []
    for row in rows:
        keys = _positional(row, "prediction")
        if len(keys) != len(names):
            return rows
        mapping = dict(zip(keys, names, strict=True))
        renamed.append({mapping.get(k, k): v for k, v in row.items()})
    return renamed


def _event_rows(
    record: Mapping[str, Any], options: CaptureOptions, outputs_seen: dict[str, None]
) -> list[Row]:
    capture = record.get("captureData")
    if not isinstance(capture, dict):
        raise PayloadError("captureData is missing")
    side_in = capture.get("endpointInput") if "endpointInput" in options.sides else None
    side_out = capture.get("endpointOutput") if "endpointOutput" in options.sides else None
    if side_in is None and side_out is None:
        raise PayloadError(f"captureData has none of {', '.join(options.sides)}")
    inputs = decode_side(side_in, output=False) if side_in else []
    outputs = decode_side(side_out, output=True) if side_out else []
    if inputs and outputs and len(inputs) != len(outputs):
        raise PayloadError(f"{len(inputs)} input row(s) but {len(outputs)} output row(s)")
    if options.features:
        inputs = _rename_inputs(inputs, options.features)
    used = len(inputs[0]) if inputs and options.features else 0
    output_names = options.predictions or tuple(options.features[used:])
    if output_names:
        outputs = _rename_outputs(outputs, output_names)
    if not outputs:
        return inputs
    if not inputs:
        outputs_seen.update(dict.fromkeys(outputs[0]))
        return outputs
    rows = []
    for features, predictions in zip(inputs, outputs, strict=True):
        row = dict(features)
        for key, value in predictions.items():
            name = f"prediction_{key}" if key in features else key
            row[name] = value
            outputs_seen[name] = None
        rows.append(row)
    return rows


def column_of(values: list[Any]) -> pa.Array:
    """One Arrow column: int64, float64, bool, or string when the values' types are mixed."""
    present = [v for v in values if v is not None]
    kinds = {type(v) for v in present}
    if kinds and kinds <= {bool}:
        return pa.array(values, pa.bool_())
    if kinds and kinds <= {int}:
        return pa.array(values, pa.int64())
    if kinds and kinds <= {int, float}:
        return pa.array(values, pa.float64())
    return pa.array([None if v is None else str(v) for v in values], pa.string())


def _table(meta: list[tuple[str, datetime, str | None]], rows: list[Row]) -> pa.Table:
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    columns: dict[str, pa.Array] = {
        EVENT_ID: pa.array([m[0] for m in meta], pa.string()),
        INFERENCE_TIME: pa.array([m[1] for m in meta], pa.timestamp("us", tz="UTC")),
    }
    if any(m[2] for m in meta):
        columns[INFERENCE_ID] = pa.array([m[2] for m in meta], pa.string())
    for name in names:
        if name not in columns:
            columns[name] = column_of([row.get(name) for row in rows])
    return pa.table(columns)


def read_capture_table(
    source: str,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    options: CaptureOptions | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> tuple[pa.Table, CaptureReport]:
    """Data Capture records under `source` with inferenceTime in [start, end), as rows.

    Returns the table and a report of what was read (bad records with their reasons).
    """
    options = options or CaptureOptions()
    if start is not None and end is not None and start > end:
        raise InputError(f"window `start` {start} is after its `end` {end}", param="start")
    filesystem, files = capture_files(source, start, end, storage_options)
    report = CaptureReport()
    meta: list[tuple[str, datetime, str | None]] = []
    rows: list[Row] = []
    for event_id, record, moment, where in _records(filesystem, files, start, end, report):
        try:
            event_rows = _event_rows(record, options, report.output_columns)
        except PayloadError as exc:
            report.bad(where, str(exc))
            continue
        inference_id = record["eventMetadata"].get(INFERENCE_ID)
        meta.extend([(event_id, moment, inference_id)] * len(event_rows))
        rows.extend(event_rows)
    report.rows = len(rows)
    return _table(meta, rows), report


def capture_dataset(
    source: str,
    start: datetime | date | str | None = None,
    end: datetime | date | str | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> ds.Dataset:
    """`read_capture_table` as an in-memory pyarrow dataset, for the generic table readers.

    Records that could not be used are named on stderr (one `warning:` line).
    """
    lower = None if start is None else as_utc(start, "start")
    upper = None if end is None else as_utc(end, "end")
    table, report = read_capture_table(source, lower, upper, storage_options=storage_options)
    if report.bad_records:
        print(f"warning: {source}: {report.summary()}", file=sys.stderr)
    return ds.dataset(table)
