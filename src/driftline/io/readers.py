"""Read tables from Parquet, CSV and JSON lines: projected, time-filtered, streamed.

Sources are local paths or `file://`, `s3://`, `gs://`, `minio://` URIs (see
`driftline.storage`), each a single file or a directory (hive-partitioned or
not). Time windows are half-open `[start, end)` in UTC; on Parquet they are
pushed down to the scan, on ISO-string columns they are applied row-wise.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs

from driftline import progress
from driftline.errors import DataSourceError, InputError
from driftline.io import formats, windows
from driftline.io.formats import FORMATS
from driftline.io.memory import read_pool
from driftline.io.sagemaker_capture import capture_dataset
from driftline.io.sagemaker_ground_truth import ground_truth_dataset
from driftline.io.sagemaker_layout import GROUND_TRUTH, SAGEMAKER_CAPTURE, sniff_format
from driftline.storage import FileEntry, list_files, resolve

__all__ = [
    "DEFAULT_BATCH_ROWS",
    "FORMATS",
    "detect_format",
    "iter_batches",
    "iter_dataset_batches",
    "open_dataset",
    "read_table",
]

DEFAULT_BATCH_ROWS = 131_072
# The scanner's defaults (16 batches, 4 files ahead) hold gigabytes over large files (a 20M-row
# window peaked at 2.3 GiB); a little read-ahead keeps I/O and decoding overlapped.
BATCH_READAHEAD = 1
FRAGMENT_READAHEAD = 1
Source = str | os.PathLike[str]
TimeBound = datetime | date | str | None


# What pyarrow says before the reason, which the caller's message already says.
_ARROW_PREAMBLE = re.compile(
    r"Error creating dataset\. |Could not read schema from '[^']*'\. Is this a '\w+' file\?: "
    r"|Could not open \w+ input source '[^']*': |Invalid: "
)


# Printable, but not what they seem: undecodable bytes, and backticks (they mark parameter names
# in driftline messages).
_ESCAPES = {"\ufffd": "\\ufffd", "`": "\\x60"}


def quoted(exc: BaseException, limit: int = 240) -> str:
    """`exc`'s message fit for one line of a terminal: what a parser quotes from the data
    (binary read as CSV: NULs, control bytes, undecodable bytes) escaped, and cut after
    `limit` characters."""
    text = _ARROW_PREAMBLE.sub("", str(exc))
    text = "".join(_ESCAPES.get(c) or (c if c.isprintable() else ascii(c)[1:-1]) for c in text)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def _file_info(filesystem: pafs.FileSystem, path: str, source: Source) -> pafs.FileInfo:
    try:
        info = filesystem.get_file_info(path)
    except OSError as exc:
        raise DataSourceError(
            f"cannot reach {os.fspath(source)}: {quoted(exc)}", param="source"
        ) from exc
    if info.type == pafs.FileType.NotFound:
        raise DataSourceError(f"data source not found: {os.fspath(source)}", param="source")
    return info


def _file(entry: FileEntry) -> pafs.FileInfo:
    """A listed file as pyarrow takes it without asking the store about it again."""
    return pafs.FileInfo(entry.path, pafs.FileType.File, size=entry.size, mtime=entry.modified)


class _Found(NamedTuple):
    format: str
    filesystem: pafs.FileSystem
    path: str
    size: int | None  # of a single file
    files: list[FileEntry] | None  # the data files of a folder


def _detect(
    source: Source, format: str | None, storage_options: Mapping[str, Any] | None
) -> _Found:
    fmt = formats.check_format(format) if format else formats.format_of_name(os.fspath(source))
    filesystem, path = resolve(source, storage_options)
    info = _file_info(filesystem, path, source)
    if fmt in (SAGEMAKER_CAPTURE, GROUND_TRUTH):  # their readers list only what they need
        return _Found(fmt, filesystem, path, None, None)
    if fmt == "jsonl" and not format:
        fmt = sniff_format(os.fspath(source), storage_options) or fmt
    if info.type != pafs.FileType.Directory:
        if fmt is None and info.extension:
            raise InputError(
                f"cannot tell the format of {os.fspath(source)!r} from its suffix; "
                f"give `format`: one of {', '.join(FORMATS)}",
                param="format",
            )
        return _Found(fmt or "parquet", filesystem, path, info.size, None)
    entries = list_files(source, storage_options)
    fmt = fmt or formats.format_of_files([e.path for e in entries], os.fspath(source))
    fmt = fmt or "parquet"
    if fmt == "jsonl" and not format:
        fmt = sniff_format(os.fspath(source), storage_options) or fmt
        if fmt != "jsonl":
            return _Found(fmt, filesystem, path, None, None)
    return _Found(fmt, filesystem, path, None, formats.files_of_format(entries, fmt))


def detect_format(
    source: Source, format: str | None = None, storage_options: Mapping[str, Any] | None = None
) -> str:
    """The format of `source`: `format` if given, else its suffix (`.csv.gz` is csv), else
    the suffixes of the data files in a folder (a folder mixing formats is an error naming
    them); Parquet when nothing tells."""
    return _detect(source, format, storage_options).format


def open_dataset(
    source: Source,
    format: str | None = None,
    *,
    storage_options: Mapping[str, Any] | None = None,
    start: TimeBound = None,
    end: TimeBound = None,
) -> ds.Dataset:
    """Open `source` as a pyarrow dataset, with one clear error if it cannot be read.

    A folder is read as its data files of the format (files whose suffix names another
    format are left out; so are names starting with `.` or `_`). SageMaker Data Capture and
    ground truth are decoded into in-memory datasets; for captures `start`/`end` select the
    hour folders to read (other formats are filtered by the scan).
    """
    found = _detect(source, format, storage_options)
    fmt, name = found.format, os.fspath(source)
    if fmt == SAGEMAKER_CAPTURE:
        return capture_dataset(name, start, end, storage_options)
    if fmt == GROUND_TRUTH:
        return ground_truth_dataset(name, storage_options)
    if found.size == 0:
        raise DataSourceError(f"data source is empty (0 bytes): {name}", param="source")
    if found.files is not None and not found.files:
        raise DataSourceError(f"no data files in directory {name}", param="source")
    try:
        dataset = ds.dataset(
            found.path if found.files is None else [_file(e) for e in found.files],
            filesystem=found.filesystem,
            format=formats.arrow_format(fmt),
            partitioning="hive",
            partition_base_dir=None if found.files is None else found.path,
        )
    except (pa.ArrowException, OSError) as exc:
        raise DataSourceError(
            f"cannot read {name} as {fmt}: {quoted(exc)} (is it {fmt}? give `format`: one of "
            f"{', '.join(FORMATS)})",
            param="source",
        ) from exc
    return dataset


@dataclass(frozen=True)
class _Scan:
    """What to read: everything validated before the first byte of data is scanned."""

    source: str
    dataset: ds.Dataset
    columns: list[str] | None  # what the caller gets (None: all)
    read_columns: list[str] | None  # what is scanned (+ a row-filtered timestamp column)
    pushdown: ds.Expression | None
    row_window: tuple[str, datetime | None, datetime | None] | None
    schema: pa.Schema
    dictionary: tuple[str, ...] = ()  # string columns Parquet hands over dictionary-encoded

    @property
    def label(self) -> str:
        """The source's last path segment, for progress lines."""
        return self.source.rstrip("/").rsplit("/", 1)[-1] or self.source

    def batches(self, batch_rows: int) -> Iterator[pa.RecordBatch]:
        try:
            for batch in self._scanned(batch_rows):
                if self.row_window is not None:
                    column, start, end = self.row_window
                    batch = batch.filter(
                        windows.window_mask(batch.column(column), column, start, end)
                    )
                    if self.columns is not None:
                        batch = batch.select(self.columns)
                if batch.num_rows:
                    yield batch
        except (pa.ArrowException, OSError) as exc:
            raise DataSourceError(
                f"cannot read {self.source}: {quoted(exc)}", param="source"
            ) from exc

    def _scanned(self, batch_rows: int) -> Iterator[pa.RecordBatch]:
        if not isinstance(getattr(self.dataset, "format", None), ds.ParquetFileFormat):
            yield from self.dataset.to_batches(
                columns=self.read_columns,
                filter=self.pushdown,
                batch_size=batch_rows,
                batch_readahead=BATCH_READAHEAD,
                fragment_readahead=FRAGMENT_READAHEAD,
                memory_pool=read_pool(),
            )
            return
        # Parquet: one row group at a time. Scanning a whole file reads row groups ahead of
        # a slow consumer (2.3 GiB over a 20M-row file); pre_buffer would also keep a file's
        # buffers until the file is done (apache/arrow#39808). Row groups whose statistics
        # rule out the window are skipped by split_by_row_group.
        options = ds.ParquetFragmentScanOptions(pre_buffer=False)
        schema, encoded = _dictionary_read(self.dataset.schema, self.dictionary)
        for fragment in self.dataset.get_fragments(filter=self.pushdown):
            if encoded is not None:
                fragment = _made_again(fragment, encoded)
            for row_group in fragment.split_by_row_group(self.pushdown, self.dataset.schema):
                yield from row_group.to_batches(
                    schema=schema,
                    columns=self.read_columns,
                    filter=self.pushdown,
                    batch_size=batch_rows,
                    batch_readahead=BATCH_READAHEAD,
                    fragment_scan_options=options,
                    memory_pool=read_pool(),
                )


