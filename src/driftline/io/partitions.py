"""Split a window of a Parquet source into partitions of about `target_rows` rows, and read one.

A partition is the unit of work of a fanned-out monitoring run: some row groups of some files
of the source. The plan follows the source's folders (the log sink writes Hive partitions
`model=/date=/hour=`): a folder whose row groups hold at most `target_rows` rows stays in one
partition, and partitions fill up folder by folder; a larger folder (or one large file) is cut
at row-group boundaries. Row groups whose statistics rule out the window are left out. Row
counts come from the Parquet footers, so planning reads no data, and a partition holds at most
`target_rows` rows unless one row group alone is larger.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs

from driftline.errors import DataSourceError, InputError
from driftline.io import windows
from driftline.io.log_stream import log_schema
from driftline.io.log_window import has_split_calls, is_sink_output, log_window_read
from driftline.io.readers import (
    DEFAULT_BATCH_ROWS,
    detect_format,
    iter_dataset_batches,
    open_dataset,
    quoted,
)
from driftline.storage import resolve

DEFAULT_TARGET_ROWS = 10_000_000
SPLITTABLE = ("parquet",)


@dataclass(frozen=True)
class FilePart:
    """Row groups of one file: `path` relative to the source folder ("" for a file source)."""

    path: str
    size: int
    row_groups: tuple[int, ...]
    rows: int


@dataclass(frozen=True)
class Partition:
    """Row groups of the source read by one task; `rows` counts whole row groups."""

    index: int
    source: str
    schema_file: str  # the file whose schema every partition reads with (the source's first)
    files: tuple[FilePart, ...]
    rows: int
    #: sink output whose sides of calls were written apart: the task pairs them (`io.log_stream`),
    #: reading with the union of these files' schemas (one file per schema in the window's days)
    schema_files: tuple[str, ...] = ()

    @property
    def pairs_sides(self) -> bool:
        """True when the task pairs the sides of calls and leaves the unpaired halves over."""
        return bool(self.schema_files)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: a KFP `ParallelFor` item."""
        item = {
            "index": self.index,
            "source": self.source,
            "schema_file": self.schema_file,
            "rows": self.rows,
            "files": [
                {"path": f.path, "size": f.size, "row_groups": list(f.row_groups), "rows": f.rows}
                for f in self.files
            ],
        }
        return {**item, "schema_files": list(self.schema_files)} if self.schema_files else item

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Partition:
        """Rebuild a partition from `to_dict()` output; one clear error if it is not one."""
        try:
            files = tuple(
                FilePart(
                    str(f["path"]), int(f["size"]), tuple(map(int, f["row_groups"])), int(f["rows"])
                )
                for f in data["files"]
            )
            return cls(
                int(data["index"]),
                str(data["source"]),
                str(data["schema_file"]),
                files,
                int(data["rows"]),
                tuple(map(str, data.get("schema_files", ()))),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(
                f"not a partition of a plan_partitions plan ({type(exc).__name__}: {exc}); "
                "expected keys index, source, schema_file, rows, files",
                param="partition",
            ) from exc


@dataclass(frozen=True)
class PartitionPlan:
    """The partitions of one window; empty with a `reason` when the source cannot be split."""

    source: str
    target_rows: int
    rows: int  # rows of the row groups that may hold window rows
    partitions: tuple[Partition, ...]
    reason: str = ""


def plan_partitions(
    source: str,
    *,
    target_rows: int = DEFAULT_TARGET_ROWS,
    format: str | None = None,
    timestamp_column: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> PartitionPlan:
    """Plan the partitions of `source`'s window `[start, end)`, each of about `target_rows`.

    Only Parquet can be split (its footers give row counts and time statistics): other formats
    give an empty plan whose `reason` says so.
    """
    if isinstance(target_rows, bool) or not isinstance(target_rows, int) or target_rows < 1:
        raise InputError(
            f"`target_rows` must be a positive whole number, not {target_rows!r}",
            param="target_rows",
        )
    fmt = detect_format(source, format, storage_options)
    if fmt not in SPLITTABLE:
        reason = f"{fmt} has no row-group footers to split on; only parquet fans out"
        return PartitionPlan(source, target_rows, 0, (), reason)
    dataset = open_dataset(source, fmt, storage_options=storage_options)
    _, root = resolve(source, storage_options)
    pushdown = _window_filter(dataset, timestamp_column, start, end)
    schema_files: tuple[str, ...] = ()
    try:
        if _pairs_sides(dataset, timestamp_column, start, end, pushdown):
            assert start is not None and end is not None
            _, days, pushdown = log_window_read(source, start, end, storage_options)
            schema_files = _schema_files(days, root)
            pieces = sorted(_row_groups(dataset, root, pushdown), key=_folder_then_time)
        else:
            pieces = sorted(_row_groups(dataset, root, pushdown))
    except (pa.ArrowException, OSError) as exc:
        raise DataSourceError(f"cannot read {source}: {quoted(exc)}", param="source") from exc
    schema_file = _relative(dataset.files[0], root)
    tasks = _pack(pieces, target_rows)
    partitions = tuple(
        Partition(
            i, source, schema_file, _file_parts(task), sum(p.rows for p in task), schema_files
        )
        for i, task in enumerate(tasks)
    )
    return PartitionPlan(source, target_rows, sum(p.rows for p in pieces), partitions)


@dataclass(frozen=True, order=True)
class _Piece:
    path: str
    row_group: int
    rows: int
    size: int
    first: Any = field(default=None, compare=False)  # the row group's least timestamp


def _folder_then_time(piece: _Piece) -> tuple[Any, ...]:
    """Within a folder, row groups in time order: the replicas' files interleave in time, so a
    cut between row groups leaves only the calls near it with a side on each part."""
    first = piece.first.timestamp() if piece.first is not None else float("-inf")
    return (posixpath.dirname(piece.path), first, piece.path, piece.row_group)


def _pairs_sides(
    dataset: ds.Dataset,
    timestamp_column: str | None,
    start: datetime | None,
    end: datetime | None,
    pushdown: ds.Expression | None,
) -> bool:
    """True for the log sink's output, read by call time, with sides of calls written apart."""
    if timestamp_column != "timestamp" or start is None or end is None:
        return False
    return is_sink_output(dataset.schema) and has_split_calls(dataset, pushdown)


def _schema_files(fragments: Sequence[ds.Fragment], root: str) -> tuple[str, ...]:
    """One file per distinct schema among `fragments`, in order of first appearance."""
    seen: dict[pa.Schema, str] = {}
    for fragment in fragments:
        seen.setdefault(fragment.physical_schema, _relative(fragment.path, root))
    return tuple(seen.values())


def _window_filter(
    dataset: ds.Dataset,
    timestamp_column: str | None,
    start: datetime | None,
    end: datetime | None,
) -> ds.Expression | None:
    if timestamp_column is None or timestamp_column not in dataset.schema.names:
        return None
    lower = None if start is None else windows.as_utc(start, "start")
    upper = None if end is None else windows.as_utc(end, "end")
    column_type = dataset.schema.field(timestamp_column).type
    return windows.window_expression(timestamp_column, column_type, lower, upper)


def _row_groups(dataset: ds.Dataset, root: str, pushdown: ds.Expression | None) -> Iterator[_Piece]:
    for fragment in dataset.get_fragments(filter=pushdown):
        size = fragment.filesystem.get_file_info(fragment.path).size or 0
        path = _relative(fragment.path, root)
        for piece in fragment.split_by_row_group(filter=pushdown):
            group = piece.row_groups[0]
            first = (group.statistics or {}).get("timestamp", {}).get("min")
            yield _Piece(path, group.id, group.num_rows, size, first)


def _relative(path: str, root: str) -> str:
    return "" if path == root else posixpath.relpath(path, root)


def _pack(pieces: Sequence[_Piece], target_rows: int) -> list[list[_Piece]]:
    """Fill tasks folder by folder; cut a folder with more than `target_rows` rows at row groups."""
    tasks: list[list[_Piece]] = []
    current: list[_Piece] = []
    current_rows = 0
    for _, grouped in groupby(pieces, key=lambda p: posixpath.dirname(p.path)):
        folder = list(grouped)
        rows = sum(p.rows for p in folder)
        for unit in [folder] if rows <= target_rows else [[p] for p in folder]:
            unit_rows = sum(p.rows for p in unit)
            if current and current_rows + unit_rows > target_rows:
                tasks.append(current)
                current, current_rows = [], 0
            current.extend(unit)
            current_rows += unit_rows
    if current:
        tasks.append(current)
    return tasks


def _file_parts(task: Sequence[_Piece]) -> tuple[FilePart, ...]:
    parts = []
    for path, grouped in groupby(task, key=lambda p: p.path):
        pieces = list(grouped)
        parts.append(
            FilePart(
                path,
                pieces[0].size,
                tuple(p.row_group for p in pieces),
                sum(p.rows for p in pieces),
            )
        )
    return tuple(parts)


def open_partition(
    partition: Partition, storage_options: Mapping[str, Any] | None = None
) -> ds.Dataset:
    """The partition's row groups as a dataset with the source's schema (Hive keys included)."""
    filesystem, root = resolve(partition.source, storage_options)
    folder = bool(partition.schema_file)

    def info(path: str, size: int | None = None) -> pafs.FileInfo:
        full = posixpath.join(root, path) if path else root
        return pafs.FileInfo(full, pafs.FileType.File, size=size)

    # the schema file first, so the dataset infers the schema the whole source is read with
    listed = {info(partition.schema_file).path: info(partition.schema_file)}
    listed.update((info(f).path, info(f)) for f in partition.schema_files)
    listed.update((info(f.path).path, info(f.path, f.size)) for f in partition.files)
    wanted = {info(f.path).path: list(f.row_groups) for f in partition.files}
    try:
        opened = ds.dataset(
            list(listed.values()),
            filesystem=filesystem,
            format="parquet",
            partitioning="hive" if folder else None,
            partition_base_dir=root if folder else None,
        )
        fragments = [
            fragment.subset(row_group_ids=wanted[fragment.path])
            for fragment in opened.get_fragments()
            if fragment.path in wanted
        ]
        schema = opened.schema
        if partition.schema_files:  # every schema of the window's days, as one read has
            typed = {info(f).path for f in partition.schema_files}
            schema = log_schema([f for f in opened.get_fragments() if f.path in typed])
    except (pa.ArrowException, OSError) as exc:
        raise DataSourceError(
            f"cannot read partition {partition.index} of {partition.source}: {quoted(exc)}",
            param="partition",
        ) from exc
    return ds.FileSystemDataset(
        fragments, schema=schema, format=opened.format, filesystem=filesystem
    )


def iter_partition(
    partition: Partition,
    *,
    columns: Sequence[str] | None = None,
    timestamp_column: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    storage_options: Mapping[str, Any] | None = None,
    read_dictionary: Sequence[str] = (),
    opened: ds.Dataset | None = None,
) -> Iterator[pa.RecordBatch]:
    """Stream the partition's rows within `[start, end)`, projected to `columns`
    (`read_dictionary`: as for `driftline.io.iter_batches`). `opened`: the partition as
    `open_partition` opened it already (opening reads a footer again)."""
    dataset = opened if opened is not None else open_partition(partition, storage_options)
    name = f"partition {partition.index} of {partition.source}"
    return iter_dataset_batches(
        dataset,
        name,
        columns=columns,
        timestamp_column=timestamp_column,
        start=start,
        end=end,
        batch_rows=batch_rows,
        read_dictionary=read_dictionary,
    )
