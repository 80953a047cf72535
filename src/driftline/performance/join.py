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
_DENSE_FACTOR = 4  # integer ids spanning at most this many values per id are direct codes


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
        if preds is not None or found is not None:
            rows = _join_partition(preds, found, summary, label_type, buckets)
            if rows is not None:
                add_windows(joined, rows)
    return joined


def _join_partition(
    preds: pa.Table | None,
    found: pa.Table | None,
    summary: LabelSummary,
    label_type: pa.DataType,
    buckets: int,
) -> pa.Table | None:
    """The predictions of one id partition with their label (null if none), without ids."""
    id_type = (preds if preds is not None else found)[ID].type  # type: ignore[index]
    pred_ids = preds[ID] if preds is not None else pa.chunked_array([], id_type)
    label_ids = found[ID] if found is not None else pa.chunked_array([], id_type)
    pred_codes, label_codes, n_codes = id_codes(pred_ids, label_ids, buckets)
    if found is not None:
        found, label_codes = _dedupe(found, label_codes, n_codes, summary)
    predicted = np.bincount(pred_codes, minlength=n_codes)
    if preds is not None and predicted.max(initial=0) > 1:
        _refuse_duplicate_predictions(preds)
    if found is not None:
        _count_unknown(found, predicted[label_codes] == 0, summary)
    if preds is None:
        return None
    if found is None:
        return preds.append_column(LABEL, pa.nulls(preds.num_rows, label_type)).drop_columns([ID])
    label_row = np.full(n_codes, -1, dtype=np.int64)
    label_row[label_codes] = np.arange(len(label_codes))
    row = label_row[pred_codes]
    missing = row < 0
    summary.matched += len(row) - int(missing.sum())
    label = found[LABEL].take(pa.array(row, mask=missing))
    return preds.append_column(LABEL, label).drop_columns([ID])


def id_codes(
    pred_ids: pa.ChunkedArray, label_ids: pa.ChunkedArray, stride: int = 1
) -> tuple[np.ndarray, np.ndarray, int]:
    """Small integer codes of the ids of both sides (equal ids, equal codes) and their count.

    Integer ids of one partition share their remainder modulo `stride` (the partition count),
    so id // stride tells them apart: when those are dense enough they are the codes (minus
    the smallest), no hashing needed. Other ids are hashed once.
    """
    n = len(pred_ids) + len(label_ids)
    if n == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64), 0
    if pa.types.is_integer(pred_ids.type):
        preds, labels = _int64(pred_ids) // stride, _int64(label_ids) // stride
        both = [v for v in (preds, labels) if len(v)]
        low = min(int(v.min()) for v in both)
        high = max(int(v.max()) for v in both)
        if high - low < _DENSE_FACTOR * n:
            return preds - low, labels - low, high - low + 1
    ids = pa.chunked_array([*pred_ids.chunks, *label_ids.chunks], pred_ids.type)
    encoded = ids.combine_chunks().dictionary_encode()
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    return codes[: len(pred_ids)], codes[len(pred_ids) :], len(encoded.dictionary)


def _int64(values: pa.ChunkedArray) -> np.ndarray:
    return np.asarray(values.to_numpy(), dtype=np.int64)


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
    raise InputError(
        f"predictions repeat id(s) {_duplicate_examples(preds)}; each prediction needs a "
        f"unique id to join its label (rule: duplicate prediction ids are refused)",
        param="id_column",
    )


def _dedupe(
    labels: pa.Table, codes: np.ndarray, n_codes: int, summary: LabelSummary
) -> tuple[pa.Table, np.ndarray]:
    """One label per id: the latest one (rule "latest") or refuse duplicates (rule "error")."""
    duplicates = len(codes) - int(np.count_nonzero(np.bincount(codes, minlength=n_codes)))
    if duplicates == 0:
        return labels, codes
    if summary.rule == "error":
        raise InputError(
            f"labels repeat id(s) {_duplicate_examples(labels)} (rule `duplicate_labels='error'`; "
            f"use 'latest' to keep the label with the latest label timestamp)",
            param="duplicate_labels",
        )
    summary.duplicates += duplicates
    order = np.lexsort((labels[LABEL_ORDER].to_numpy(), codes))  # stable: ties keep read order
    ordered = codes[order]
    last = np.flatnonzero(np.r_[ordered[1:] != ordered[:-1], True])
    keep = order[last]
    return labels.take(pa.array(keep)), codes[keep]


def _count_unknown(labels: pa.Table, unknown: np.ndarray, summary: LabelSummary) -> None:
    """Count (and keep a few examples of) label ids without a prediction."""
    count = int(unknown.sum())
    summary.unknown_ids += count
    room = _EXAMPLES - len(summary.unknown_id_examples)
    if count and room > 0:
        rows = np.flatnonzero(unknown)[:room]
        summary.unknown_id_examples += labels[ID].take(pa.array(rows)).to_pylist()
