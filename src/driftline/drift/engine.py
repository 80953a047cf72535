"""check_drift: per-column drift verdicts and the dataset verdict, exact or from a profile."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from driftline.drift.auto import auto_method_for
from driftline.drift.columns import (
    DEFAULT_MAX_CATEGORIES,
    ColumnValues,
    categorical_values,
    numeric_values,
)
from driftline.drift.methods.base import DriftMethod
from driftline.drift.methods.binning import count_distinct
from driftline.drift.options import per_column
from driftline.drift.registry import AUTO, all_methods, get_method
from driftline.drift.result import ColumnDrift, DriftResult
from driftline.drift.summary import categorical_summaries, numeric_summaries
from driftline.errors import EmptyDataError, InputError, SchemaMismatchError
from driftline.io import ColumnKind, infer_kinds

if TYPE_CHECKING:
    from driftline.profile import DatasetProfile

CHECKED_KINDS = (ColumnKind.NUMERIC, ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)
MIN_REFERENCE_ROWS = 2
# Evidently 0.7 treats integer columns with at most this many distinct values as
# categorical when it picks a method; `auto` does the same so migrated users get its numbers.
INTEGER_CATEGORY_LIMIT = 10

MethodOption = str | Mapping[str, str]
ThresholdOption = float | Mapping[str, float] | None


def check_drift(
    reference: pa.Table | DatasetProfile,
    current: pa.Table | Iterable[pa.RecordBatch],
    *,
    columns: Sequence[str] | None = None,
    kinds: Mapping[str, str] | None = None,
    method: MethodOption = AUTO,
    threshold: ThresholdOption = None,
    drift_share: float = 0.5,
    prediction_column: str | None = None,
    max_categories: int = DEFAULT_MAX_CATEGORIES,
    exclude: Sequence[str] = (),
) -> DriftResult:
    """Check every column of `current` for drift from `reference`.

    `reference` is a table (exact mode: every row) or a `DatasetProfile` (profile mode:
    `current` is streamed and binned on the profile's edges). `method` and `threshold` take
    one value for all columns or a mapping `column -> value` (key "*" = all others).
    The dataset drifts when the share of drifted columns is >= `drift_share`. Columns in
    `exclude` (e.g. the timestamp) are never checked when `columns` is None.
    """
    if not 0.0 < drift_share <= 1.0:
        raise InputError(f"`drift_share` {drift_share!r} must be in (0, 1]", param="drift_share")
    if not isinstance(reference, pa.Table):
        from driftline.drift.profile_mode import check_drift_against_profile

        return check_drift_against_profile(
            reference,
            current,
            columns=columns,
            kinds=kinds,
            method=method,
            threshold=threshold,
            drift_share=drift_share,
            prediction_column=prediction_column,
            exclude=exclude,
        )
    current = current if isinstance(current, pa.Table) else _to_table(current, reference.schema)
    check_rows(reference.num_rows, current.num_rows)
    names, skipped = select_columns(
        reference.schema, current.schema, columns, kinds, prediction_column, exclude
    )
    methods = per_column(method, names, "method")
    thresholds = per_column(threshold, names, "threshold")
    outcomes = column_outcomes(
        reference,
        current,
        names,
        kinds=kinds,
        methods=methods,
        thresholds=thresholds,
        max_categories=max_categories,
        strict=[*(columns or []), *([prediction_column] if prediction_column else [])],
        workers=os.cpu_count() or 1,
    )
    results, too_many = sort_outcomes(outcomes)
    return DriftResult(
        columns=results,
        drift_share_threshold=drift_share,
        mode="exact",
        reference_rows=reference.num_rows,
        current_rows=current.num_rows,
        prediction_column=prediction_column,
        skipped=skipped + too_many,
    )


Outcome = ColumnDrift | dict[str, str] | str


def column_outcomes(
    reference: pa.Table,
    current: pa.Table,
    names: Sequence[str],
    *,
    kinds: Mapping[str, str] | None,
    methods: Mapping[str, str | None],
    thresholds: Mapping[str, float | None],
    max_categories: int = DEFAULT_MAX_CATEGORIES,
    strict: Sequence[str] = (),
    workers: int = 1,
) -> list[Outcome]:
    """Per column of `names`: its verdict, a skip entry (too many categories) or, for a
    column without usable values, a string naming it and the empty side(s)."""
    column_kinds = infer_kinds(reference.select(names).schema, _only(kinds, names))

    def one(name: str) -> Outcome:
        try:
            values = _values(name, column_kinds[name], reference, current, max_categories)
        except InputError:
            if name in strict:
                raise
            return {"name": name, "reason": f"more than {max_categories} categories"}
        sides = (("reference", values.reference), ("current", values.current))
        empty = [side for side, array in sides if len(array) == 0]
        if empty:
            return f"{name!r} ({', '.join(empty)})"
        return _check_column(name, values, reference, methods[name], thresholds[name])

    workers = min(len(names), workers)
    if workers > 1:
        with ThreadPoolExecutor(workers) as pool:  # numpy and Arrow release the GIL
            return list(pool.map(one, names))
    return [one(name) for name in names]


def sort_outcomes(outcomes: Sequence[Outcome]) -> tuple[list[ColumnDrift], list[dict[str, str]]]:
    """(verdicts, skipped columns); raise one error naming every column without values."""
    check_usable([o for o in outcomes if isinstance(o, str)])
    return (
        [o for o in outcomes if isinstance(o, ColumnDrift)],
        [o for o in outcomes if isinstance(o, dict)],
    )


def check_usable(empty: Sequence[str]) -> None:
    """Raise one error naming every column without usable values ("'name' (side)")."""
    if empty:
        raise EmptyDataError(
            f"no usable (non-null, finite) values in column(s) {', '.join(empty)}; "
            "leave them out of the checked columns",
            param="columns",
        )


def _to_table(batches: Iterable[pa.RecordBatch], schema: pa.Schema) -> pa.Table:
    batches = list(batches)
    if not batches:
        raise EmptyDataError("current window has no rows", param="current")
    return pa.Table.from_batches(batches)


def _only(kinds: Mapping[str, str] | None, names: Sequence[str]) -> dict[str, str]:
    return {k: v for k, v in (kinds or {}).items() if k in names}


def check_rows(reference_rows: int, current_rows: int) -> None:
    """Raise if the reference has fewer than 2 rows or the current window none."""
    if reference_rows < MIN_REFERENCE_ROWS:
        raise EmptyDataError(
            f"reference has {reference_rows} row(s); drift needs at least "
            f"{MIN_REFERENCE_ROWS} reference rows",
            param="reference",
        )
    if current_rows == 0:
        raise EmptyDataError("current window has no rows", param="current")


def select_columns(
    reference: pa.Schema,
    current: pa.Schema,
    columns: Sequence[str] | None,
    kinds: Mapping[str, str] | None,
    prediction_column: str | None,
    exclude: Sequence[str] = (),
) -> tuple[list[str], list[dict[str, str]]]:
    """The columns to check (present on both sides, same kind) and the ones skipped."""
    wanted = wanted_columns(columns, reference.names, prediction_column, exclude)
    for side, schema in (("reference", reference), ("current", current)):
        missing = [c for c in wanted if c not in schema.names]
        if missing:
            raise SchemaMismatchError(
                f"column(s) {', '.join(map(repr, missing))} missing in {side}; {side} has: "
                f"{', '.join(schema.names)}",
                param=missing[0],
            )
    ref_kinds = infer_kinds(pa.schema([reference.field(c) for c in wanted]), _only(kinds, wanted))
    cur_kinds = infer_kinds(pa.schema([current.field(c) for c in wanted]), _only(kinds, wanted))
    changed = [c for c in wanted if ref_kinds[c] != cur_kinds[c]]
    if changed:
        c = changed[0]
        raise SchemaMismatchError(
            f"column {c!r} changed type: reference {reference.field(c).type} ({ref_kinds[c]}), "
            f"current {current.field(c).type} ({cur_kinds[c]}); cast one side or set its kind",
            param=c,
        )
    return split_checked(wanted, ref_kinds, columns, prediction_column)


def wanted_columns(
    columns: Sequence[str] | None,
    available: Sequence[str],
    prediction_column: str | None,
    exclude: Sequence[str] = (),
) -> list[str]:
    """`columns` if given, else every available one not in `exclude`; plus the prediction."""
    wanted = list(columns) if columns is not None else [c for c in available if c not in exclude]
    if prediction_column is not None and prediction_column not in wanted:
        wanted.append(prediction_column)
    return wanted


def split_checked(
    wanted: Sequence[str],
    kinds: Mapping[str, ColumnKind],
    columns: Sequence[str] | None,
    prediction_column: str | None,
) -> tuple[list[str], list[dict[str, str]]]:
    """(columns of a checked kind, the others as skip entries); a column the user named
    (in `columns`, or the prediction) of another kind is an error instead."""
    names, skipped = [], []
    for c in wanted:
        if kinds[c] in CHECKED_KINDS:
            names.append(c)
        elif columns is not None or c == prediction_column:
            raise InputError(
                f"column {c!r} is {kinds[c]}; drift is checked on numeric, categorical "
                "and boolean columns",
                param=c,
            )
        else:
            skipped.append({"name": c, "reason": f"{kinds[c]} column"})
    return names, skipped


def _values(
    name: str, kind: ColumnKind, reference: pa.Table, current: pa.Table, max_categories: int
) -> ColumnValues:
    if kind is ColumnKind.NUMERIC:
        return numeric_values(name, reference[name], current[name])
    return categorical_values(name, kind, reference[name], current[name], max_categories)


def resolve_method(name: str | None, kind: ColumnKind, column: str) -> DriftMethod:
    """The named method, checked to apply to `kind`."""
    method = get_method(name or AUTO)
    if kind not in method.kinds:
        valid = [m.name for m in all_methods() if kind in m.kinds]
        raise InputError(
            f"method {method.name!r} does not apply to {kind} column {column!r}; methods for "
            f"{kind} columns: {', '.join(valid)}",
            param="method",
        )
    return method


def _auto_kind(values: ColumnValues, arrow_type: pa.DataType) -> ColumnKind:
    if (
        values.kind is ColumnKind.NUMERIC
        and pa.types.is_integer(arrow_type)
        and count_distinct(values.reference, INTEGER_CATEGORY_LIMIT) <= INTEGER_CATEGORY_LIMIT
    ):
        return ColumnKind.CATEGORICAL
    return values.kind


def _check_column(
    name: str,
    values: ColumnValues,
    reference: pa.Table,
    method_name: str | None,
    threshold: float | None,
) -> ColumnDrift:
    if method_name in (None, AUTO):
        auto_kind = _auto_kind(values, reference.schema.field(name).type)
        method_name = auto_method_for(values.reference, values.current, auto_kind)
    method = resolve_method(method_name, values.kind, name)
    score = method.score_exact(values.reference, values.current, values.kind)
    summaries: tuple[dict[str, Any], dict[str, Any]] = (
        numeric_summaries(values)
        if values.kind is ColumnKind.NUMERIC
        else categorical_summaries(values)
    )
    return verdict(name, values.kind, method, score, threshold, summaries)


def verdict(
    name: str,
    kind: ColumnKind,
    method: DriftMethod,
    score: float,
    threshold: float | None,
    sides: tuple[dict[str, Any], dict[str, Any]],
) -> ColumnDrift:
    """The column's verdict: `score` against `threshold` (the method's default if None)."""
    limit = method.check_threshold(
        method.default_threshold if threshold is None else threshold, name
    )
    return ColumnDrift(
        name=name,
        kind=str(kind),
        method=method.name,
        score=score,
        threshold=limit,
        drift_detected=method.is_drift(score, limit),
        direction=str(method.direction),
        reference=sides[0],
        current=sides[1],
    )
