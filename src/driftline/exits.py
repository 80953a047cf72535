"""How a driftline error ends a process: one `error: ...` line and an exit code.

Shared by the CLI and the KFP components, so a component's log shows exactly the
line the CLI prints for the same input, instead of a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from driftline import progress
from driftline.errors import DriftlineError, InputError, Spelling, python_spelling

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2
EXIT_DRIFT = 3

# Library parameters that every component takes under another name.
COMPONENT_NAMES = {"format": "data_format"}


def error_line(exc: DriftlineError, spelling: Spelling = python_spelling) -> str:
    """The one line that reports `exc` to a person: `error: <message>`, with parameters
    named as the caller knows them (`spelling`; default: Python parameter names)."""
    return f"error: {exc.spelled(spelling)}"


def exit_code(exc: DriftlineError) -> int:
    """2 for bad input (`InputError`), 1 for any other driftline error."""
    return EXIT_BAD_INPUT if isinstance(exc, InputError) else EXIT_INTERNAL


@contextmanager
def exit_on_error(renames: Mapping[str, str] | None = None) -> Iterator[None]:
    """Turn a driftline error raised inside the block into one stderr line and an exit.

    Used around a component's library call: the task fails with the CLI's message
    and exit code, and no traceback. Other exceptions (bugs) keep their traceback.
    The line names parameters as the component does: `COMPONENT_NAMES`, plus `renames`
    (library parameter -> component parameter) where one component differs. The block's
    reads log their progress (`driftline.progress.LogProgress`), so a long task shows it is
    alive.
    """
    names = {**COMPONENT_NAMES, **(renames or {})}
    try:
        with progress.showing(progress.LogProgress()):
            yield
    except DriftlineError as exc:
        line = error_line(exc, lambda name, value: python_spelling(names.get(name, name), value))
        print(line, file=sys.stderr, flush=True)
        raise SystemExit(exit_code(exc)) from None
