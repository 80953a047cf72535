"""`driftline validate`: check a data window against a baseline profile."""

from __future__ import annotations

import sys
from datetime import datetime

import click

from driftline.cli.app import EXIT_DRIFT, main
from driftline.cli.options import shows_progress, split_names

EXIT_VALIDATION_FAILED = EXIT_DRIFT  # 3: the check ran and found errors (--fail-on-error)


@main.command("validate")
@click.option("--profile", "profile_path", required=True, help="Baseline profile JSON.")
@click.option("--current", required=True, help="The window to check (file, folder or URI).")
@click.option("--out", "out_dir", required=True, help="Folder for validation_report.json/.html.")
@click.option("--constraints", "constraints_path", default=None, help="YAML/JSON overrides.")
@click.option("--format", "format_", default=None, help="parquet, csv or jsonl (default: suffix).")
@click.option(
    "--columns",
    default=None,
    help="Comma-separated window columns to check (default: all; other columns are extra).",
)
@click.option(
    "--expected-rows",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Rows the window should hold: warns outside +-50%; 0 checks only that it is not empty.",
)
@click.option("--timestamp-column", default=None, help="Column that places rows in time.")
@click.option("--start", type=click.DateTime(), default=None, help="Window start (inclusive).")
@click.option("--end", type=click.DateTime(), default=None, help="Window end (exclusive).")
@click.option("--fail-on-error", is_flag=True, help="Exit 3 when the status is fail.")
@shows_progress
def validate_command(
    profile_path: str,
    current: str,
    out_dir: str,
    constraints_path: str | None,
    format_: str | None,
    columns: str | None,
    expected_rows: int,
    timestamp_column: str | None,
    start: datetime | None,
    end: datetime | None,
    fail_on_error: bool,
) -> None:
    """Validate the --current window against --profile; write the report into --out."""
    from driftline.validation import run_validation

    result = run_validation(
        profile_path,
        current,
        out_dir,
        constraints_path,
        format=format_,
        columns=split_names(columns),
        expected_rows=expected_rows,
        timestamp_column=timestamp_column,
        start=start,
        end=end,
    )
    counts = result.counts
    click.echo(
        f"status {result.status}: {counts['error']} error(s), {counts['warning']} warning(s) "
        f"on {result.rows} rows -> {out_dir}"
    )
    if fail_on_error and result.status == "fail":
        sys.exit(EXIT_VALIDATION_FAILED)
