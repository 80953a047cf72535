"""MLMD `Value` <-> Python, converting the way KFP's launcher does (`StructValueToMLMDValue`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from google.protobuf import json_format, struct_pb2

from driftline.errors import UnsupportedTypeError


def set_value(target: Any, value: Any) -> None:
    """Fill an MLMD `Value` like KFP: str -> string, number -> double, bool -> int 0/1,
    list -> struct {"list": [...]}, dict -> struct {"struct": {...}}."""
    if isinstance(value, bool):
        target.int_value = int(value)
    elif isinstance(value, str):
        target.string_value = value
    elif isinstance(value, int | float):
        target.double_value = float(value)
    elif isinstance(value, list | tuple):
        target.struct_value.CopyFrom(_struct({"list": list(value)}))
    elif isinstance(value, Mapping):
        target.struct_value.CopyFrom(_struct({"struct": dict(value)}))
    else:
        raise UnsupportedTypeError(
            f"cannot store {type(value).__name__} in ML Metadata; "
            "valid: bool, int, float, str, list, mapping"
        )


def set_property(target: Any, value: Any) -> None:
    """Fill an MLMD `Value` of a declared property, keeping ints as ints."""
    if isinstance(value, bool):
        target.bool_value = value
    elif isinstance(value, int):
        target.int_value = value
    elif isinstance(value, float):
        target.double_value = value
    else:
        target.string_value = str(value)


def struct_of(mapping: Mapping[str, Any]) -> struct_pb2.Struct:
    """A protobuf Struct of a JSON-able mapping (KFP's `inputs`/`outputs` execution values)."""
    return _struct(dict(mapping))


def get_value(value: Any) -> Any:
    """The Python value of an MLMD `Value` (whichever field is set)."""
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "struct_value":
        return json_format.MessageToDict(value.struct_value)
    if kind == "proto_value":
        return value.proto_value.type_url
    return getattr(value, kind)


def as_dict(values: Any) -> dict[str, Any]:
    """A map of MLMD values (properties / custom_properties) as a plain dict."""
    return {key: get_value(values[key]) for key in sorted(values)}


def _struct(data: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(json.loads(json.dumps(data)))
    return struct
