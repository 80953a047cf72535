"""Constraints a window must meet: inferred from a baseline profile, overridable from a file."""

from __future__ import annotations

import dataclasses
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from driftline import storage
from driftline.errors import DataSourceError, InputError
from driftline.io import parse_kind
from driftline.profile import ColumnProfile, DatasetProfile

#: check name -> default severity
DEFAULT_SEVERITY: dict[str, str] = {
    "empty": "error",
    "presence": "error",
    "kind": "error",
    "completeness": "error",
    "type": "warning",
    "extra_columns": "warning",
    "non_finite": "warning",
    "range": "warning",
    "domain": "warning",
    "row_count": "warning",
}
SEVERITIES = ("error", "warning")


@dataclass
class ColumnConstraint:
    """What one column of a window must look like; None disables a check."""

    kind: str
    arrow_type: str | None = None
    required: bool = True
    max_null_share: float | None = None
    allow_non_finite: bool = True
    min: float | None = None
    max: float | None = None
    domain: list[str] | None = None
    max_unseen_share: float = 0.0


@dataclass
class Constraints:
    """Dataset-level and per-column constraints, plus each check's severity."""

    columns: dict[str, ColumnConstraint] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    allow_extra_columns: bool = False
    min_rows: int | None = 1
    max_rows: int | None = None
    severity: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SEVERITY))

    def to_dict(self) -> dict[str, Any]:
        """The constraints in the file format `load_constraints` reads (a starting point)."""
        return {
            "row_count": {"min": self.min_rows, "max": self.max_rows},
            "allow_extra_columns": self.allow_extra_columns,
            "severity": dict(self.severity),
            "columns": {
                **{name: dataclasses.asdict(c) for name, c in self.columns.items()},
                **dict.fromkeys(self.ignored_columns),
            },
        }


def infer_constraints(
    profile: DatasetProfile,
    *,
    range_tolerance: float = 0.1,
    null_tolerance: float = 0.01,
    unseen_tolerance: float = 0.01,
    row_tolerance: float = 0.5,
    expected_rows: int | None = None,
) -> Constraints:
    """Constraints that the profiled data meets, widened by tolerances.

    Numeric ranges widen by `range_tolerance` x (max - min) on each side; a constant column
    (min = max = v) allows v ± `range_tolerance` x |v| (only 0 when v is 0), so the tolerance
    scales with the value; null shares widen by `null_tolerance`; a categorical domain (when the
    profile counted its values exactly) tolerates `unseen_tolerance` of unseen values; the row
    count must be within `row_tolerance` of `expected_rows` (default: the profile's own row
    count; 0: any number of rows but none, for windows whose size the baseline does not tell).
    """
    if expected_rows is not None and expected_rows < 0:
        raise InputError(
            f"`expected_rows` must be >= 0, got {expected_rows}", param="expected_rows"
        )
    expected = profile.row_count if expected_rows is None else expected_rows
    constraints = (
        Constraints(min_rows=1, max_rows=None)
        if expected == 0
        else Constraints(
            min_rows=max(1, math.floor(expected * (1 - row_tolerance))),
            max_rows=math.ceil(expected * (1 + row_tolerance)),
        )
    )
    for name, column in profile.columns.items():
        constraints.columns[name] = _infer_column(
            column, range_tolerance, null_tolerance, unseen_tolerance
        )
    return constraints


def _infer_column(
    column: ColumnProfile, range_tolerance: float, null_tolerance: float, unseen_tolerance: float
) -> ColumnConstraint:
    constraint = ColumnConstraint(
        kind=column.kind.value,
        arrow_type=column.arrow_type,
        max_null_share=min(1.0, column.null_share + null_tolerance),
    )
    numeric = column.numeric
    if numeric is not None:
        constraint.allow_non_finite = bool(
            numeric.nan_count or numeric.posinf_count or numeric.neginf_count
        )
        if column.kind.value == "numeric" and numeric.min is not None and numeric.max is not None:
            # A constant column has no span: its tolerance scales with its value instead.
            span = numeric.max - numeric.min or abs(numeric.max)
            constraint.min = numeric.min - range_tolerance * span
            constraint.max = numeric.max + range_tolerance * span
    categorical = column.categorical
    if categorical is not None and categorical.exact and categorical.count:
        constraint.domain = sorted(categorical.frequencies)
        constraint.max_unseen_share = unseen_tolerance
    return constraint


