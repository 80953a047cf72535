"""Temporary files of writes in progress, and their removal when the process is stopped.

A local write goes to `.NAME.<random>.tmp` beside its target (readers skip dot files) and is
renamed into place when whole. A failed write removes its temporary file; so does SIGTERM
(how Kubernetes stops a pod, and how KFP cancels a run): the first write of a process whose
SIGTERM action is still the default installs a handler that removes the temporary files of
writes in progress and then ends the process by SIGTERM, as before. A process with a
SIGTERM handler of its own (a server) keeps it. SIGKILL cannot be caught: what it leaves is
a dot file that no reader takes for data.
"""

from __future__ import annotations

import os
import secrets
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from types import FrameType

_lock = threading.RLock()
_live: set[str] = set()
_critical = 0  # > 0 while files are renamed into place: SIGTERM waits for that to finish
_pending: int | None = None
NAME_LIMIT = 120  # of the target's name inside the temporary name (file names max 255 bytes)


def temp_beside(path: str) -> tuple[int, str]:
    """Create `.NAME.<random>.tmp` beside `path`, mode 0666 less the umask (like any new file);
    returns (open write descriptor, path). It is removed on SIGTERM until `release`d."""
    directory, name = os.path.split(path)
    _install()
    while True:
        tmp = os.path.join(directory, f".{name[:NAME_LIMIT]}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        except FileExistsError:
            continue
        _track(tmp)
        return fd, tmp


def link_beside(path: str) -> str:
    """A second name `.NAME.<random>.tmp` for the file at `path` (a hard link), tracked like a
    temporary file: what a replaced file is kept under until its replacement is certain."""
    directory, name = os.path.split(path)
    while True:
        link = os.path.join(directory, f".{name[:NAME_LIMIT]}.{secrets.token_hex(4)}.tmp")
        try:
            os.link(path, link)
        except FileExistsError:
            continue
        _track(link)
        return link


def temp_local() -> tuple[int, str]:
    """A private temporary file in the system temp folder (staging for an upload)."""
    _install()
    fd, tmp = tempfile.mkstemp(prefix="driftline-", suffix=".tmp")
    _track(tmp)
    return fd, tmp


def remove(path: str) -> None:
    """Delete a temporary file (gone already is fine) and stop tracking it."""
    with suppress(FileNotFoundError):
        os.unlink(path)
    release(path)


def release(path: str) -> None:
    """Stop tracking `path`: it was renamed into place."""
    with _lock:
        _live.discard(path)


def _track(path: str) -> None:
    with _lock:
        _live.add(path)


@contextmanager
def signal_deferred() -> Iterator[None]:
    """Hold a SIGTERM that arrives inside the block until it ends (renames stay together)."""
    global _critical, _pending
    with _lock:
        _critical += 1
    try:
        yield
    finally:
        with _lock:
            _critical -= 1
            signum = _pending if _critical == 0 else None
            if signum is not None:
                _pending = None
        if signum is not None:
            _on_signal(signum, None)


def _install() -> None:
    if threading.current_thread() is not threading.main_thread():
        return  # signal handlers can only be set from the main thread
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _on_signal)


def _on_signal(signum: int, frame: FrameType | None) -> None:
    global _pending
    if _critical:
        _pending = signum
        return
    for path in list(_live):
        with suppress(OSError):
            os.unlink(path)
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
