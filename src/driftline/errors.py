"""Exceptions raised by driftline.

Each subclasses the built-in it refines (attrs style) and carries the data a
caller needs. The CLI and components map `InputError` to exit code 2 and print
the message alone: messages name what is wrong and what would be valid.

A message names a parameter in backticks, `name` or `name=value`, so that each caller
spells it in its own terms: Python and components as `name=value`, the CLI as its flag
(`--name value`, see `driftline.cli.app`). `str(error)` gives the Python spelling.
"""

from __future__ import annotations

import re
from collections.abc import Callable

PARAM_REFERENCE = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)(?:=([^`]*))?`")

Spelling = Callable[[str, "str | None"], str]
"""How a caller names a parameter: (name, value or None) -> text."""


def python_spelling(name: str, value: str | None) -> str:
    """`name` or `name=value`, as a Python caller or a component's parameter list has it."""
    return name if value is None else f"{name}={value}"


def spell_parameters(text: str, spelling: Spelling = python_spelling) -> str:
    """`text` with every parameter reference (`name` / `name=value`) spelled by `spelling`."""
    return PARAM_REFERENCE.sub(lambda match: spelling(match[1], match[2]), text)


class DriftlineError(Exception):
    """Base class of every error driftline raises on purpose."""

    def __str__(self) -> str:
        return self.spelled(python_spelling)

    def spelled(self, spelling: Spelling) -> str:
        """The message with its parameter references spelled for a caller (CLI, component)."""
        text = str(self.args[0]) if len(self.args) == 1 else super().__str__()
        return spell_parameters(text, spelling)


class InputError(DriftlineError, ValueError):
    """Bad input from the user: a parameter, a file, a column, a value.

    `param` names the offending parameter/column/file when there is one.
    """

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


class DataSourceError(InputError):
    """A data source is missing, unreadable, corrupt or of an unknown format."""


class OutputError(InputError):
    """An output cannot be written where asked: permission, a file in the way of a folder (or
    a folder where a file is needed), a full disk. Nothing was written."""


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


class StoreError(DriftlineError, ConnectionError):
    """The lineage store (ML Metadata) is unreachable or incompatible."""


class LineageError(DriftlineError, LookupError):
    """A model's lineage is missing or ambiguous."""


class UnsupportedTypeError(InputError, TypeError):
    """A value of a type the target (e.g. an ML Metadata property) cannot hold."""


class PlatformError(DriftlineError, ConnectionError):
    """A platform API (Kubeflow Pipelines, ...) is unreachable or refused a request."""


class PayloadError(InputError):
    """A captured record (SageMaker Data Capture, ground truth) that cannot become rows; the
    readers count it, with this message as its reason, instead of failing the read."""


class MalformedEventError(InputError):
    """An HTTP request or a captured record is not a KServe logger event that can be stored
    or read (bad CloudEvent attributes, an unreadable or hostile payload)."""


class NotDeployedError(DriftlineError, LookupError):
    """An approved model package serves no endpoint yet; retrying later can help."""


class DeliveryAuthError(DriftlineError, PermissionError):
    """An event delivery without the receiver's token (or with another one)."""
