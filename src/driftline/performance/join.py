"""Join predictions with late labels on id, streaming through hash-partitioned spill files.

Pass 1 splits both inputs into `buckets` partitions by a hash of the id (so duplicates and
matches of one id meet in one partition); pass 2 joins partition by partition and splits the
joined rows by prediction window. Memory holds one partition, never the inputs; with one
partition nothing is spilled at all.
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

from driftline.errors import InputError
from driftline.performance.prepare import ID, LABEL, LABEL_ORDER, WINDOW
from driftline.performance.spill import Partitions

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


def join_labels(
    predictions: Iterable[pa.RecordBatch],
    labels: Iterable[pa.RecordBatch],
    work_dir: Path | None,
    buckets: int,
    summary: LabelSummary,
    label_type: pa.DataType,
) -> Partitions:
    """Join on id; the joined rows by window (spilled under `work_dir`, or in memory if None).

    Fills `summary`. Both inputs are first split into `buckets` partitions by id hash.
    """
    preds_by_id = _partition(predictions, buckets, work_dir and work_dir / "predictions")
    labels_by_id = _partition(_counted(labels, summary), buckets, work_dir and work_dir / "labels")
    joined = Partitions(work_dir and work_dir / "joined")
    for bucket in range(buckets):
        preds = preds_by_id.read(bucket)
        found = labels_by_id.read(bucket)
        preds_by_id.drop(bucket)
        labels_by_id.drop(bucket)
        if found is not None:
            found = _dedupe(found, summary)
        if preds is not None:
            _refuse_duplicate_predictions(preds)
        if preds is None:
            if found is not None:
                _count_unknown(found, None, summary)
            continue
        if found is None:
            label = pa.nulls(preds.num_rows, label_type)
        else:
            position = pc.index_in(preds[ID], value_set=found[ID].combine_chunks())
            label = found[LABEL].take(position)
            matched = len(position) - position.null_count
            summary.matched += matched
            if matched < found.num_rows:
                _count_unknown(found, preds, summary)
        preds = preds.append_column(LABEL, label)
        add_windows(joined, preds.drop_columns([ID]))
    return joined


def add_windows(windows: Partitions, rows: pa.Table | pa.RecordBatch) -> None:
    """Add rows (with a `_window` column) to `windows`, keyed by window, without the column."""
    if isinstance(rows, pa.RecordBatch):
        rows = pa.Table.from_batches([rows])
    keys = np.asarray(rows[WINDOW].to_numpy(), dtype=np.int64)
    windows.add(rows.drop_columns([WINDOW]), keys)


def _partition(
    batches: Iterable[pa.RecordBatch], buckets: int, directory: Path | None
) -> Partitions:
    """Rows split by id hash into `buckets` partitions."""
    out = Partitions(directory if buckets > 1 else None)
    for batch in batches:
        table = pa.Table.from_batches([batch])
        if buckets == 1:
            out.put(0, table)
        else:
            out.add(table, _bucket_of(batch[ID], buckets))
    return out


def _counted(labels: Iterable[pa.RecordBatch], summary: LabelSummary) -> Iterator[pa.RecordBatch]:
    """Count label rows and drop those without a label value (not labelled yet)."""
    for batch in labels:
        valid = batch.filter(pc.is_valid(batch[LABEL]))
        summary.rows += batch.num_rows
        summary.missing_values += batch.num_rows - valid.num_rows
        yield valid


def _bucket_of(ids: pa.Array, buckets: int) -> np.ndarray:
    if pa.types.is_integer(ids.type):
        hashed = np.asarray(ids.to_numpy(zero_copy_only=False), dtype=np.int64)
    else:
        objects = np.asarray(ids.to_numpy(zero_copy_only=False), dtype=object)
        hashed = pd.util.hash_array(objects).astype(np.uint64)
    return np.mod(hashed, buckets).astype(np.int64)


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