def _made_again(fragment: ds.ParquetFileFragment, format: ds.ParquetFileFormat) -> ds.Fragment:
    """`fragment` read with `format`: the same file, partition keys and row groups. Its
    pickled form names them without reading the file again (no row groups: the whole file,
    its footer not read yet; asking `fragment.row_groups` would read it once more)."""
    _, (file, filesystem, partition_expression, row_groups) = fragment.__reduce__()
    return format.make_fragment(file, filesystem, partition_expression, row_groups=row_groups)


def _dictionary_read(
    schema: pa.Schema, names: Sequence[str]
) -> tuple[pa.Schema, ds.ParquetFileFormat | None]:
    """The schema and Parquet format that read the string or binary columns among `names` as
    the dictionaries Parquet stores them in (no format: nothing to read so)."""
    wanted = [
        field.name
        for field in schema
        if field.name in names and field.type in (pa.string(), pa.binary())
    ]
    if not wanted:
        return schema, None
    for name in wanted:
        field = schema.field(name)
        schema = schema.set(
            schema.get_field_index(name), field.with_type(pa.dictionary(pa.int32(), field.type))
        )
    options = ds.ParquetReadOptions(dictionary_columns=wanted)
    return schema, ds.ParquetFileFormat(read_options=options)


def _check_columns(dataset: ds.Dataset, columns: Sequence[str] | None) -> list[str] | None:
    if columns is None:
        return None
    if isinstance(columns, str):
        raise InputError(
            f"`columns` must be a list of names, not the string {columns!r}", param="columns"
        )
    missing = [c for c in columns if c not in dataset.schema.names]
    if missing:
        raise InputError(
            f"column(s) {', '.join(map(repr, missing))} not in data; columns: "
            f"{', '.join(dataset.schema.names)}",
            param="columns",
        )
    return list(columns)


