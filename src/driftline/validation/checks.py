"""Check a window's profile against constraints: a status and a list of violations."""

from __future__ import annotations

from typing import Any, cast

from driftline.profile import ColumnProfile, DatasetProfile
from driftline.report.validation import Severity, ValidationReport, Violation
from driftline.validation.constraints import ColumnConstraint, Constraints

_MAX_EXAMPLES = 10

# The engine's names for the report classes: `validate_profile` builds the report itself.
ValidationResult = ValidationReport
SCHEMA_VERSION = ValidationReport.SCHEMA_VERSION


def validate_profile(constraints: Constraints, window: DatasetProfile) -> ValidationResult:
    """Check the profile of a window against `constraints`."""
    result = ValidationResult(rows=window.row_count)

    def flag(column: str | None, check: str, message: str, observed: Any, expected: Any) -> None:
        severity = constraints.severity[check]
        result.violations.append(
            Violation(
                column=column,
                check=check,
                severity=cast(Severity, severity),
                message=message,
                observed=observed,
                expected=expected,
            )
        )

    _check_rows(constraints, window.row_count, flag)
    known = set(constraints.columns) | set(constraints.ignored_columns)
    extra = [name for name in window.columns if name not in known]
    if extra and not constraints.allow_extra_columns:
        flag(
            None,
            "extra_columns",
            f"window has column(s) the baseline lacks: {', '.join(extra)}",
            extra,
            [],
        )
    for name, constraint in constraints.columns.items():
        column = window.columns.get(name)
        if column is None:
            if constraint.required:
                flag(name, "presence", f"column {name!r} is missing", "missing", "present")
            continue
        result.checked_columns.append(name)
        _check_column(name, constraint, column, flag)
    return result


def _check_rows(constraints: Constraints, rows: int, flag: Any) -> None:
    if rows == 0:
        flag(None, "empty", "the window holds no rows", 0, {"min": 1})
        return
    low, high = constraints.min_rows, constraints.max_rows
    if (low is not None and rows < low) or (high is not None and rows > high):
        flag(
            None,
            "row_count",
            f"row count {rows} outside [{low}, {high}]",
            rows,
            {"min": low, "max": high},
        )


def _check_column(
    name: str, constraint: ColumnConstraint, column: ColumnProfile, flag: Any
) -> None:
    if column.kind.value != constraint.kind:
        flag(
            name,
            "kind",
            f"column {name!r} is {column.kind.value} ({column.arrow_type}), expected "
            f"{constraint.kind}",
            {"kind": column.kind.value, "arrow_type": column.arrow_type},
            {"kind": constraint.kind, "arrow_type": constraint.arrow_type},
        )
        return  # the other checks compare like with like
    if constraint.arrow_type is not None and column.arrow_type != constraint.arrow_type:
        flag(
            name,
            "type",
            f"column {name!r} has type {column.arrow_type}, expected {constraint.arrow_type}",
            column.arrow_type,
            constraint.arrow_type,
        )
    if column.count == 0:
        return
    if constraint.max_null_share is not None and column.null_share > constraint.max_null_share:
        flag(
            name,
            "completeness",
            f"{column.null_share:.1%} of {name!r} is null, at most "
            f"{constraint.max_null_share:.1%} allowed",
            {"null_share": column.null_share, "null_count": column.null_count},
            {"max_null_share": constraint.max_null_share},
        )
    if column.numeric is not None:
        _check_numeric(name, constraint, column, flag)
    if column.categorical is not None and constraint.domain is not None:
        _check_domain(name, constraint, column, flag)


def _check_numeric(
    name: str, constraint: ColumnConstraint, column: ColumnProfile, flag: Any
) -> None:
    summary = column.numeric
    assert summary is not None
    non_finite = summary.nan_count + summary.posinf_count + summary.neginf_count
    if non_finite and not constraint.allow_non_finite:
        flag(
            name,
            "non_finite",
            f"column {name!r} has {non_finite} NaN/infinite value(s); the baseline had none",
            {
                "nan_count": summary.nan_count,
                "posinf_count": summary.posinf_count,
                "neginf_count": summary.neginf_count,
            },
            {"non_finite": 0},
        )
    if summary.count == 0 or summary.min is None or summary.max is None:
        return
    low = -float("inf") if constraint.min is None else constraint.min
    high = float("inf") if constraint.max is None else constraint.max
    if summary.min < low or summary.max > high:
        outside = summary.count_outside(low, high)
        flag(
            name,
            "range",
            f"column {name!r} spans [{summary.min:g}, {summary.max:g}], allowed "
            f"[{low:g}, {high:g}]; {outside / summary.count:.1%} of values outside",
            {"min": summary.min, "max": summary.max, "outside_share": outside / summary.count},
            {"min": constraint.min, "max": constraint.max},
        )


def _check_domain(
    name: str, constraint: ColumnConstraint, column: ColumnProfile, flag: Any
) -> None:
    summary = column.categorical
    assert summary is not None and constraint.domain is not None
    domain = set(constraint.domain)
    unseen = {v: c for v, c in summary.frequencies.items() if v not in domain}
    # values past the window's category cap are unknown: count them as unseen (upper bound)
    unseen_count = sum(unseen.values()) + (0 if summary.exact else summary.other_count)
    share = unseen_count / summary.count if summary.count else 0.0
    if share > constraint.max_unseen_share:
        examples = sorted(unseen, key=lambda v: -unseen[v])[:_MAX_EXAMPLES]
        flag(
            name,
            "domain",
            f"{share:.1%} of {name!r} are values outside the baseline's domain "
            f"(e.g. {', '.join(map(repr, examples))}); at most "
            f"{constraint.max_unseen_share:.1%} allowed",
            {"unseen_share": share, "unseen_examples": examples, "exact": summary.exact},
            {
                "max_unseen_share": constraint.max_unseen_share,
                "domain_size": len(domain),
                "domain": constraint.domain if len(domain) <= 20 else None,
            },
        )
