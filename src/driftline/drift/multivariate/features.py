"""The rows a multivariate method sees: a seeded sample of each side, as one float matrix.

Numeric columns are floats (null, NaN and +/-inf become NaN: missing). Categorical and
boolean columns are integer codes stored as floats, ordered by the category's frequency in
the reference (code 0 = most frequent), then categories only the current window has, by
their frequency there; nulls are NaN. Each method decides how to treat codes and NaN.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from driftline.errors import EmptyDataError
from driftline.io import ColumnKind

#: Rows of each side a multivariate method uses at most: larger sides are sampled (seeded).
DEFAULT_MAX_ROWS = 20_000
#: Each side needs this many rows for cross-validation and a held-out reference.
MIN_ROWS = 50
SIDES = ("reference", "current")


@dataclass(frozen=True)
class Features:
    """Both sides' sampled rows: `reference` and `current` are (rows, columns) float arrays
    over `names`; `categorical[j]` says whether column j holds category codes."""

    names: list[str]
    reference: np.ndarray
    current: np.ndarray
    categorical: list[bool]

    def codes(self, j: int) -> int:
        """How many distinct codes categorical column j uses on either side."""
        both = np.concatenate([self.reference[:, j], self.current[:, j]])
        finite = both[~np.isnan(both)]
        return int(finite.max()) + 1 if len(finite) else 0


def sample_rows(table: pa.Table, side: str, max_rows: int, seed: int) -> pa.Table:
    """At most `max_rows` rows of `table` ("reference" or "current" `side`), drawn without
    replacement (in table order) with a generator of (`seed`, side): sampling a side once
    or twice gives the same rows."""
    if table.num_rows <= max_rows:
        return table
    rng = np.random.default_rng([seed, SIDES.index(side)])
    keep = np.sort(rng.choice(table.num_rows, size=max_rows, replace=False))
    return table.take(pa.array(keep))


def encode(
    reference: pa.Table,
    current: pa.Table,
    kinds: dict[str, ColumnKind],
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    seed: int = 0,
) -> Features:
    """Sample at most `max_rows` rows of each side (seeded) and encode the columns `kinds`
    names (numeric, categorical or boolean) as one float matrix per side."""
    for side, table in (("reference", reference), ("current", current)):
        if table.num_rows < MIN_ROWS:
            raise EmptyDataError(
                f"{side} has {table.num_rows} row(s); multivariate drift needs at least "
                f"{MIN_ROWS} rows on each side",
                param=side,
            )
    names = list(kinds)
    ref = sample_rows(reference.select(names), "reference", max_rows, seed)
    cur = sample_rows(current.select(names), "current", max_rows, seed)
    ref_columns, cur_columns, categorical = [], [], []
    for name in names:
        if kinds[name] is ColumnKind.NUMERIC:
            ref_columns.append(_numbers(ref[name]))
            cur_columns.append(_numbers(cur[name]))
            categorical.append(False)
        else:
            r, c = _codes(ref[name], cur[name])
            ref_columns.append(r)
            cur_columns.append(c)
            categorical.append(True)
    return Features(names, _matrix(ref_columns, ref), _matrix(cur_columns, cur), categorical)


def _matrix(columns: Sequence[np.ndarray], table: pa.Table) -> np.ndarray:
    if not columns:
        return np.empty((table.num_rows, 0))
    return np.column_stack(columns)


def _plain(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_dictionary(column.type):
        return column.cast(column.type.value_type)
    return column


def _numbers(column: pa.ChunkedArray) -> np.ndarray:
    values = _plain(column).cast(pa.float64()).to_numpy(zero_copy_only=False)
    values = np.array(values, dtype=np.float64)  # writable, nulls as NaN
    values[~np.isfinite(values)] = np.nan
    return values


def _codes(reference: pa.ChunkedArray, current: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    reference, current = _plain(reference), _plain(current)
    if reference.type != current.type:
        reference, current = reference.cast(pa.string()), current.cast(pa.string())
    order = _by_frequency(reference)
    unseen = _by_frequency(current.filter(pc.invert(pc.is_in(current, value_set=order))))
    categories = pa.concat_arrays([order, unseen.cast(order.type)])
    return _indices(reference, categories), _indices(current, categories)


def _by_frequency(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    counts = pc.value_counts(column.drop_null())
    if len(counts) == 0:
        return pa.array([], type=column.type)
    values, frequency = counts.field("values"), counts.field("counts").to_numpy()
    return values.take(pa.array(np.argsort(-frequency, kind="stable")))


def _indices(column: pa.ChunkedArray, categories: pa.Array) -> np.ndarray:
    codes = pc.index_in(column, value_set=categories)
    return np.array(codes.to_numpy(zero_copy_only=False), dtype=np.float64)
