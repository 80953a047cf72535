"""File formats: name them, tell them from a path, and open them as pyarrow formats."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import PurePosixPath

import pyarrow.dataset as ds

from driftline.errors import InputError, UnknownNameError
from driftline.storage import FileEntry

FORMATS = ("parquet", "csv", "jsonl", "sagemaker-capture", "sagemaker-ground-truth")
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


def format_of_files(names: Sequence[str], folder: str) -> str | None:
    """The format the suffixes of a folder's files say, None if none tells; a folder whose
    files say several formats is an error naming them."""
    found = Counter(fmt for name in names if (fmt := format_of_name(name)))
    if len(found) > 1:
        listing = ", ".join(f"{count} {fmt}" for fmt, count in sorted(found.items()))
        raise InputError(
            f"folder {folder} mixes data formats ({listing} files); choose one with `format`: "
            f"{', '.join(sorted(found))}",
            param="format",
        )
    return next(iter(found), None)


def files_of_format(entries: Sequence[FileEntry], format: str) -> list[FileEntry]:
    """The entries to read as `format`: files whose suffix says it or says no format."""
    return [e for e in entries if format_of_name(e.path) in (format, None)]


def arrow_format(format: str) -> ds.FileFormat:
    """The pyarrow dataset format of a driftline format name."""
    if format == "parquet":
        return ds.ParquetFileFormat()
    if format == "csv":
        return ds.CsvFileFormat()
    return ds.JsonFileFormat()
