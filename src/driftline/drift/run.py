"""run_drift: read the data, check drift, write drift_report.json + drift_report.html."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

from driftline.drift.engine import (
    Outcome,
    check_drift,
    check_rows,
    column_outcomes,
    select_columns,
    sort_outcomes,
)
from driftline.drift.html import render_drift_html
from driftline.drift.options import per_column
from driftline.drift.result import DriftResult
from driftline.errors import InputError
from driftline.io import detect_format, iter_batches, open_dataset, read_table
from driftline.report import ReportPaths

# Columns read (and checked) per task: one column of a long table, several of a wide one, so
# that opening the file (parsing its footer) is not paid per column. About 2M values a side.
VALUES_PER_READ = 2_000_000


def run_drift(
    *,
    current: str,
    out_dir: str | Path | ReportPaths,
    reference: str | None = None,
    reference_profile: str | None = None,
    columns: Sequence[str] | None = None,
    kinds: Mapping[str, str] | None = None,
    method: str | Mapping[str, str] = "auto",
    threshold: float | Mapping[str, float] | None = None,
    drift_share: float = 0.5,
    prediction_column: str | None = None,
    timestamp_column: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    format: str | None = None,
    reference_format: str | None = None,
) -> DriftResult:
    """Check the `current` window against `reference` data (exact mode) or a
    `reference_profile` JSON (profile mode, current streamed) and write the report.

    The time window [start, end) on `timestamp_column` filters the current data; the
    timestamp column itself is not checked. Nothing is written if any input is bad.
    """
    if (reference is None) == (reference_profile is None):
        raise InputError(
            "give exactly one of `reference` (data) and `reference_profile` (profile.json)",
            param="reference",
        )
    if reference_profile is not None:
        from driftline.profile import DatasetProfile

        profile = DatasetProfile.load(reference_profile)
        names = _columns(columns, list(profile.columns), timestamp_column, prediction_column)
        batches = iter_batches(
            current,
            format=format,
            columns=names,
            timestamp_column=timestamp_column,
            start=start,
            end=end,
        )
        result = check_drift(
            profile,
            batches,
            columns=columns,
            exclude=[timestamp_column] if timestamp_column else [],
            kinds=kinds,
            method=method,
            threshold=threshold,
            drift_share=drift_share,
            prediction_column=prediction_column,
        )
    else:
        assert reference is not None
        result = _check_exact(
            reference,
            current,
            reference_format=reference_format or format,
            format=format,
            columns=columns,
            kinds=kinds,
            method=method,
            threshold=threshold,
            drift_share=drift_share,
            prediction_column=prediction_column,
            timestamp_column=timestamp_column,
            start=start,
            end=end,
        )
    result.dump(out_dir, html=render_drift_html(result))
    return result


def _columns(
    columns: Sequence[str] | None,
    available: list[str],
    timestamp_column: str | None,
    prediction_column: str | None,
) -> list[str] | None:
    if columns is not None:
        chosen = list(columns)
        if prediction_column is not None and prediction_column not in chosen:
            chosen.append(prediction_column)
        return chosen
    return [c for c in available if c != timestamp_column]


def _check_exact(
    reference: str,
    current: str,
    *,
    reference_format: str | None,
    format: str | None,
    columns: Sequence[str] | None,
    kinds: Mapping[str, str] | None,
    method: str | Mapping[str, str],
    threshold: float | Mapping[str, float] | None,
    drift_share: float,
    prediction_column: str | None,
    timestamp_column: str | None,
    start: datetime | None,
    end: datetime | None,
) -> DriftResult:
    """Exact mode a few columns at a time (Parquet projects columns cheaply; other formats are
    read once), in parallel, so peak memory holds a few columns per core, not the table."""
    if not 0.0 < drift_share <= 1.0:
        raise InputError(f"`drift_share` {drift_share!r} must be in (0, 1]", param="drift_share")
    reference_schema = open_dataset(reference, reference_format).schema
    current_dataset = open_dataset(current, format)
    current_schema = current_dataset.schema
    exclude = [timestamp_column] if timestamp_column else []
    names, skipped = select_columns(
        reference_schema, current_schema, columns, kinds, prediction_column, exclude
    )
    methods = per_column(method, names, "method")
    thresholds = per_column(threshold, names, "threshold")
    strict = [*(columns or []), *([prediction_column] if prediction_column else [])]
    per_read = max(len(names), 1)
    if detect_format(current, format) == "parquet":
        longest = max(current_dataset.count_rows(), 1)
        per_read = min(max(VALUES_PER_READ // longest, 1), per_read)
    groups = [names[i : i + per_read] for i in range(0, len(names), per_read)] or [[]]
    cores = os.cpu_count() or 1
    rows: list[tuple[int, int]] = []

    def check_group(group: list[str]) -> list[Outcome]:
        ref = read_table(reference, format=reference_format, columns=group)
        cur = read_table(
            current,
            format=format,
            columns=group,
            timestamp_column=timestamp_column,
            start=start,
            end=end,
        )
        check_rows(ref.num_rows, cur.num_rows)
        rows.append((ref.num_rows, cur.num_rows))
        return column_outcomes(
            ref,
            cur,
            group,
            kinds=kinds,
            methods=methods,
            thresholds=thresholds,
            strict=strict,
            workers=cores if len(groups) == 1 else 1,
        )

    # Each task reads its columns from both sides and checks them, so reading and scoring
    # overlap and memory holds a few columns per core, not the table.
    with ThreadPoolExecutor(min(cores, len(groups))) as pool:
        outcomes = [o for group in pool.map(check_group, groups) for o in group]
    results, too_many = sort_outcomes(outcomes)
    reference_rows, current_rows = rows[0]
    skipped += too_many
    return DriftResult(
        columns=results,
        drift_share_threshold=drift_share,
        mode="exact",
        reference_rows=reference_rows,
        current_rows=current_rows,
        prediction_column=prediction_column,
        skipped=skipped,
    )
