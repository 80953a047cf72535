"""Publish files whole: a reader finds the old file or the new one, never a part of it.

Local targets are written to a temporary file beside them (see `temps`), flushed to disk and
renamed into place. A new file gets the mode any new file gets (0666 less the umask); a
replaced file keeps its mode. Object-store targets are staged in a local temporary file and
uploaded once it is whole (a store shows an object only when its upload has completed). A
write that fails leaves nothing behind and raises one `OutputError` naming the target and
the problem.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pyarrow.fs as pafs

from driftline.errors import OutputError
from driftline.storage import temps
from driftline.storage.locations import Target, resolve_output

Options = Mapping[str, Any] | None
AnyTarget = TypeVar("AnyTarget", bound=Target)
CHUNK = 8 << 20
_PROBLEMS = {
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the file system is read-only",
    errno.ENOSPC: "no space left on device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EFBIG: "file too large",
    errno.ENAMETOOLONG: "a name in it is too long",
    errno.EISDIR: "it is a folder; give the path of a file",
}
# Errors of the disk itself, whoever met them while writing the temporary file.
_DISK = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG)


def _errno(exc: OSError) -> int | None:
    if exc.errno is not None:
        return exc.errno
    found = re.search(r"errno (\d+)", str(exc), re.IGNORECASE)  # pyarrow puts it in the text
    return int(found.group(1)) if found else None


def _blocking_file(path: str) -> str | None:
    """The nearest existing ancestor of `path` that is a file (so no folder can be made)."""
    parent = os.path.dirname(path)
    while parent and parent != os.path.dirname(parent):
        if os.path.lexists(parent):
            return None if os.path.isdir(parent) else parent
        parent = os.path.dirname(parent)
    return None


def output_error(exc: OSError, target: Target, local: bool = False) -> OutputError:
    """One line for a failed write of `target`: what is in the way (file, permission, disk)."""
    code = _errno(exc)
    problem = _PROBLEMS.get(code) if code is not None else None
    if code in (errno.ENOTDIR, errno.EEXIST) and local:
        blocker = _blocking_file(os.fspath(target).removeprefix("file://"))
        problem = f"{blocker} is a file, not a folder" if blocker else None
    if problem is None and exc.strerror:
        problem = exc.strerror[:1].lower() + exc.strerror[1:]
    if problem is None:
        problem = str(exc) or type(exc).__name__
    return OutputError(f"cannot write {os.fspath(target)}: {problem}", param="out")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view[:CHUNK]) :]


class _Temp:
    """A temporary file being written for `target`: its descriptor until closed, its path."""

    def __init__(self, target: Target, fd: int, tmp: str, local: bool) -> None:
        self.target, self.tmp, self.local = target, tmp, local
        self.fd: int | None = fd

    def write(self, data: bytes) -> None:
        assert self.fd is not None
        try:
            _write_all(self.fd, data)
        except OSError as exc:
            raise output_error(exc, self.target, self.local) from exc

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class _Local(_Temp):
    """A local target: temporary file beside it, renamed into place."""

    def __init__(self, target: Target, path: str) -> None:
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            super().__init__(target, *temps.temp_beside(path), local=True)
        except OSError as exc:
            raise output_error(exc, target, local=True) from exc
        self.path = path
        self.backup: str | None = None

    def commit(self, keep_old: bool) -> None:
        """Flush to disk (a crash after the rename must not leave it empty), rename into place;
        with `keep_old`, the file replaced stays linked under a temporary name for `rollback`."""
        try:
            fd = os.open(self.tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            if os.path.isfile(self.path):
                os.chmod(self.tmp, stat.S_IMODE(os.stat(self.path).st_mode))
                if keep_old:
                    self.backup = temps.link_beside(self.path)
            os.replace(self.tmp, self.path)
        except OSError as exc:
            raise output_error(exc, self.target, local=True) from exc
        temps.release(self.tmp)

    def rollback(self) -> None:
        if self.backup is None:
            os.unlink(self.path)
            return
        os.replace(self.backup, self.path)
        temps.release(self.backup)
        self.backup = None

    def discard(self) -> None:
        self.close()
        temps.remove(self.tmp)
        if self.backup is not None:
            temps.remove(self.backup)


class _Remote(_Temp):
    """An object-store target: staged in a local temporary file, uploaded once whole."""

    def __init__(self, target: Target, filesystem: pafs.FileSystem, path: str) -> None:
        try:
            super().__init__(target, *temps.temp_local(), local=False)
        except OSError as exc:
            raise output_error(exc, target) from exc
        self.filesystem, self.path = filesystem, path
        self.old: bytes | None = None

    def commit(self, keep_old: bool) -> None:
        """Upload; with `keep_old`, the object replaced is kept in memory for `rollback`."""
        try:
            if keep_old and self.filesystem.get_file_info(self.path).is_file:
                with self.filesystem.open_input_stream(self.path) as old:
                    self.old = old.read()
            with (
                pafs.LocalFileSystem().open_input_stream(self.tmp) as source,
                self.filesystem.open_output_stream(self.path) as sink,
            ):
                while chunk := source.read(CHUNK):
                    sink.write(chunk)
        except OSError as exc:
            raise output_error(exc, self.target) from exc

    def rollback(self) -> None:
        if self.old is None:
            self.filesystem.delete_file(self.path)
            return
        with self.filesystem.open_output_stream(self.path) as sink:
            sink.write(self.old)

    def discard(self) -> None:
        self.close()
        temps.remove(self.tmp)


_Staged = _Local | _Remote


def _stage(target: Target, storage_options: Options) -> _Staged:
    filesystem, path = resolve_output(target, storage_options)
    if isinstance(filesystem, pafs.LocalFileSystem):
        return _Local(target, path)
    return _Remote(target, filesystem, path)


def _publish(staged: Sequence[_Staged]) -> None:
    """Rename (upload) every staged file into place; if one fails, undo the ones before it."""
    done: list[_Staged] = []
    with temps.signal_deferred():
        try:
            for item in staged:
                item.commit(keep_old=len(staged) > 1)
                done.append(item)
        except BaseException as exc:
            for item in reversed(done):
                try:
                    item.rollback()
                except OSError as undo:
                    raise OutputError(
                        f"{exc}; and {os.fspath(item.target)}, published with it, could not be "
                        f"restored: {undo}",
                        param="out",
                    ) from undo
            raise


@contextmanager
def atomic_output(target: Target, storage_options: Options = None) -> Iterator[Path]:
    """Yield a local temporary path to write `target`'s content to (e.g. with
    `pyarrow.parquet.write_table`); when the block ends without error it is published at
    `target`, else removed. A full disk met inside the block is an `OutputError` too."""
    staged = _stage(target, storage_options)
    staged.close()
    try:
        try:
            yield Path(staged.tmp)
        except OSError as exc:
            if _errno(exc) in _DISK:
                raise output_error(exc, target) from exc
            raise
        _publish([staged])
    finally:
        staged.discard()


def write_together(files: Mapping[AnyTarget, bytes | str], storage_options: Options = None) -> None:
    """Publish several files as one (e.g. a report's JSON and HTML, in the order given).

    Each is written whole before any is renamed into place; if one cannot be, those already
    replaced get their old content back (or are removed when they were new), so a reader
    finds all of the new files or none of them. Text is written as UTF-8.
    """
    staged: list[_Staged] = []
    try:
        for target, content in files.items():
            staged.append(_stage(target, storage_options))
            staged[-1].write(content.encode("utf-8") if isinstance(content, str) else content)
            staged[-1].close()
        _publish(staged)
    finally:
        for item in staged:
            item.discard()


def write_bytes(target: Target, data: bytes, storage_options: Options = None) -> str:
    """Publish `data` at `target` whole; returns `target` as a string."""
    write_together({target: data}, storage_options)
    return os.fspath(target)


def write_text(target: Target, text: str, storage_options: Options = None) -> str:
    """Publish `text` (UTF-8) at `target` whole; returns `target` as a string."""
    write_together({target: text}, storage_options)
    return os.fspath(target)