def _plan(
    source: Source,
    format: str | None,
    columns: Sequence[str] | None,
    timestamp_column: str | None,
    start: TimeBound,
    end: TimeBound,
    storage_options: Mapping[str, Any] | None,
    opened: ds.Dataset | None = None,
) -> _Scan:
    dataset = opened
    if dataset is None:
        dataset = open_dataset(
            source, format, storage_options=storage_options, start=start, end=end
        )
    projection = _check_columns(dataset, columns)
    schema = (
        dataset.schema
        if projection is None
        else pa.schema([dataset.schema.field(c) for c in projection])
    )
    plain = _Scan(os.fspath(source), dataset, projection, projection, None, None, schema)
    if timestamp_column is None:
        if start is not None or end is not None:
            raise InputError("a time window needs `timestamp_column`", param="timestamp_column")
        return plain
    if timestamp_column not in dataset.schema.names:
        raise InputError(
            f"`timestamp_column={timestamp_column!r}` is not in the data; columns: "
            f"{', '.join(dataset.schema.names)}",
            param="timestamp_column",
        )
    lower = None if start is None else windows.as_utc(start, "start")
    upper = None if end is None else windows.as_utc(end, "end")
    if lower is not None and upper is not None and lower > upper:
        raise InputError(f"window start {lower} is after its end {upper}", param="start")
    column_type = dataset.schema.field(timestamp_column).type
    windows.check_time_type(timestamp_column, column_type)
    if lower is None and upper is None:
        return plain
    expr = windows.window_expression(timestamp_column, column_type, lower, upper)
    if expr is not None:
        return _Scan(plain.source, dataset, projection, projection, expr, None, schema)
    read = None if projection is None else [*projection, timestamp_column]
    if projection is not None and timestamp_column in projection:
        read = projection
    window = (timestamp_column, lower, upper)
    return _Scan(plain.source, dataset, projection, read, None, window, schema)


