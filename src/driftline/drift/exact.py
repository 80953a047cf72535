"""Exact mode: every usable value of both sides, a few columns at a time.

The one implementation behind `check_drift` on tables and `run_drift` on files: the
caller says how to read a group of columns from both sides (`ReadColumns`) and how many
columns to read at once; each group is read, checked and dropped, in parallel, so peak
memory holds a few columns per core, not the tables.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from driftline.drift.auto import DISTINCT_CAP, INTEGER_CATEGORY_LIMIT, ColumnShape
from driftline.drift.buckets import SharedBuckets
from driftline.drift.columns import (
    DEFAULT_MAX_CATEGORIES,
    ColumnValues,
    categorical_values,
    numeric_values,
)
from driftline.drift.methods.binning import count_distinct, value_counts
from driftline.drift.options import per_column
from driftline.drift.result import ColumnDrift, DriftResult
from driftline.drift.selection import (
    check_drift_share,
    check_rows,
    check_usable,
    choose_method,
    only,
    policy_of,
    select_columns,
    verdict,
)
from driftline.drift.summary import categorical_summaries, numeric_summaries
from driftline.errors import InputError
from driftline.io import ColumnKind, infer_kinds

#: Reads the named columns of (reference, current).
ReadColumns = Callable[[Sequence[str]], tuple[pa.Table, pa.Table]]

MethodOption = str | Mapping[str, str]
ThresholdOption = float | Mapping[str, float] | None


def check_exact(
    reference: pa.Schema,
    current: pa.Schema,
    read: ReadColumns,
    *,
    columns_per_read: int | None = None,
    columns: Sequence[str] | None = None,
    kinds: Mapping[str, str] | None = None,
    method: MethodOption = "auto",
    threshold: ThresholdOption = None,
    drift_share: float = 0.5,
    prediction_column: str | None = None,
    max_categories: int = DEFAULT_MAX_CATEGORIES,
    exclude: Sequence[str] = (),
) -> DriftResult:
    """Check drift of every selected column of two tables with schemas `reference` and
    `current`, reading `columns_per_read` columns at a time with `read` (None: all at once).

    Options as in `driftline.drift.check_drift`.
    """
    check_drift_share(drift_share)
    names, skipped = select_columns(reference, current, columns, kinds, prediction_column, exclude)
    methods = per_column(method, names, "method")
    thresholds = per_column(threshold, names, "threshold")
    strict = [*(columns or []), *([prediction_column] if prediction_column else [])]
    per_read = max(1, min(columns_per_read or len(names), len(names)))
    groups = [names[i : i + per_read] for i in range(0, len(names), per_read)] or [[]]
    cores = os.cpu_count() or 1
    rows: list[tuple[int, int]] = []

    def check_group(group: Sequence[str]) -> list[Outcome]:
        ref, cur = read(group)
        check_rows(ref.num_rows, cur.num_rows)
        rows.append((ref.num_rows, cur.num_rows))
        column_kinds = infer_kinds(ref.schema, only(kinds, group))
        return _outcomes(
            ref,
            cur,
            [_Column(n, column_kinds[n], methods[n], thresholds[n], n in strict) for n in group],
            max_categories,
            workers=cores if len(groups) == 1 else 1,
        )

    # Each task reads its columns from both sides and checks them, so reading and scoring
    # overlap.
    with ThreadPoolExecutor(min(cores, len(groups))) as pool:
        outcomes = [o for group in pool.map(check_group, groups) for o in group]
    check_usable([o for o in outcomes if isinstance(o, str)])
    reference_rows, current_rows = rows[0]
    return DriftResult(
        columns=[o for o in outcomes if isinstance(o, ColumnDrift)],
        drift_share_threshold=drift_share,
        mode="exact",
        reference_rows=reference_rows,
        current_rows=current_rows,
        prediction_column=prediction_column,
        skipped=skipped + [o for o in outcomes if isinstance(o, dict)],
    )


#: A column's verdict, a skip entry (too many categories), or, for a column without usable
#: values, a string naming it and the empty side(s).
Outcome = ColumnDrift | dict[str, str] | str


@dataclass(frozen=True)
class _Column:
    """One column to check and its options."""

    name: str
    kind: ColumnKind
    method: str | None
    threshold: float | None
    named: bool  # the user named it: too many categories is an error, not a skip


def _outcomes(
    reference: pa.Table,
    current: pa.Table,
    columns: Sequence[_Column],
    max_categories: int,
    workers: int,
) -> list[Outcome]:
    def one(column: _Column) -> Outcome:
        try:
            values = _values(column, reference, current, max_categories)
        except InputError:
            if column.named:
                raise
            return {"name": column.name, "reason": f"more than {max_categories} categories"}
        sides = (("reference", values.reference), ("current", values.current))
        empty = [side for side, array in sides if len(array) == 0]
        if empty:
            return f"{column.name!r} ({', '.join(empty)})"
        return _check_column(column, values, reference.schema.field(column.name).type)

    workers = min(len(columns), workers)
    if workers > 1:
        with ThreadPoolExecutor(workers) as pool:  # numpy and Arrow release the GIL
            return list(pool.map(one, columns))
    return [one(column) for column in columns]


def _values(
    column: _Column, reference: pa.Table, current: pa.Table, max_categories: int
) -> ColumnValues:
    name = column.name
    if column.kind is ColumnKind.NUMERIC:
        return numeric_values(name, reference[name], current[name])
    return categorical_values(name, column.kind, reference[name], current[name], max_categories)


def _shape(values: ColumnValues, arrow_type: pa.DataType) -> ColumnShape:
    few_integers = (
        values.kind is ColumnKind.NUMERIC
        and pa.types.is_integer(arrow_type)
        and count_distinct(values.reference, INTEGER_CATEGORY_LIMIT) <= INTEGER_CATEGORY_LIMIT
    )
    if values.kind is ColumnKind.NUMERIC and not few_integers:
        # over the cap on the reference alone (the usual case): no copy of both sides
        distinct = count_distinct(values.reference, DISTINCT_CAP)
        if distinct <= DISTINCT_CAP:
            both = np.concatenate([values.reference, values.current])
            distinct = count_distinct(both, DISTINCT_CAP)
    else:
        distinct = len(value_counts(values.reference, values.current)[0])
    return ColumnShape(values.kind, len(values.reference), distinct, few_integers)


def _check_column(column: _Column, values: ColumnValues, arrow_type: pa.DataType) -> ColumnDrift:
    method = choose_method(
        column.method, values.kind, column.name, lambda: _shape(values, arrow_type)
    )
    if values.kind is not ColumnKind.NUMERIC:
        score = method.score_exact(values.reference, values.current, values.kind)
        sides = categorical_summaries(values)
    else:
        # one bucket index per value, for the score (KS) and the report's summaries alike
        shared = SharedBuckets(values.reference, values.current)
        if method.score_shared is not None:
            score = method.score_shared(shared)
        else:
            score = method.score_exact(values.reference, values.current, values.kind)
        sides = numeric_summaries(values, shared)
    policy = policy_of(column.method)
    return verdict(column.name, values.kind, method, score, column.threshold, sides, policy)
