"""Read what lives at a path or URI: bytes, text, a listing; one clear error when it cannot."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs

from driftline.errors import DataSourceError
from driftline.storage.locations import Target, resolve, unmounted, uri_of

Options = Mapping[str, Any] | None
HIDDEN_PREFIXES = (".", "_")  # _SUCCESS, _metadata, .crc, .NAME.*.tmp: not data


@dataclass(frozen=True)
class FileEntry:
    """One file of a listing: its path or URI (spelled like the listed prefix), its path inside
    its filesystem (as `resolve` gives it), size and modification time."""

    uri: str
    path: str
    size: int
    modified: datetime | None  # UTC; None when the store does not tell


def _info(source: Target, storage_options: Options) -> tuple[pafs.FileSystem, str, pafs.FileInfo]:
    filesystem, path = resolve(source, storage_options)
    try:
        return filesystem, path, filesystem.get_file_info(path)
    except OSError as exc:
        raise DataSourceError(f"cannot reach {unmounted(source)}: {exc}", param="source") from exc


def exists(source: Target, storage_options: Options = None) -> bool:
    """True when a file or folder is at `source`."""
    return _info(source, storage_options)[2].type != pafs.FileType.NotFound


def is_dir(source: Target, storage_options: Options = None) -> bool:
    """True when `source` is a folder (on an object store: a prefix holding objects)."""
    return _info(source, storage_options)[2].type == pafs.FileType.Directory


@contextmanager
def open_input(
    source: Target, storage_options: Options = None, *, what: str = "file"
) -> Iterator[pa.NativeFile]:
    """Open the file at `source` for reading (random access, binary).

    `what` names the file in errors ("profile", "constraints", ...): a missing file, a folder
    where a file is needed, or an unreadable one raise one `DataSourceError` saying so.
    """
    uri = unmounted(source)
    filesystem, path, info = _info(source, storage_options)
    if info.type == pafs.FileType.NotFound:
        raise DataSourceError(f"{what} not found: {uri}", param=what)
    if info.type == pafs.FileType.Directory:
        raise DataSourceError(f"{what} {uri} is a folder, expected a file", param=what)
    try:
        handle = filesystem.open_input_file(path)
    except OSError as exc:
        raise DataSourceError(f"cannot read {what} {uri}: {exc}", param=what) from exc
    with handle:
        yield handle


def read_bytes(source: Target, storage_options: Options = None, *, what: str = "file") -> bytes:
    """The whole content of the file at `source` (see `open_input` for the errors)."""
    with open_input(source, storage_options, what=what) as handle:
        try:
            return bytes(handle.read())
        except OSError as exc:
            raise DataSourceError(
                f"cannot read {what} {unmounted(source)}: {exc}", param=what
            ) from exc


def read_text(
    source: Target, storage_options: Options = None, *, what: str = "file", encoding: str = "utf-8"
) -> str:
    """The file at `source` decoded as `encoding`; bytes that are not are one clear error."""
    data = read_bytes(source, storage_options, what=what)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DataSourceError(
            f"{what} {unmounted(source)} is not {encoding} text (byte {exc.start}: {exc.reason})",
            param=what,
        ) from None


def is_hidden(path: str, base: str) -> bool:
    """Whether a part of `path` below `base` starts with `.` or `_` (not data, as for pyarrow)."""
    relative = path[len(base) :].strip("/")
    return any(part.startswith(HIDDEN_PREFIXES) for part in relative.split("/"))


def list_files(
    prefix: Target, storage_options: Options = None, *, hidden: bool = False, recursive: bool = True
) -> list[FileEntry]:
    """The files under the folder `prefix` (in its sub-folders too unless not `recursive`),
    sorted, or `prefix` itself when it is a file. Names starting with `.` or `_` below `prefix`
    are left out unless `hidden`."""
    uri = unmounted(prefix)
    filesystem, path, info = _info(prefix, storage_options)
    if info.type == pafs.FileType.NotFound:
        raise DataSourceError(f"not found: {uri}", param="source")
    if info.type == pafs.FileType.File:
        infos = [info]
    else:
        try:
            infos = filesystem.get_file_info(pafs.FileSelector(path, recursive=recursive))
        except OSError as exc:
            raise DataSourceError(f"cannot list {uri}: {exc}", param="source") from exc
    entries = [
        FileEntry(uri_of(uri, filesystem, i.path), i.path, i.size or 0, _utc(i.mtime))
        for i in infos
        if i.type == pafs.FileType.File and (hidden or not is_hidden(i.path, path))
    ]
    return sorted(entries, key=lambda entry: entry.uri)


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
