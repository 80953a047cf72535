"""One call for components and the CLI: validate a window against a baseline profile."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from driftline.errors import InputError
from driftline.io import ColumnKind, open_dataset
from driftline.profile import (
    DatasetProfile,
    adopted_kinds,
    check_window_profile,
    profile_source,
    read_profile_if_any,
)
from driftline.report import ReportPaths
from driftline.validation.checks import ValidationResult, validate_profile
from driftline.validation.constraints import Constraints, infer_constraints, load_constraints
from driftline.validation.html import render_validation_html


def run_validation(
    profile_path: str | Path,
    current_source: str,
    out_dir: str | Path | ReportPaths,
    constraints_path: str | Path | None = None,
    *,
    format: str | None = None,
    timestamp_column: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    columns: Sequence[str] | None = None,
    expected_rows: int | None = None,
) -> ValidationResult:
    """Profile `current_source` in one pass, check it, write validation_report.json/.html.

    `current_source` may also be the window's profile (from `profile_window`, or merged from
    partitions): it is then checked without reading the window again.

    Constraints are inferred from the baseline profile, then overridden by `constraints_path`
    (YAML or JSON) when given. `columns` limits the check to those columns
    (e.g. the model's features): other window columns are not extra, other baseline
    columns are not expected; a listed column missing from the window is still reported.
    `expected_rows` sets the row-count bounds (see `infer_constraints`). Nothing is written
    if an input is bad.
    """
    baseline = DatasetProfile.load(profile_path)
    constraints = infer_constraints(baseline, expected_rows=expected_rows)
    if constraints_path is not None:
        constraints = load_constraints(constraints_path, constraints)
    window = read_profile_if_any(current_source)
    if window is not None:
        _refuse_cut(timestamp_column, start, end)
        if columns:
            wanted = set(columns)
            constraints.columns = {k: v for k, v in constraints.columns.items() if k in wanted}
        window = check_window_profile(window, baseline, columns)
    else:
        window = _profile(current_source, baseline, constraints, format, columns,
                          timestamp_column, start, end)  # fmt: skip
    result = validate_profile(constraints, window)
    result.dump(out_dir, html=render_validation_html(result))
    return result


def _refuse_cut(timestamp_column: str | None, start: datetime | None, end: datetime | None) -> None:
    if timestamp_column or start or end:
        raise InputError(
            "the current input is a window profile, already cut to its window: drop "
            "--timestamp-column/--start/--end, or give the window's data",
            param="timestamp_column",
        )


def _profile(
    source: str,
    baseline: DatasetProfile,
    constraints: Constraints,
    format: str | None,
    columns: Sequence[str] | None,
    timestamp_column: str | None,
    start: datetime | None,
    end: datetime | None,
) -> DatasetProfile:
    schema = open_dataset(source, format).schema
    if columns:
        wanted = set(columns)
        schema = pa.schema([field for field in schema if field.name in wanted])
        constraints.columns = {k: v for k, v in constraints.columns.items() if k in wanted}
    return profile_source(
        source,
        format=format,
        columns=schema.names,
        kinds=window_kinds(constraints, schema),
        timestamp_column=timestamp_column,
        start=start,
        end=end,
        **vars(baseline.options),
    )


def window_kinds(constraints: Constraints, schema: pa.Schema) -> dict[str, ColumnKind]:
    """Kinds to profile a window with: the constrained kind wherever the window's type allows
    it (see `adopted_kinds`)."""
    return adopted_kinds({n: ColumnKind(c.kind) for n, c in constraints.columns.items()}, schema)
