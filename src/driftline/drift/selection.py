"""What both drift modes share: which columns are checked, whether they have values, which
method each gets, and the verdict of a score.

Exact mode (`drift/exact.py`) and profile mode (`drift/profile_mode.py`) both build on this
module, never on each other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pyarrow as pa

from driftline.drift.auto import POLICIES, ColumnShape
from driftline.drift.methods.base import DriftMethod
from driftline.drift.registry import AUTO, all_methods, get_method
from driftline.drift.result import ColumnDrift
from driftline.errors import EmptyDataError, InputError, SchemaMismatchError
from driftline.io import ColumnKind, infer_kinds

CHECKED_KINDS = (ColumnKind.NUMERIC, ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)
MIN_REFERENCE_ROWS = 2

Sides = tuple[dict[str, Any], dict[str, Any]]


def check_drift_share(drift_share: float) -> None:
    """Raise unless `drift_share` is in (0, 1]."""
    if not 0.0 < drift_share <= 1.0:
        raise InputError(f"`drift_share` {drift_share!r} must be in (0, 1]", param="drift_share")


def check_rows(reference_rows: int, current_rows: int, reference: str = "reference") -> None:
    """Raise if the reference has fewer than 2 rows or the current window none."""
    if reference_rows < MIN_REFERENCE_ROWS:
        raise EmptyDataError(
            f"{reference} has {reference_rows} row(s); drift needs at least "
            f"{MIN_REFERENCE_ROWS} reference rows",
            param="reference",
        )
    if current_rows == 0:
        raise EmptyDataError("current window has no rows", param="current")


def check_usable(empty: Sequence[str]) -> None:
    """Raise one error naming every column without usable values ("'name' (side)")."""
    if empty:
        raise EmptyDataError(
            f"no usable (non-null, finite) values in column(s) {', '.join(empty)}; "
            "leave them out of the checked columns",
            param="columns",
        )


def require_columns(wanted: Sequence[str], available: Sequence[str], side: str) -> None:
    """Raise naming every column of `wanted` that `side` lacks, and what it has."""
    missing = [c for c in wanted if c not in available]
    if missing:
        raise SchemaMismatchError(
            f"column(s) {', '.join(map(repr, missing))} missing in {side}; {side} has: "
            f"{', '.join(available)}",
            param=missing[0],
        )


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


def only(kinds: Mapping[str, str] | None, names: Sequence[str]) -> dict[str, str]:
    """The entries of `kinds` for `names`."""
    return {k: v for k, v in (kinds or {}).items() if k in names}


def select_columns(
    reference: pa.Schema,
    current: pa.Schema,
    columns: Sequence[str] | None,
    kinds: Mapping[str, str] | None,
    prediction_column: str | None,
    exclude: Sequence[str] = (),
) -> tuple[list[str], list[dict[str, str]]]:
    """The columns of two tables to check (present on both sides, same kind) and the ones
    skipped."""
    wanted = wanted_columns(columns, reference.names, prediction_column, exclude)
    require_columns(wanted, reference.names, "reference")
    require_columns(wanted, current.names, "current")
    ref_kinds = infer_kinds(pa.schema([reference.field(c) for c in wanted]), only(kinds, wanted))
    cur_kinds = infer_kinds(pa.schema([current.field(c) for c in wanted]), only(kinds, wanted))
    changed = [c for c in wanted if ref_kinds[c] != cur_kinds[c]]
    if changed:
        c = changed[0]
        raise SchemaMismatchError(
            f"column {c!r} changed type: reference {reference.field(c).type} ({ref_kinds[c]}), "
            f"current {current.field(c).type} ({cur_kinds[c]}); cast one side or set its kind",
            param=c,
        )
    return split_checked(wanted, ref_kinds, columns, prediction_column)


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


def choose_method(
    requested: str | None, kind: ColumnKind, column: str, shape: Callable[[], ColumnShape]
) -> DriftMethod:
    """The method for `column`: the one `requested`, or the one its policy (e.g. `auto`,
    the default) picks from the column's `shape` (computed only for a policy); checked
    to apply to `kind`."""
    name = requested or AUTO
    policy = POLICIES.get(name)
    method = get_method(policy(shape()) if policy else name)
    if kind not in method.kinds:
        valid = [m.name for m in all_methods() if kind in m.kinds]
        raise InputError(
            f"method {method.name!r} does not apply to {kind} column {column!r}; methods for "
            f"{kind} columns: {', '.join(valid)}",
            param="method",
        )
    return method


def policy_of(requested: str | None) -> str | None:
    """The policy that chose the column's method (e.g. "auto"), None for a named method."""
    name = requested or AUTO
    return name if name in POLICIES else None


def verdict(
    name: str,
    kind: ColumnKind,
    method: DriftMethod,
    score: float,
    threshold: float | None,
    sides: Sides,
    policy: str | None = None,
) -> ColumnDrift:
    """The column's verdict: `score` against `threshold` (the method's default if None);
    `policy` names the policy that chose `method`, if one did."""
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
        policy=policy,
        reference=sides[0],
        current=sides[1],
    )