def iter_batches(
    source: Source,
    *,
    format: str | None = None,
    columns: Sequence[str] | None = None,
    timestamp_column: str | None = None,
    start: TimeBound = None,
    end: TimeBound = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    storage_options: Mapping[str, Any] | None = None,
    read_dictionary: Sequence[str] = (),
) -> Iterator[pa.RecordBatch]:
    """Stream record batches of `source`, projected to `columns`, within `[start, end)`.

    Bad input (missing source, column, unknown format) raises here, before iteration. Memory
    stays bounded by a few batches of at most `batch_rows` rows; empty batches are skipped,
    so an empty window yields nothing (`open_dataset(...).schema` still tells the columns).
    `read_dictionary` names string columns to hand over as dictionary arrays (Parquet:
    the dictionaries it stores, much cheaper to decode and to count than the strings).
    """
    if isinstance(batch_rows, bool) or not isinstance(batch_rows, int) or batch_rows < 1:
        raise InputError(
            f"`batch_rows` must be a positive integer, not {batch_rows!r}", param="batch_rows"
        )
    scan = _with_dictionary(
        _plan(source, format, columns, timestamp_column, start, end, storage_options),
        read_dictionary,
    )
    return progress.counted(scan.batches(batch_rows), f"reading {scan.label}")


def _with_dictionary(scan: _Scan, read_dictionary: Sequence[str]) -> _Scan:
    """`scan` reading the string columns among `read_dictionary` as dictionaries: Parquet only
    (other formats hand over their strings as strings), and not the timestamp column that
    filters rows."""
    if not read_dictionary or not isinstance(
        getattr(scan.dataset, "format", None), ds.ParquetFileFormat
    ):
        return scan
    window_column = scan.row_window[0] if scan.row_window else None
    encoded = tuple(name for name in read_dictionary if name != window_column)
    return replace(scan, dictionary=encoded)


def iter_dataset_batches(
    dataset: ds.Dataset,
    name: str,
    *,
    columns: Sequence[str] | None = None,
    timestamp_column: str | None = None,
    start: TimeBound = None,
    end: TimeBound = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    read_dictionary: Sequence[str] = (),
) -> Iterator[pa.RecordBatch]:
    """`iter_batches` over a dataset opened already (e.g. some row groups of some files,
    see `driftline.io.partitions`); `name` names it in errors."""
    scan = _plan(name, None, columns, timestamp_column, start, end, None, opened=dataset)
    return _with_dictionary(scan, read_dictionary).batches(batch_rows)


def read_table(
    source: Source,
    *,
    format: str | None = None,
    columns: Sequence[str] | None = None,
    timestamp_column: str | None = None,
    start: TimeBound = None,
    end: TimeBound = None,
    storage_options: Mapping[str, Any] | None = None,
    read_dictionary: Sequence[str] = (),
) -> pa.Table:
    """Read `source` into one Arrow table (see `iter_batches` for the arguments).

    An empty window gives an empty table with the projected schema: callers decide whether
    that is an error (e.g. raise `EmptyDataError`). `read_dictionary` applies to Parquet
    (row group by row group); other formats read their strings as strings.
    """
    scan = _with_dictionary(
        _plan(source, format, columns, timestamp_column, start, end, storage_options),
        read_dictionary,
    )
    schema, encoded = _dictionary_read(scan.schema, scan.dictionary)
    if scan.row_window is not None or encoded is not None:
        batches = progress.counted(scan.batches(DEFAULT_BATCH_ROWS), f"reading {scan.label}")
        return pa.Table.from_batches(list(batches), schema=schema)
    try:
        progress.phase(f"reading {scan.label}")
        table = scan.dataset.to_table(columns=scan.read_columns, filter=scan.pushdown)
        progress.advance(table.num_rows, table.nbytes)
        return table
    except (pa.ArrowException, OSError) as exc:
        raise DataSourceError(f"cannot read {scan.source}: {quoted(exc)}", param="source") from exc
