"""Where SageMaker Data Capture lives: the hourly S3 layout, listing it, and telling the format.

An endpoint writes captures under `{prefix}/{endpoint}/{variant}/yyyy/mm/dd/hh/*.jsonl` (ground
truth uses the same hourly layout). With a window, only the window's hour folders are listed
(plus the hour after it: a file of the last minutes can land there), never the whole prefix.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow.fs as pafs

from driftline.errors import DataSourceError
from driftline.storage import resolve

SAGEMAKER_CAPTURE = "sagemaker-capture"
GROUND_TRUTH = "sagemaker-ground-truth"
_SNIFF_BYTES = 1 << 16
_LAYOUT = re.compile(r"/\d{4}/\d{2}/\d{2}/\d{2}/[^/]+\.jsonl$")


def hour_folders(start: datetime, end: datetime) -> list[str]:
    """`yyyy/mm/dd/hh` of every hour that [start, end) touches, and the hour after it."""
    hour = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    last = end.astimezone(UTC) + timedelta(hours=1)
    folders = []
    while hour < last:
        folders.append(f"{hour:%Y/%m/%d/%H}")
        hour += timedelta(hours=1)
    return folders


def _children(filesystem: pafs.FileSystem, path: str) -> list[pafs.FileInfo]:
    selector = pafs.FileSelector(path, allow_not_found=True, recursive=False)
    infos = filesystem.get_file_info(selector)
    return [i for i in infos if not i.base_name.startswith((".", "_"))]


def _is_year(info: pafs.FileInfo) -> bool:
    return (
        info.type == pafs.FileType.Directory
        and len(info.base_name) == 4
        and info.base_name.isdigit()
    )


def variant_roots(filesystem: pafs.FileSystem, path: str, depth: int = 2) -> list[str]:
    """The folders at or below `path` (at most `depth` levels) that hold `yyyy` folders."""
    children = _children(filesystem, path)
    if any(_is_year(c) for c in children):
        return [path]
    if depth == 0:
        return []
    folders = [c.path for c in children if c.type == pafs.FileType.Directory]
    return [
        root for folder in sorted(folders) for root in variant_roots(filesystem, folder, depth - 1)
    ]


def capture_files(
    source: str,
    start: datetime | None = None,
    end: datetime | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> tuple[pafs.FileSystem, list[str]]:
    """The `.jsonl` files to read for [start, end): listed hour by hour when both are given."""
    filesystem, path = resolve(source, storage_options)
    try:
        info = filesystem.get_file_info(path)
        if info.type == pafs.FileType.NotFound:
            raise DataSourceError(f"capture location not found: {source}", param="source")
        if info.type == pafs.FileType.File:
            return filesystem, [path]
        roots = variant_roots(filesystem, path)
        if not roots:
            found = ", ".join(c.base_name for c in _children(filesystem, path)[:10]) or "nothing"
            raise DataSourceError(
                f"{source} is not a Data Capture folder: expected {{prefix}}/{{endpoint}}/"
                f"{{variant}}/yyyy/mm/dd/hh/*.jsonl below it, found {found}",
                param="source",
            )
        files: list[str] = []
        for root in roots:
            if start is not None and end is not None:
                for hour in hour_folders(start, end):
                    files.extend(_jsonl(_children(filesystem, f"{root}/{hour}")))
            else:
                selector = pafs.FileSelector(root, recursive=True)
                files.extend(_jsonl(filesystem.get_file_info(selector), root))
    except OSError as exc:
        raise DataSourceError(f"cannot list capture {source}: {exc}", param="source") from exc
    return filesystem, files


def _jsonl(infos: Sequence[pafs.FileInfo], root: str = "") -> list[str]:
    return sorted(
        i.path
        for i in infos
        if i.type == pafs.FileType.File
        and i.base_name.endswith(".jsonl")
        and not any(part.startswith((".", "_")) for part in i.path[len(root) :].split("/") if part)
    )


def read_lines(filesystem: pafs.FileSystem, path: str) -> Iterator[tuple[int, str]]:
    try:
        with filesystem.open_input_stream(path) as handle:
            text = handle.read().decode("utf-8", errors="replace")
    except OSError as exc:
        raise DataSourceError(f"cannot read capture file {path}: {exc}", param="source") from exc
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield number, line


def _first_record(filesystem: pafs.FileSystem, path: str) -> Any:
    try:
        with filesystem.open_input_stream(path) as handle:
            head = handle.read(_SNIFF_BYTES).decode("utf-8", errors="replace")
        return json.loads(head.splitlines()[0]) if head.strip() else None
    except (OSError, ValueError, IndexError, RecursionError):
        return None


def sniff_format(source: str, storage_options: Mapping[str, Any] | None = None) -> str | None:
    """`sagemaker-capture` or `sagemaker-ground-truth` when `source` (a file, or a folder's
    first `.jsonl` file) holds such records or sits in the `yyyy/mm/dd/hh` layout; else None.

    Cheap: a folder is walked down its first entries (a few listings), never listed whole.
    """
    filesystem, path = resolve(source, storage_options)
    try:
        info = filesystem.get_file_info(path)
        for _ in range(8):
            if info.type == pafs.FileType.Directory:
                children = sorted(_children(filesystem, info.path), key=lambda i: i.path)
                files = [c for c in children if c.type == pafs.FileType.File]
                info = (files or children or [pafs.FileInfo(path, pafs.FileType.NotFound)])[0]
                continue
            if info.type != pafs.FileType.File or not info.base_name.endswith((".jsonl", ".json")):
                return None
            first = _first_record(filesystem, info.path)
            if isinstance(first, dict) and isinstance(first.get("groundTruthData"), dict):
                return GROUND_TRUTH
            if isinstance(first, dict) and isinstance(first.get("captureData"), dict):
                return SAGEMAKER_CAPTURE
            return SAGEMAKER_CAPTURE if _LAYOUT.search(info.path) else None
    except OSError:
        return None
    return None
