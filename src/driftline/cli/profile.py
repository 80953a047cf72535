"""`driftline profile`: write the baseline profile of a table."""

from __future__ import annotations

import click

from driftline.cli.app import main
from driftline.cli.options import shows_progress, split_names
from driftline.errors import InputError


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
@shows_progress
def profile_command(
    data: str,
    out: str,
    format_: str | None,
    columns: str | None,
    kinds: tuple[str, ...],
    like: str | None,
) -> None:
    """Profile DATA in one streaming pass and write a mergeable baseline profile to --out.

    With --like, DATA is a window: its profile has the baseline's options and kinds, and
    `validate` and `drift` take it as --current, so the window is read once for both.
    """
    from driftline.profile.run import write_profile, write_window_profile

    if like is not None:
        if kinds:
            raise InputError(
                "--kind and --like exclude each other: a window takes its baseline profile's kinds",
                param="--kind",
            )
        window = write_window_profile(data, like, out, format=format_, columns=split_names(columns))
        click.echo(f"profiled {window.row_count} rows, {len(window.columns)} columns -> {out}")
        return
    profile = write_profile(
        data,
        out,
        format=format_,
        columns=split_names(columns),
        kinds=_kind_overrides(kinds) or None,
    )
    click.echo(f"profiled {profile.row_count} rows, {len(profile.columns)} columns -> {out}")
