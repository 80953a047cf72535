"""Flatten v1 (instances/predictions) and v2 / Open Inference Protocol payloads into rows.

Column names come from the protocol (v1 object rows, v2 tensor names), from a configured
`FeatureSchema`, or are positional (`feature_<i>`, `prediction_<j>`, `<tensor>_<j>`).
JSON numbers of v1 payloads become floats so one column keeps one type across events;
v2 tensors keep their declared type (INT* -> int, FP* -> float, BOOL, BYTES -> str).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from driftline import storage
from driftline.errors import InputError, MalformedEventError
from driftline.inference_log.events import parse_json

Row = dict[str, Any]
_END = object()


@dataclass(frozen=True)
class FeatureSchema:
    """Names for positional inputs (`features`) and outputs (`outputs`)."""

    features: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()


def load_schema(path: str | Path | None) -> FeatureSchema:
    """Read a schema file `{"features": [...], "outputs": [...]}`; empty schema for None."""
    if path is None:
        return FeatureSchema()
    text = storage.read_text(path, what="schema file")
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise InputError(f"cannot read schema file {path}: {exc}", param="schema") from exc
    if not isinstance(doc, dict) or set(doc) - {"features", "outputs"}:
        raise InputError(
            f"schema file {path} must be an object with keys 'features' and/or 'outputs'",
            param="schema",
        )
    names: dict[str, tuple[str, ...]] = {}
    for key in ("features", "outputs"):
        value = doc.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise InputError(f"schema {key!r} must be a list of names", param="schema")
        if len(set(value)) != len(value):
            raise InputError(f"schema {key!r} has duplicate names", param="schema")
        names[key] = tuple(value)
    return FeatureSchema(features=names["features"], outputs=names["outputs"])


def _bad(message: str) -> MalformedEventError:
    return MalformedEventError(message, param="body")


def _v1_value(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value)
    return json.dumps(value, separators=(",", ":"))


def _v1_rows(items: Any, names: Sequence[str], positional: str, key: str) -> list[Row]:
    if not isinstance(items, list):
        raise _bad(f"'{key}' must be a list")
    if len(names) == 1:
        scalar_name = names[0]
    else:
        scalar_name = positional if positional == "prediction" else f"{positional}_0"
    rows: list[Row] = []
    for item in items:
        if isinstance(item, dict):
            prefix = "" if positional == "feature" else f"{positional}_"
            rows.append({f"{prefix}{k}": _v1_value(v) for k, v in item.items()})
        elif isinstance(item, list):
            if names and len(names) != len(item):
                raise _bad(f"'{key}' row has {len(item)} values but the schema names {len(names)}")
            cols = names or [f"{positional}_{i}" for i in range(len(item))]
            rows.append({c: _v1_value(v) for c, v in zip(cols, item, strict=True)})
        else:
            rows.append({scalar_name: _v1_value(item)})
    return rows


def _flat(data: Any) -> list[Any]:
    """The scalars of nested lists in order (iterative: a deep list is no crash)."""
    out: list[Any] = []
    stack = [iter([data])]
    while stack:
        item = next(stack[-1], _END)
        if item is _END:
            stack.pop()
        elif isinstance(item, list):
            stack.append(iter(item))
        else:
            out.append(item)
    return out


def _typed(value: Any, datatype: str) -> Any:
    if value is None:
        return None
    if datatype == "BYTES":
        return value if isinstance(value, str) else json.dumps(value)
    if datatype == "BOOL":
        return bool(value)
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise _bad(f"tensor value {str(value)[:40]!r} is not a {datatype} number")
    if datatype.startswith(("INT", "UINT")):
        if isinstance(value, float) and not value.is_integer():
            raise _bad(f"tensor value {value!r} is not an integer ({datatype})")
        return int(value)
    return float(value)


def _v2_rows(tensors: Any, names: Sequence[str], key: str) -> list[Row]:
    if not isinstance(tensors, list) or not tensors:
        raise _bad(f"'{key}' must be a non-empty list of tensors")
    columns: dict[str, list[Any]] = {}
    n_rows: int | None = None
    for tensor in tensors:
        if not isinstance(tensor, dict) or not isinstance(tensor.get("name"), str):
            raise _bad(f"each of '{key}' must be an object with a 'name'")
        name, shape = tensor["name"], tensor.get("shape")
        datatype = str(tensor.get("datatype", "FP64")).upper()
        if (
            not isinstance(shape, list)
            or not shape
            or not all(isinstance(d, int) and d >= 0 for d in shape)
        ):
            raise _bad(f"tensor {name!r} needs a 'shape' of non-negative integers")
        values = _flat(tensor.get("data", []))
        width = math.prod(shape[1:])
        if len(values) != shape[0] * width:
            raise _bad(f"tensor {name!r} has {len(values)} values but shape {shape}")
        if n_rows is not None and shape[0] != n_rows:
            raise _bad(f"tensor {name!r} has {shape[0]} rows, others have {n_rows}")
        n_rows = shape[0]
        if len(tensors) == 1 and names and len(names) == width:
            cols = list(names)
        elif width == 1 and len(shape) <= 2:
            cols = [name]
        else:
            cols = [f"{name}_{j}" for j in range(width)]
        typed = [_typed(v, datatype) for v in values]
        for j, col in enumerate(cols):
            columns[col] = typed[j::width]
    return [{c: vals[i] for c, vals in columns.items()} for i in range(n_rows or 0)]


def flatten(body: str, kind: str, schema: FeatureSchema) -> list[Row]:
    """The rows of one logged payload (`kind` "request" or "response")."""
    doc = parse_json(body, f"{kind} body")
    try:
        return _rows(doc, kind, schema)
    except RecursionError as exc:  # json.dumps of a deep value kept as a string cell
        raise _bad(f"{kind} body is JSON nested too deeply") from exc


def _rows(doc: Any, kind: str, schema: FeatureSchema) -> list[Row]:
    if not isinstance(doc, dict):
        raise _bad(f"{kind} body must be a JSON object")
    if kind == "request":
        if "instances" in doc:
            return _v1_rows(doc["instances"], schema.features, "feature", "instances")
        if "inputs" in doc:
            tensors = doc["inputs"]
            if isinstance(tensors, list) and all(
                isinstance(t, dict) and "datatype" in t for t in tensors
            ):
                return _v2_rows(doc["inputs"], schema.features, "inputs")
            return _v1_rows(doc["inputs"], schema.features, "feature", "inputs")
        raise _bad("request body has neither 'instances' (v1) nor 'inputs' (v2)")
    if "predictions" in doc:
        return _v1_rows(doc["predictions"], schema.outputs, "prediction", "predictions")
    if "outputs" in doc:
        return _v2_rows(doc["outputs"], schema.outputs, "outputs")
    raise _bad("response body has neither 'predictions' (v1) nor 'outputs' (v2)")
