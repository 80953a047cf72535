"""Option value formats and options shared by the commands."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from driftline import progress

T = TypeVar("T")


def split_names(value: str | None) -> list[str] | None:
    """The names in a comma-separated option value ("a, b,c"); None when not given."""
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def shows_progress(command: Callable[..., T]) -> Callable[..., T]:
    """Give a command `--quiet` and show its reads' progress (phase, rows, bytes) on stderr
    while stderr is a terminal. Put it directly above the function."""

    @functools.wraps(command)
    def run(*args: Any, quiet: bool, **kwargs: Any) -> T:
        with progress.showing(progress.for_terminal(quiet)):
            return command(*args, **kwargs)

    option = click.option(
        "--quiet",
        "-q",
        is_flag=True,
        help="No progress on stderr (shown only when stderr is a terminal anyway).",
    )
    return option(run)
