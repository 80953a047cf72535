"""`driftline profile`: write the baseline profile of a table."""

from __future__ import annotations

import click

from driftline.cli.app import main
from driftline.cli.options import split_names
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
def profile_command(
    data: str, out: str, format_: str | None, columns: str | None, kinds: tuple[str, ...]
) -> None:
    """Profile DATA in one streaming pass and write a mergeable baseline profile to --out."""
    from driftline.profile.run import write_profile

    profile = write_profile(
        data,
        out,
        format=format_,
        columns=split_names(columns),
        kinds=_kind_overrides(kinds) or None,
    )
    click.echo(f"profiled {profile.row_count} rows, {len(profile.columns)} columns -> {out}")
