"""The `driftline` command group and its error-to-exit-code mapping.

Exit codes: 0 ran (drift or not), 2 bad input, 1 internal error,
3 drift found with `--fail-on-drift`. An error names parameters by the command's own
flags (`--timestamp-column`, not `timestamp_column`): see `flag_spelling`.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from driftline import __version__
from driftline.errors import DriftlineError, Spelling, python_spelling
from driftline.exits import (
    EXIT_BAD_INPUT,
    EXIT_DRIFT,
    EXIT_INTERNAL,
    EXIT_OK,
    error_line,
    exit_code,
)

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_DRIFT",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "DriftlineCommand",
    "DriftlineGroup",
    "flag_spelling",
    "main",
]


def flag_spelling(command: click.Command) -> Spelling:
    """Spell a library parameter as `command`'s flag or argument.

    A parameter is known by the option's Python name (`out_dir`, `format_` -> `format`) or by
    its flag (`--out` -> `out`); `name=value` becomes `--flag value`. A name the command has
    no flag for keeps its Python spelling.
    """
    labels: dict[str, str] = {}
    for param in command.params:
        names = {param.name or "", (param.name or "").rstrip("_")}
        if isinstance(param, click.Option):
            label = max(param.opts, key=len)
            names |= {opt.lstrip("-").replace("-", "_") for opt in param.opts}
        else:
            label = param.human_readable_name
        for name in names - {""}:
            labels.setdefault(name, label)

    def spell(name: str, value: str | None) -> str:
        label = labels.get(name)
        if label is None:
            return python_spelling(name, value)
        if value is None:
            return label
        return f"{label} {_unquoted(value)}"

    return spell


def _unquoted(value: str) -> str:
    quoted = len(value) >= 2 and value[0] == value[-1] and value[0] in "'\""
    return value[1:-1] if quoted else value


def _fail(exc: DriftlineError, spelling: Spelling = python_spelling) -> None:
    click.echo(error_line(exc, spelling), err=True)
    sys.exit(exit_code(exc))


class DriftlineCommand(click.Command):
    """A command that turns driftline errors into one line naming its flags, and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DriftlineError as exc:
            _fail(exc, flag_spelling(self))


class DriftlineGroup(click.Group):
    """A click group whose commands (and sub-groups) are `DriftlineCommand`s."""

    command_class = DriftlineCommand
    group_class = type  # sub-groups are DriftlineGroups too

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DriftlineError as exc:  # raised by a group's own callback
            _fail(exc)


@click.group(cls=DriftlineGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="driftline")
def main() -> None:
    """driftline: data validation, drift and performance monitoring for Kubeflow Pipelines."""
