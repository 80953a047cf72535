"""Turn Arrow columns into the arrays drift methods score: finite floats or category codes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from driftline.errors import InputError
from driftline.io import ColumnKind

DEFAULT_MAX_CATEGORIES = 10_000


@dataclass(frozen=True)
class ColumnValues:
    """The usable values of one column on both sides, and how many were unusable.

    Numeric: values in storage order (every method is order-free, and not sorting 1M-row
    columns is most of exact mode's speed), without null, NaN or +/-inf (dropped, as
    Evidently does); int64 for integer columns without nulls, else float64 (pandas' dtypes,
    which Evidently bins by).
    Categorical/boolean: integer codes into `categories` (sorted), nulls dropped.
    """

    kind: ColumnKind
    reference: np.ndarray
    current: np.ndarray
    reference_missing: int
    current_missing: int
    categories: list[object] | None = None


def _plain(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_dictionary(column.type):
        return column.cast(column.type.value_type)
    return column


def _finite_numbers(column: pa.ChunkedArray) -> tuple[np.ndarray, int]:
    column = _plain(column)
    if pa.types.is_integer(column.type) and column.null_count == 0:
        # Integers stay integers: numpy's Sturges edges differ for integer data (as in Evidently).
        return column.cast(pa.int64()).to_numpy(), 0
    if not pa.types.is_float64(column.type):
        column = column.cast(pa.float64())
    values = column.to_numpy()
    finite = np.isfinite(values)
    usable = values[finite] if not finite.all() else values
    return usable, len(values) - len(usable)


def _usable_categories(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Non-null (and finite) values; a dictionary column stays one unless it holds floats."""
    if pa.types.is_dictionary(column.type) and pa.types.is_floating(column.type.value_type):
        column = _plain(column)
    if pa.types.is_floating(column.type):
        column = column.filter(pc.is_finite(column))
    return column.drop_null()


def _codes(encoded: pa.ChunkedArray, categories: pa.Array) -> np.ndarray:
    """The position in `categories` of each value of the dictionary-encoded `encoded`:
    its dictionaries are looked up, not its values."""
    codes = np.empty(len(encoded), dtype=np.int64)
    start = 0
    for chunk in encoded.chunks:
        position = pc.index_in(chunk.dictionary, value_set=categories).to_numpy().astype(np.int64)
        np.take(position, chunk.indices.to_numpy(), out=codes[start : start + len(chunk)])
        start += len(chunk)
    return codes


def numeric_values(name: str, reference: pa.ChunkedArray, current: pa.ChunkedArray) -> ColumnValues:
    """Finite values of a numeric column on both sides."""
    ref, ref_missing = _finite_numbers(reference)
    cur, cur_missing = _finite_numbers(current)
    return ColumnValues(ColumnKind.NUMERIC, ref, cur, ref_missing, cur_missing)


def categorical_values(
    name: str,
    kind: ColumnKind,
    reference: pa.ChunkedArray,
    current: pa.ChunkedArray,
    max_categories: int = DEFAULT_MAX_CATEGORIES,
) -> ColumnValues:
    """Codes of a categorical column over the sorted union of both sides' categories."""
    ref = _usable_categories(reference)
    cur = _usable_categories(current)
    if ref.type != cur.type:
        ref, cur = ref.cast(pa.string()), cur.cast(pa.string())
    # Each side is hashed once (dictionary-encoded); categories come from the dictionaries.
    encoded = [pc.dictionary_encode(side) for side in (ref, cur)]
    value_type = ref.type.value_type if pa.types.is_dictionary(ref.type) else ref.type
    dictionaries = [chunk.dictionary for side in encoded for chunk in side.chunks]
    categories = pc.unique(pa.chunked_array(dictionaries, type=value_type))
    if len(categories) > max_categories:
        raise InputError(
            f"column {name!r} has {len(categories)} distinct values, more than "
            f"`max_categories={max_categories}`: it looks like an id or free text; leave it out "
            "of the checked columns or raise `max_categories`",
            param=name,
        )
    categories = categories.take(pc.sort_indices(categories))
    return ColumnValues(
        kind,
        _codes(encoded[0], categories),
        _codes(encoded[1], categories),
        len(reference) - len(ref),
        len(current) - len(cur),
        categories.to_pylist(),
    )
