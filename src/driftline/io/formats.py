"""File formats: name them, tell them from a path, and open them as pyarrow formats."""

from __future__ import annotations

from pathlib import PurePosixPath

import pyarrow.dataset as ds
import pyarrow.fs as pafs

from driftline.errors import UnknownNameError

FORMATS = ("parquet", "csv", "jsonl")
SUFFIXES = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}
# Compressed CSV / JSON lines are decompressed by pyarrow from the file's extension.
COMPRESSIONS = (".gz", ".bz2", ".zst", ".lz4")
IGNORED_PREFIXES = (".", "_")  # _SUCCESS, _metadata, .crc: skipped like pyarrow does


def check_format(format: str) -> str:
    """`format` if it is a known format name, else an error listing the valid names."""
    if format not in FORMATS:
        raise UnknownNameError("format", format, FORMATS)
    return format


def format_of_name(name: str) -> str | None:
    """The format a file name's suffix says (`x.csv.gz` -> csv), or None."""
    suffixes = [s.lower() for s in PurePosixPath(name.rstrip("/")).suffixes]
    if suffixes and suffixes[-1] in COMPRESSIONS:
        suffixes.pop()
    return SUFFIXES.get(suffixes[-1]) if suffixes else None


def is_ignored(path: str, base: str) -> bool:
    """Whether dataset discovery skips `path` (a part of it under `base` starts with . or _)."""
    relative = path[len(base) :].strip("/")
    return any(part.startswith(IGNORED_PREFIXES) for part in relative.split("/"))


def format_of_directory(filesystem: pafs.FileSystem, path: str) -> str | None:
    """The format of the first data file under the directory `path`, or None if none tells."""
    selector = pafs.FileSelector(path, recursive=True)
    for info in filesystem.get_file_info(selector):
        if info.type == pafs.FileType.File and not is_ignored(info.path, path):
            found = format_of_name(info.path)
            if found:
                return found
    return None


def arrow_format(format: str) -> ds.FileFormat:
    """The pyarrow dataset format of a driftline format name."""
    if format == "parquet":
        return ds.ParquetFileFormat()
    if format == "csv":
        return ds.CsvFileFormat()
    return ds.JsonFileFormat()
