"""`driftline profile`: write the baseline profile of a table."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from driftline.cli.app import main
from driftline.cli.options import shows_progress, split_names
from driftline.errors import InputError

if TYPE_CHECKING:
    from driftline.profile import DatasetProfile


def _kind_overrides(values: tuple[str, ...]) -> dict[str, str]:
    kinds = {}
    for value in values:
        column, sep, kind = value.partition("=")
        if not sep or not column or not kind:
            raise InputError(f"--kind expects COLUMN=KIND, got {value!r}", param="--kind")
        kinds[column] = kind
    return kinds


@main.command("profile")
@click.argument("data")
@click.option("--out", "out", required=True, help="Where to write the profile JSON.")
@click.option("--format", "format_", default=None, help="parquet, csv or jsonl (default: suffix).")
@click.option("--columns", default=None, help="Comma-separated columns to profile (default: all).")
@click.option("--kind", "kinds", multiple=True, help="Override a column's kind: COLUMN=KIND.")
@click.option(
    "--like",
    metavar="PROFILE",
    help="Profile a window like this baseline profile (its options and kinds), for "
    "`validate --current` and `drift --current`.",
)
@click.option(
    "--calibration-window",
    metavar="WINDOW",
    help="Store thresholds calibrated on DATA: chunks the size of the monitoring window, a "
    "row count (500) or a period on --timestamp-column (6h, 1d, 1w); see docs/drift.md.",
)
@click.option("--timestamp-column", help="Orders DATA in time and cuts period chunks.")
@click.option(
    "--method",
    multiple=True,
    metavar="[COLUMN=]NAME",
    help="The drift method(s) the calibration scores, as for `drift --method` (default auto).",
)
@shows_progress
def profile_command(
    data: str,
    out: str,
    format_: str | None,
    columns: str | None,
    kinds: tuple[str, ...],
    like: str | None,
    calibration_window: str | None,
    timestamp_column: str | None,
    method: tuple[str, ...],
) -> None:
    """Profile DATA in one streaming pass and write a mergeable baseline profile to --out.

    With --like, DATA is a window: its profile has the baseline's options and kinds, and
    `validate` and `drift` take it as --current, so the window is read once for both.
    With --calibration-window the profile also stores each column's null distribution of
    its drift score, so `drift --reference-profile` judges against calibrated thresholds.
    """
    from driftline.drift.options import parse_assignments
    from driftline.profile.run import write_profile, write_window_profile

    if (method or timestamp_column) and not calibration_window:
        raise InputError(
            "--method and --timestamp-column only serve --calibration-window; give it too",
            param="--calibration-window",
        )
    if like is not None:
        if kinds:
            raise InputError(
                "--kind and --like exclude each other: a window takes its baseline profile's kinds",
                param="--kind",
            )
        if calibration_window:
            raise InputError(
                "--calibration-window and --like exclude each other: a baseline is calibrated, "
                "not a window",
                param="--calibration-window",
            )
        window = write_window_profile(data, like, out, format=format_, columns=split_names(columns))
        click.echo(f"profiled {window.row_count} rows, {len(window.columns)} columns -> {out}")
        return
    finish = None
    if calibration_window:
        from driftline.drift.baseline import calibrate_baseline

        methods = parse_assignments(method, "method") or "auto"

        def finish(profile: DatasetProfile) -> DatasetProfile:
            return calibrate_baseline(
                profile,
                data,
                calibration_window,
                timestamp_column=timestamp_column,
                method=methods,
                format=format_,
            )

    profile = write_profile(
        data,
        out,
        format=format_,
        columns=split_names(columns),
        kinds=_kind_overrides(kinds) or None,
        finish=finish,
    )
    click.echo(f"profiled {profile.row_count} rows, {len(profile.columns)} columns -> {out}")
    if profile.calibration is not None:
        click.echo(
            f"calibrated on {profile.calibration.chunks} chunks of {calibration_window} "
            f"({len(profile.calibration.columns)} columns)"
        )
