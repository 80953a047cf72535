"""Column kinds: how driftline treats a column, inferred from its Arrow type."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

import pyarrow as pa
import pyarrow.compute as pc

from driftline.errors import InputError, UnknownNameError

# A string column is TEXT (not categorical) when its sample has more distinct values than
# both of these: more than 50, and more than half of its non-null values.
TEXT_MIN_DISTINCT = 50
TEXT_MIN_DISTINCT_RATIO = 0.5


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


def _is_string(arrow_type: pa.DataType) -> bool:
    if pa.types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    return pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)


def _looks_like_text(values: pa.ChunkedArray | pa.Array) -> bool:
    """Whether a string column's sample has too many distinct values to be categories."""
    present = pc.drop_null(values)
    distinct = len(pc.unique(present))
    return distinct > TEXT_MIN_DISTINCT and distinct > TEXT_MIN_DISTINCT_RATIO * len(present)


def infer_kinds(
    schema: pa.Schema,
    overrides: Mapping[str, str | ColumnKind] | None = None,
    sample: pa.Table | pa.RecordBatch | None = None,
) -> dict[str, ColumnKind]:
    """Kinds of every column in `schema`, with `overrides` (column -> kind) applied.

    Rules, in order: an override wins; booleans are boolean; integers, floats and decimals
    are numeric (id-like integers too: override them); timestamps and dates are datetime;
    a string column is text when `sample` holds more than TEXT_MIN_DISTINCT distinct values
    that are also more than TEXT_MIN_DISTINCT_RATIO of its non-null values (ids, free text),
    else categorical.
    """
    kinds = {field.name: kind_of_type(field.type) for field in schema}
    if sample is not None:
        for field in schema:
            name = field.name
            in_sample = name in sample.schema.names and _is_string(field.type)
            if in_sample and _looks_like_text(sample.column(name)):
                kinds[name] = ColumnKind.TEXT
    for column, kind in (overrides or {}).items():
        if column not in kinds:
            raise InputError(
                f"kind override for unknown column {column!r}; columns: {', '.join(kinds)}",
                param=column,
            )
        kinds[column] = parse_kind(str(kind))
    return kinds
