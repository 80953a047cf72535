"""The `driftline` command group and its error-to-exit-code mapping.

Exit codes: 0 ran (drift or not), 2 bad input, 1 internal error,
3 drift found with `--fail-on-drift`.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from driftline import __version__
from driftline.errors import DriftlineError
from driftline.exits import (
    EXIT_BAD_INPUT,
    EXIT_DRIFT,
    EXIT_INTERNAL,
    EXIT_OK,
    error_line,
    exit_code,
)

__all__ = ["EXIT_BAD_INPUT", "EXIT_DRIFT", "EXIT_INTERNAL", "EXIT_OK", "DriftlineGroup", "main"]


class DriftlineGroup(click.Group):
    """A click group that turns driftline errors into one line and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DriftlineError as exc:
            click.echo(error_line(exc), err=True)
            sys.exit(exit_code(exc))


@click.group(cls=DriftlineGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="driftline")
def main() -> None:
    """driftline: data validation, drift and performance monitoring for Kubeflow Pipelines."""
