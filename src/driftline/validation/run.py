"""One call for components and the CLI: validate a window against a baseline profile."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from driftline.io import ColumnKind, kind_of_type, open_dataset
from driftline.profile import DatasetProfile, can_profile_as, profile_source, read_profile_if_any
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

    `current_source` may also be a window profile (e.g. merged from partitions): it is
    checked as it is.

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
    wanted = set(columns or ())
    if wanted:
        constraints.columns = {k: v for k, v in constraints.columns.items() if k in wanted}
    window = read_profile_if_any(current_source)  # e.g. merged from partitions
    if window is not None:
        if wanted:
            window.columns = {k: v for k, v in window.columns.items() if k in wanted}
    else:
        schema = open_dataset(current_source, format).schema
        if wanted:
            schema = pa.schema([field for field in schema if field.name in wanted])
        window = profile_source(
            current_source,
            format=format,
            columns=schema.names,
            kinds=window_kinds(constraints, schema),
            timestamp_column=timestamp_column,
            start=start,
            end=end,
            **vars(baseline.options),
        )
    result = validate_profile(constraints, window)
    result.dump(out_dir, html=render_validation_html(result))
    return result


def window_kinds(constraints: Constraints, schema: pa.Schema) -> dict[str, ColumnKind]:
    """Kinds to profile a window with: the baseline's kind wherever the window's type allows it.

    A column whose type no longer fits (numbers arriving as strings) keeps its inferred kind, so
    the kind check reports the change.
    """
    kinds = {}
    for field in schema:
        constraint = constraints.columns.get(field.name)
        kind = ColumnKind(constraint.kind) if constraint else kind_of_type(field.type)
        kinds[field.name] = kind if can_profile_as(kind, field.type) else kind_of_type(field.type)
    return kinds
