"""Column kinds: how driftline treats a column, inferred from its Arrow type."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

import pyarrow as pa

from driftline.errors import UnknownNameError


class ColumnKind(StrEnum):
    """The statistical kind of a column."""

    NUMERIC = "numeric"
    CATEGORICAL = "categorical"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    TEXT = "text"  # free text or id-like strings: profiled, not drift-checked


def parse_kind(name: str) -> ColumnKind:
    """Return the kind called `name`, or raise an error listing the valid kinds."""
    try:
        return ColumnKind(name)
    except ValueError:
        raise UnknownNameError("column kind", name, [k.value for k in ColumnKind]) from None


def kind_of_type(arrow_type: pa.DataType) -> ColumnKind:
    """The default kind of an Arrow type (strings default to categorical)."""
    if pa.types.is_boolean(arrow_type):
        return ColumnKind.BOOLEAN
    if pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type):
        return ColumnKind.NUMERIC
    if pa.types.is_decimal(arrow_type):
        return ColumnKind.NUMERIC
    if pa.types.is_timestamp(arrow_type) or pa.types.is_date(arrow_type):
        return ColumnKind.DATETIME
    if pa.types.is_dictionary(arrow_type):
        return kind_of_type(arrow_type.value_type)
    return ColumnKind.CATEGORICAL


def infer_kinds(
    schema: pa.Schema, overrides: Mapping[str, str | ColumnKind] | None = None
) -> dict[str, ColumnKind]:
    """Kinds of every column in `schema`, with `overrides` (column -> kind) applied."""
    kinds = {field.name: kind_of_type(field.type) for field in schema}
    for column, kind in (overrides or {}).items():
        if column not in kinds:
            from driftline.errors import InputError

            raise InputError(
                f"kind override for unknown column {column!r}; columns: {', '.join(kinds)}",
                param=column,
            )
        kinds[column] = parse_kind(str(kind))
    return kinds
