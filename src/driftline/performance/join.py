"""Join predictions with late labels on id, streaming through hash-partitioned spill files.

Pass 1 writes both inputs into `buckets` partitions by a hash of the id (so duplicates and
matches of one id meet in one partition); pass 2 joins partition by partition and writes the
joined rows partitioned by prediction window. Memory holds one partition, never the inputs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from driftline.errors import InputError
from driftline.performance.prepare import ID, LABEL, LABEL_ORDER, WINDOW

BUCKET = "_bucket"
BUCKET_ROWS = 1_000_000
_EXAMPLES = 5


@dataclass
class LabelSummary:
    """What happened to the label rows: read, joined, and the rules applied."""

    rule: str
    rows: int = 0
    missing_values: int = 0
    duplicates: int = 0
    unknown_ids: int = 0
    unknown_id_examples: list[object] = field(default_factory=list)
    matched: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "matched": self.matched,
            "missing_values": self.missing_values,
            "unknown_ids": self.unknown_ids,
            "unknown_id_examples": self.unknown_id_examples,
            "duplicates": self.duplicates,
            "duplicate_rule": self.rule,
        }


def bucket_count(rows: int) -> int:
    """How many id partitions keep each near BUCKET_ROWS rows."""
    return max(1, math.ceil(rows / BUCKET_ROWS))


def write_windows(batches: Iterable[pa.RecordBatch], directory: Path, name: str = "part") -> None:
    """Write batches as Parquet partitioned by `_window` (hive style: `_window=<index>/`)."""
    _write(batches, directory, WINDOW, name)


def join_labels(
    predictions: Iterable[pa.RecordBatch],
    labels: Iterable[pa.RecordBatch],
    work_dir: Path,
    buckets: int,
    summary: LabelSummary,
    label_type: pa.DataType,
) -> Path:
    """Join on id into `work_dir/joined` (partitioned by window) and fill `summary`."""
    _write(_with_bucket(predictions, buckets), work_dir / "predictions", BUCKET, "part")
    _write(_with_bucket(_counted(labels, summary), buckets), work_dir / "labels", BUCKET, "part")
    joined = work_dir / "joined"
    for bucket in range(buckets):
        preds = _read(work_dir / "predictions" / f"{BUCKET}={bucket}")
        found = _read(work_dir / "labels" / f"{BUCKET}={bucket}")
        if found is not None:
            found = _dedupe(found, summary)
            summary.matched += found.num_rows - _count_unknown(found, preds, summary)
        if preds is None:
            continue
        _refuse_duplicate_predictions(preds)
        if found is not None:
            preds = preds.join(found.select([ID, LABEL]), keys=ID, join_type="left outer")
        else:
            preds = preds.append_column(LABEL, pa.nulls(preds.num_rows, label_type))
        write_windows(preds.drop_columns([ID]).to_batches(), joined, f"b{bucket}")
    return joined


def _counted(labels: Iterable[pa.RecordBatch], summary: LabelSummary) -> Iterator[pa.RecordBatch]:
    """Count label rows and drop those without a label value (not labelled yet)."""
    for batch in labels:
        valid = batch.filter(pc.is_valid(batch[LABEL]))
        summary.rows += batch.num_rows
        summary.missing_values += batch.num_rows - valid.num_rows
        yield valid


def _with_bucket(batches: Iterable[pa.RecordBatch], buckets: int) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        ids = batch[ID]
        if pa.types.is_integer(ids.type):
            hashed = np.asarray(ids.to_numpy(zero_copy_only=False), dtype=np.int64)
        else:
            objects = np.asarray(ids.to_numpy(zero_copy_only=False), dtype=object)
            hashed = pd.util.hash_array(objects).astype(np.uint64)
        bucket = np.mod(hashed, buckets).astype(np.int64)
        yield batch.append_column(BUCKET, pa.array(bucket, pa.int64()))


def _write(batches: Iterable[pa.RecordBatch], directory: Path, key: str, name: str) -> None:
    iterator = iter(batches)
    first = next(iterator, None)
    if first is None:
        return
    ds.write_dataset(
        _chain(first, iterator),
        directory,
        schema=first.schema,
        format="parquet",
        partitioning=ds.partitioning(pa.schema([(key, pa.int64())]), flavor="hive"),
        basename_template=f"{name}-{{i}}.parquet",
        existing_data_behavior="overwrite_or_ignore",
        max_partitions=1_000_000,
        max_open_files=256,
    )


def _chain(first: pa.RecordBatch, rest: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    yield first
    yield from rest


def _read(directory: Path) -> pa.Table | None:
    if not directory.exists():
        return None
    return ds.dataset(directory, format="parquet").to_table()


def _duplicate_examples(table: pa.Table) -> list[object]:
    counts = table.group_by(ID).aggregate([(ID, "count")])
    repeated = counts.filter(pc.greater(counts[f"{ID}_count"], 1))
    return repeated[ID].slice(0, _EXAMPLES).to_pylist()


def _refuse_duplicate_predictions(preds: pa.Table) -> None:
    if pc.count_distinct(preds[ID]).as_py() == preds.num_rows:
        return
    raise InputError(
        f"predictions repeat id(s) {_duplicate_examples(preds)}; each prediction needs a "
        f"unique id to join its label (rule: duplicate prediction ids are refused)",
        param="id_column",
    )


def _dedupe(labels: pa.Table, summary: LabelSummary) -> pa.Table:
    """One label per id: the latest one (rule "latest") or refuse duplicates (rule "error")."""
    duplicates = labels.num_rows - pc.count_distinct(labels[ID]).as_py()
    if duplicates == 0:
        return labels
    if summary.rule == "error":
        raise InputError(
            f"labels repeat id(s) {_duplicate_examples(labels)} (rule duplicate_labels='error'; "
            f"use 'latest' to keep the label with the latest label timestamp)",
            param="duplicate_labels",
        )
    summary.duplicates += duplicates
    ordered = labels.sort_by([(ID, "ascending"), (LABEL_ORDER, "ascending")])
    ids = ordered[ID].combine_chunks()
    last = pc.not_equal(ids.slice(1), ids.slice(0, len(ids) - 1))
    keep = pa.concat_arrays([last, pa.array([True])])
    return ordered.filter(keep)


def _count_unknown(labels: pa.Table, preds: pa.Table | None, summary: LabelSummary) -> int:
    """Count (and keep a few examples of) label ids without a prediction."""
    if preds is None:
        unknown = pa.array(np.ones(labels.num_rows, dtype=bool))
    else:
        unknown = pc.invert(pc.is_in(labels[ID], value_set=preds[ID].combine_chunks()))
    count = int(pc.sum(unknown).as_py() or 0)
    summary.unknown_ids += count
    room = _EXAMPLES - len(summary.unknown_id_examples)
    if count and room > 0:
        summary.unknown_id_examples += labels[ID].filter(unknown).slice(0, room).to_pylist()
    return count
