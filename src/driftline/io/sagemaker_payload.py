"""Decode one side of a SageMaker Data Capture record (`endpointInput` / `endpointOutput`).

A side holds `data` (always a string), its `encoding` (`CSV`, `JSON` or `BASE64`) and the
`observedContentType`. CSV text gives one row per line; JSON gives rows by these rules:

- `{"instances": [...]}`, `{"inputs": [...]}`, `{"predictions": [...]}`, `{"outputs": [...]}`,
  `{"scores": [...]}` or a top-level list of items: one row per item;
- an item that is a list is a row of positional values; an object whose only value is a list
  (`{"features": [...]}`, as SageMaker's built-in algorithms take it) too; any other object is
  a row of named values (its keys); a scalar item is a row of one value;
- any other object is one row: named values, or positional ones under `features`;
- a scalar document (a bare number) is one row of one value.

Positional values are named `_c0`, `_c1`, ... for inputs (as SageMaker names headerless CSV
columns) and `prediction` (one value) or `prediction_0`, `prediction_1`, ... for outputs; the
reader renames them from the baseline or a header option (`sagemaker_capture`).
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from driftline.errors import PayloadError

Row = dict[str, Any]
ENCODINGS = ("CSV", "JSON", "BASE64")
_LIST_KEYS = ("instances", "inputs", "predictions", "outputs", "scores")


def decode_side(side: Any, *, output: bool) -> list[Row]:
    """The rows of one captured side (`output` picks the positional naming)."""
    if not isinstance(side, dict):
        raise PayloadError("capture side is not an object")
    data = side.get("data")
    if not isinstance(data, str):
        raise PayloadError("'data' is missing or not a string")
    encoding = str(side.get("encoding", "")).upper()
    content_type = str(side.get("observedContentType", "")).lower()
    if encoding == "BASE64":
        try:
            raw = base64.b64decode(data, validate=True)
            data = raw.decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise PayloadError(f"BASE64 data does not decode to UTF-8 text: {exc}") from None
        encoding = _encoding_of(content_type)
    if encoding == "CSV":
        return _csv_rows(data, output)
    if encoding == "JSON":
        if "jsonlines" in content_type or "x-ndjson" in content_type:
            lines = [line for line in data.splitlines() if line.strip()]
            return [row for line in lines for row in _json_rows(line, output)]
        return _json_rows(data, output)
    raise PayloadError(f"encoding {side.get('encoding')!r} is not one of {', '.join(ENCODINGS)}")


def _encoding_of(content_type: str) -> str:
    if "csv" in content_type:
        return "CSV"
    if "json" in content_type:
        return "JSON"
    raise PayloadError(
        f"BASE64 data of content type {content_type!r} is neither CSV nor JSON; list the "
        "content type in DataCaptureConfig.CaptureContentTypeHeader"
    )


def _named(values: Sequence[Any], output: bool) -> Row:
    if output:
        if len(values) == 1:
            return {"prediction": values[0]}
        return {f"prediction_{i}": v for i, v in enumerate(values)}
    return {f"_c{i}": v for i, v in enumerate(values)}


def _csv_value(text: str) -> Any:
    text = text.strip()
    if not text:
        return None
    if text.isdigit() or (text[0] in "+-" and text[1:].isdigit()):
        return int(text)
    try:
        return float(text)
    except ValueError:
        return text


def _csv_rows(data: str, output: bool) -> list[Row]:
    if '"' not in data:  # the common case: no quoting, so a plain split is the CSV reading
        lines = [line.split(",") for line in data.splitlines() if line.strip()]
    else:
        lines = [line for line in csv.reader(io.StringIO(data)) if line]
    if not lines:
        raise PayloadError("CSV data holds no values")
    return [_named([_csv_value(v) for v in line], output) for line in lines]


def _json_value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return value


def _item_row(item: Any, output: bool) -> Row:
    if isinstance(item, list):
        return _named([_json_value(v) for v in item], output)
    if isinstance(item, dict):
        if len(item) == 1 and isinstance(next(iter(item.values())), list):
            return _item_row(next(iter(item.values())), output)
        return {str(k): _json_value(v) for k, v in item.items()}
    return _named([item], output)


def _json_rows(data: str, output: bool) -> list[Row]:
    try:
        doc = json.loads(data)
    except ValueError as exc:
        raise PayloadError(f"JSON data is not valid JSON: {exc}") from None
    except RecursionError:
        raise PayloadError("JSON data is nested too deeply") from None
    if isinstance(doc, dict):
        key = next((k for k in _LIST_KEYS if isinstance(doc.get(k), list)), None)
        if key is not None:
            items = doc[key]
        elif isinstance(doc.get("features"), list):
            return [_named([_json_value(v) for v in doc["features"]], output)]
        else:
            return [{str(k): _json_value(v) for k, v in doc.items()}]
    elif isinstance(doc, list):
        if doc and not any(isinstance(item, list | dict) for item in doc):
            return [_named([_json_value(v) for v in doc], output)]  # one feature vector
        items = doc
    else:
        return [_named([doc], output)]
    if not items:
        raise PayloadError("JSON data holds an empty list")
    return [_item_row(item, output) for item in items]
