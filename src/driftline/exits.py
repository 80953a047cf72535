"""How a driftline error ends a process: one `error: ...` line and an exit code.

Shared by the CLI and the KFP components, so a component's log shows exactly the
line the CLI prints for the same input, instead of a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from driftline.errors import DriftlineError, InputError

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2
EXIT_DRIFT = 3


def error_line(exc: DriftlineError) -> str:
    """The one line that reports `exc` to a person: `error: <message>`."""
    return f"error: {exc}"


def exit_code(exc: DriftlineError) -> int:
    """2 for bad input (`InputError`), 1 for any other driftline error."""
    return EXIT_BAD_INPUT if isinstance(exc, InputError) else EXIT_INTERNAL


@contextmanager
def exit_on_error() -> Iterator[None]:
    """Turn a driftline error raised inside the block into one stderr line and an exit.

    Used around a component's library call: the task fails with the CLI's message
    and exit code, and no traceback. Other exceptions (bugs) keep their traceback.
    """
    try:
        yield
    except DriftlineError as exc:
        print(error_line(exc), file=sys.stderr, flush=True)
        raise SystemExit(exit_code(exc)) from None