_COLUMN_KEYS = tuple(f.name for f in dataclasses.fields(ColumnConstraint))
_TOP_KEYS = ("row_count", "allow_extra_columns", "severity", "columns")


def load_constraints(path: str | Path, base: Constraints) -> Constraints:
    """`base` with the overrides of a YAML or JSON constraints file applied.

    Top-level keys: row_count {min, max}, allow_extra_columns, severity {check: error|warning},
    columns {name: {constraint keys} or null to ignore the column}.
    """
    data = _read(os.fspath(path))
    result = dataclasses.replace(
        base,
        columns={k: dataclasses.replace(v) for k, v in base.columns.items()},
        ignored_columns=list(base.ignored_columns),
        severity=dict(base.severity),
    )
    _check_keys(data, _TOP_KEYS, "constraints file")
    if "row_count" in data:
        bounds = _mapping(data["row_count"], "row_count")
        _check_keys(bounds, ("min", "max"), "row_count")
        result.min_rows = _opt_int(bounds.get("min", result.min_rows), "row_count.min")
        result.max_rows = _opt_int(bounds.get("max", result.max_rows), "row_count.max")
    if "allow_extra_columns" in data:
        result.allow_extra_columns = _bool(data["allow_extra_columns"], "allow_extra_columns")
    for check, severity in _mapping(data.get("severity", {}), "severity").items():
        _check_keys({check: None}, tuple(DEFAULT_SEVERITY), "severity")
        if severity not in SEVERITIES:
            raise InputError(
                f"severity.{check}: {severity!r} is not one of {', '.join(SEVERITIES)}",
                param=f"severity.{check}",
            )
        result.severity[check] = severity
    for name, overrides in _mapping(data.get("columns", {}), "columns").items():
        _apply_column(result, str(name), overrides)
    return result


def _apply_column(result: Constraints, name: str, overrides: Any) -> None:
    if name not in result.columns and name not in result.ignored_columns:
        raise InputError(
            f"columns.{name}: not a column of the profile; columns: {', '.join(result.columns)}",
            param=f"columns.{name}",
        )
    if overrides is None:
        result.columns.pop(name, None)
        result.ignored_columns.append(name)
        return
    overrides = _mapping(overrides, f"columns.{name}")
    _check_keys(overrides, _COLUMN_KEYS, f"columns.{name}")
    constraint = result.columns[name]
    for key, value in overrides.items():
        where = f"columns.{name}.{key}"
        if key == "kind":
            value = parse_kind(str(value)).value
        elif key in ("required", "allow_non_finite"):
            value = _bool(value, where)
        elif key in ("min", "max", "max_null_share", "max_unseen_share"):
            value = _opt_float(value, where)
        elif key == "domain" and value is not None:
            if not isinstance(value, list):
                raise InputError(f"{where}: expected a list of values or null", param=where)
            value = [_label(v) for v in value]
        setattr(constraint, key, value)


def _read(path: str) -> dict[str, Any]:
    text = storage.read_text(path, what="constraints")
    is_json = path.lower().endswith(".json")
    try:
        data = json.loads(text) if is_json else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise DataSourceError(
            f"constraints {path} is not valid {'JSON' if is_json else 'YAML'}: {exc}",
            param="constraints",
        ) from exc
    return dict(_mapping(data or {}, "constraints file"))


def _check_keys(data: Mapping[str, Any], valid: tuple[str, ...], where: str) -> None:
    for key in data:
        if key not in valid:
            raise InputError(
                f"{where}: unknown key {key!r}; valid keys: {', '.join(valid)}", param=str(key)
            )


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InputError(f"{where}: expected a mapping, got {value!r}", param=where)
    return value


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(f"{where}: expected true or false, got {value!r}", param=where)
    return value


def _opt_float(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{where}: expected a number or null, got {value!r}", param=where)
    return float(value)


def _opt_int(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(
            f"{where}: expected a whole number >= 0 or null, got {value!r}", param=where
        )
    return value


def _label(value: Any) -> str:
    """A domain value as the profile spells it (booleans are "true"/"false")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
