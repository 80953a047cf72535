"""Progress of long reads: rows and bytes read, and the current phase.

The readers report (`phase("profiling reference")`, `advance(rows, nbytes)`); whoever runs
them chooses how it is shown, for the calls inside a `with showing(reporter):` block:

- `TerminalProgress`: a live tqdm line on stderr, for the CLI when stderr is a terminal;
- `LogProgress`: a plain log line at most every `interval` seconds (and when a phase ends),
  so a long KFP task shows it is alive without flooding its log.

Without a reporter (a library call, a test) reporting costs one context-variable lookup.
"""

from __future__ import annotations

import contextlib
import contextvars
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, Protocol, TypeVar

T = TypeVar("T")


class Reporter(Protocol):
    """Receives progress: a new phase, then rows and bytes read in it."""

    def phase(self, name: str) -> None: ...

    def advance(self, rows: int, nbytes: int) -> None: ...

    def close(self) -> None: ...


_current: contextvars.ContextVar[Reporter | None] = contextvars.ContextVar(
    "driftline_progress", default=None
)


@contextlib.contextmanager
def showing(reporter: Reporter | None) -> Iterator[None]:
    """Send the progress of the reads inside the block to `reporter` (None: nowhere)."""
    token = _current.set(reporter)
    try:
        yield
    finally:
        _current.reset(token)
        if reporter is not None:
            reporter.close()


def phase(name: str) -> None:
    """Start a phase (e.g. "reading current window")."""
    reporter = _current.get()
    if reporter is not None:
        reporter.phase(name)


def advance(rows: int, nbytes: int) -> None:
    """Count `rows` rows and `nbytes` bytes read in the current phase."""
    reporter = _current.get()
    if reporter is not None:
        reporter.advance(rows, nbytes)


def counted(batches: Iterable[T], name: str | None = None) -> Iterator[T]:
    """Pass record batches through, counting each one's rows and bytes; `name` starts a
    phase when the first batch is asked for."""
    if name is not None:
        phase(name)
    for batch in batches:
        advance(int(getattr(batch, "num_rows", 0)), int(getattr(batch, "nbytes", 0)))
        yield batch


def size(nbytes: float) -> str:
    """Bytes for people: 1536 -> 1.5 KB."""
    for unit in ("B", "KB", "MB", "GB"):
        if abs(nbytes) < 1024 or unit == "GB":
            return f"{nbytes:.0f} {unit}" if unit == "B" else f"{nbytes:.1f} {unit}"
        nbytes /= 1024
    raise AssertionError("unreachable")


class LogProgress:
    """Progress as log lines, at most one every `interval` seconds, plus one per finished
    phase: `driftline: reading window: 1,200,000 rows, 96.0 MB in 12 s`."""

    def __init__(
        self,
        write: Callable[[str], None] | None = None,
        interval: float = 15.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._write = write or (lambda line: print(line, file=sys.stderr, flush=True))
        self._interval = interval
        self._clock = clock
        self._name = ""
        self._rows = self._bytes = 0
        self._started = self._last = clock()

    def phase(self, name: str) -> None:
        self._finish()
        self._name, self._rows, self._bytes = name, 0, 0
        self._started = self._last = self._clock()

    def advance(self, rows: int, nbytes: int) -> None:
        self._rows += rows
        self._bytes += nbytes
        now = self._clock()
        if now - self._last >= self._interval:
            self._last = now
            self._line()

    def close(self) -> None:
        self._finish()

    def _finish(self) -> None:
        if self._rows:
            self._line()
        self._rows = self._bytes = 0

    def _line(self) -> None:
        took = self._clock() - self._started
        name = self._name or "reading"
        self._write(f"driftline: {name}: {self._rows:,} rows, {size(self._bytes)} in {took:.0f} s")


class TerminalProgress:
    """A live line on a terminal (tqdm): the phase, rows read, their rate and bytes."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self._stream = stream or sys.stderr
        self._bar: Any = None
        self._bytes = 0

    def phase(self, name: str) -> None:
        from tqdm import tqdm

        self.close()
        self._bytes = 0
        self._bar = tqdm(
            desc=name, unit=" rows", unit_scale=True, file=self._stream, leave=True,
            dynamic_ncols=True, mininterval=0.2,
        )  # fmt: skip

    def advance(self, rows: int, nbytes: int) -> None:
        if self._bar is None:
            self.phase("reading")
        self._bytes += nbytes
        self._bar.set_postfix_str(size(self._bytes), refresh=False)
        self._bar.update(rows)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def for_terminal(quiet: bool = False, stream: IO[str] | None = None) -> Reporter | None:
    """The CLI's reporter: a live line when `stream` (stderr) is a terminal and not `quiet`,
    else none."""
    stream = stream or sys.stderr
    if quiet or not stream.isatty():
        return None
    return TerminalProgress(stream)
