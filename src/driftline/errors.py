"""Exceptions raised by driftline.

Each subclasses the built-in it refines (attrs style) and carries the data a
caller needs. The CLI and components map `InputError` to exit code 2 and print
the message alone: messages name what is wrong and what would be valid.
"""

from __future__ import annotations


class DriftlineError(Exception):
    """Base class of every error driftline raises on purpose."""


class InputError(DriftlineError, ValueError):
    """Bad input from the user: a parameter, a file, a column, a value.

    `param` names the offending parameter/column/file when there is one.
    """

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


class DataSourceError(InputError):
    """A data source is missing, unreadable, corrupt or of an unknown format."""


class SchemaMismatchError(InputError):
    """Reference and current data disagree on columns or types."""


class EmptyDataError(InputError):
    """A table or window holds no rows (or no usable values) where some are needed."""


class UnknownNameError(InputError, KeyError):
    """A name (method, metric, kind, format) is not one of the valid ones."""

    def __init__(self, what: str, name: str, valid: list[str] | tuple[str, ...]) -> None:
        super().__init__(f"unknown {what} {name!r}; valid: {', '.join(sorted(valid))}", param=what)
        self.name = name
        self.valid = tuple(valid)

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0])


class StoreError(DriftlineError, ConnectionError):
    """The lineage store (ML Metadata) is unreachable or incompatible."""


class LineageError(DriftlineError, LookupError):
    """A model's lineage is missing or ambiguous."""
