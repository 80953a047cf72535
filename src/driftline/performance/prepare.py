"""Open the inputs and turn their record batches into the internal, checked columns.

Internal columns: `_id`, `_window` (tumbling window index of the prediction time), `_pred`,
`_label`, `_label_order` (label timestamp or read order), `_score<i>`, `_seg<i>`, `_feat<i>`.
Classification labels and predictions become dictionary-encoded strings (1 -> "1",
True -> "true"), `CLASS_TYPE`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.fs

from driftline.errors import DataSourceError, InputError
from driftline.io import open_dataset
from driftline.io.memory import read_pool
from driftline.performance.options import PerformanceOptions

ID, WINDOW, PRED, LABEL, LABEL_ORDER = "_id", "_window", "_pred", "_label", "_label_order"
PROBA_SUM_TOLERANCE = 1e-4
CLASS_TYPE = pa.dictionary(pa.int32(), pa.string())
BATCH_ROWS = 262_144


def score_name(i: int) -> str:
    return f"_score{i}"


def segment_name(i: int) -> str:
    return f"_seg{i}"


def feature_name(i: int) -> str:
    return f"_feat{i}"


def feature_values(values: pa.Array, column: str) -> pa.Array:
    """A feature column as float64 (numbers, booleans) or string (text), the same type in
    every batch so the spilled windows share one schema."""
    kind = values.type.value_type if pa.types.is_dictionary(values.type) else values.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return pc.cast(values, pa.string())
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind):
        return pc.cast(values, pa.float64())
    if pa.types.is_null(kind):
        return pa.nulls(len(values), pa.float64())
    raise InputError(
        f"feature column {column!r} has type {values.type}; loss estimation takes numbers, "
        f"booleans or text",
        param="feature_columns",
    )


def open_source(source: Any, format: str | None, what: str) -> ds.Dataset:
    """A dataset over a path (Parquet/CSV/JSON lines), an in-memory Arrow table, or the
    dataset itself."""
    if isinstance(source, pa.Table):
        return ds.dataset(source)
    if isinstance(source, ds.Dataset):
        return source
    if isinstance(source, str | Path):
        try:
            return open_dataset(str(source), format)
        except InputError as exc:
            raise type(exc)(f"{what}: {exc}", param=what) from None
    raise InputError(f"{what} must be a path or a pyarrow Table, got {type(source).__name__}")


def require_columns(dataset: ds.Dataset, columns: Sequence[str | None], what: str) -> None:
    """Fail with the missing and the available column names of `what`."""
    names = dataset.schema.names
    missing = [c for c in columns if c is not None and c not in names]
    if missing:
        raise InputError(
            f"{what} lack column(s) {', '.join(map(repr, missing))}; columns: {', '.join(names)}",
            param=missing[0],
        )


def batches(dataset: ds.Dataset, columns: list[str], what: str) -> Iterator[pa.RecordBatch]:
    """Stream projected batches, turning read errors into one DataSourceError."""
    try:
        yield from dataset.to_batches(
            columns=columns,
            batch_size=BATCH_ROWS,
            batch_readahead=1,
            fragment_readahead=1,
            fragment_scan_options=_scan_options(dataset),
            memory_pool=read_pool(),
        )
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataSourceError(f"cannot read {what}: {exc}", param=what) from exc


def _scan_options(dataset: ds.Dataset) -> ds.FragmentScanOptions | None:
    """Local Parquet is read one column chunk at a time: a fraction of the memory, as fast.

    (Pre-buffering whole row groups pays off on remote object stores only.)
    """
    local = isinstance(dataset, ds.FileSystemDataset) and isinstance(
        dataset.filesystem, pa.fs.LocalFileSystem
    )
    if local and isinstance(dataset.format, ds.ParquetFileFormat):
        return ds.ParquetFragmentScanOptions(pre_buffer=False)
    return None


def id_type(*types: pa.DataType) -> pa.DataType:
    """int64 when every id column is an integer, else string (so both sides join)."""
    return pa.int64() if all(pa.types.is_integer(t) for t in types) else pa.string()


def to_micros(values: pa.Array, column: str) -> np.ndarray:
    """Timestamps (naive = UTC), dates or ISO-8601 strings as int64 microseconds since epoch."""
    _no_nulls(values, column)
    kind = values.type
    try:
        if pa.types.is_timestamp(kind):
            stamp = pc.cast(values, pa.timestamp("us", kind.tz), safe=False)
        elif pa.types.is_date(kind):
            stamp = pc.cast(values, pa.timestamp("us"))
        elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
            try:
                stamp = pc.cast(values, pa.timestamp("us"))
            except pa.ArrowInvalid:
                stamp = pc.cast(values, pa.timestamp("us", "UTC"))
        else:
            raise InputError(
                f"timestamp column {column!r} has type {kind}; expected a timestamp, a date "
                f"or ISO-8601 strings",
                param=column,
            )
    except pa.ArrowInvalid as exc:
        raise InputError(f"timestamp column {column!r}: {exc}", param=column) from None
    return np.asarray(stamp.cast(pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)


def value_kind(kind: pa.DataType) -> str | None:
    """What a class column holds: "number", "boolean" or "text" (None: only nulls)."""
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    if pa.types.is_null(kind):
        return None
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return "number"
    if pa.types.is_boolean(kind):
        return "boolean"
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return "text"
    return str(kind)


def class_codes(
    values: pa.Array,
    column: str,
    valid: Sequence[str] | None,
    mapping: Mapping[str, str] | None = None,
) -> pa.Array:
    """Class labels as a dictionary of strings, checked against the training-time classes.

    `mapping` renames values first (e.g. labels "yes"/"no" to the predictions' "1"/"0"); a
    value it does not name is refused. Only the distinct values are cast and checked; rows
    keep small integer indices.
    """
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    encoded = pc.dictionary_encode(values)
    distinct = encoded.dictionary
    if pa.types.is_floating(distinct.type) and not np.isfinite(distinct.to_numpy()).all():
        raise InputError(
            f"class column {column!r} holds NaN or inf; expected class labels", param=column
        )
    try:
        strings = pc.cast(distinct, pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise InputError(
            f"class column {column!r} has type {values.type}; expected class labels",
            param=column,
        ) from None
    if mapping is not None:
        unmapped = sorted({v for v in strings.to_pylist() if v not in mapping})
        if unmapped:
            raise InputError(
                f"column {column!r} holds value(s) {unmapped[:5]} that the label map does not "
                f"name; it maps {sorted(mapping)}",
                param="label_map",
            )
        strings = pa.array([mapping[v] for v in strings.to_pylist()], pa.string())
    if valid is not None:
        unseen = pc.filter(
            strings, pc.invert(pc.is_in(strings, value_set=pa.array(list(valid), pa.string())))
        )
        if len(unseen):
            names = sorted(set(unseen.to_pylist()))[:5]
            raise InputError(
                f"column {column!r} holds class(es) never seen at training time: {names}; "
                f"known classes: {list(valid)}",
                param=column,
            )
    return pa.DictionaryArray.from_arrays(encoded.indices, strings)


def numbers(values: pa.Array, column: str, *, allow_null: bool = False) -> np.ndarray:
    """Float values of a numeric column; NaN (and nulls unless allowed) are refused.

    +-inf is kept: rows of regression targets holding it are counted and left out of the
    metrics; score columns refuse it as a value outside [0, 1].
    """
    if not (pa.types.is_integer(values.type) or pa.types.is_floating(values.type)):
        raise InputError(
            f"column {column!r} has type {values.type}; expected numbers", param=column
        )
    if not allow_null:
        _no_nulls(values, column)
    floats = np.asarray(values.cast(pa.float64()).to_numpy(zero_copy_only=False))
    if np.isnan(floats[~np.asarray(values.is_null())]).any():
        raise InputError(f"column {column!r} holds NaN; expected numbers", param=column)
    return floats


def check_probabilities(scores: list[np.ndarray], columns: Sequence[str]) -> None:
    """Each score in [0, 1]; several columns (one per class) sum to 1 per row."""
    for values, column in zip(scores, columns, strict=True):
        if len(values) and (values.min() < 0 or values.max() > 1):
            raise InputError(
                f"score column {column!r} holds values outside [0, 1] (min {values.min():g}, "
                f"max {values.max():g}); expected class probabilities",
                param=column,
            )
    if len(scores) > 1 and len(scores[0]):
        total = np.sum(scores, axis=0)
        bad = np.flatnonzero(np.abs(total - 1.0) > PROBA_SUM_TOLERANCE)
        if len(bad):
            raise InputError(
                f"score columns {list(columns)} do not sum to 1 in {len(bad)} row(s) "
                f"(first: {total[bad[0]]:g}); expected one probability per class",
                param="score_columns",
            )


def _no_nulls(values: pa.Array, column: str) -> None:
    if values.null_count:
        raise InputError(f"column {column!r} holds {values.null_count} null value(s)", param=column)


def _plural(kinds: set[str]) -> str:
    names = {"number": "numbers", "boolean": "booleans"}
    return "/".join(sorted(names.get(k, k) for k in kinds))


def distinct_ints(values: np.ndarray) -> list[int]:
    """The distinct values of an int64 array; a bincount when they span a short range."""
    if len(values) == 0:
        return []
    low, high = int(values.min()), int(values.max())
    if high - low < 1 << 16:
        return (np.flatnonzero(np.bincount(values - low)) + low).tolist()
    return np.unique(values).tolist()


class Normalizer:
    """Turns input batches into internal columns; remembers windows and classes seen."""

    def __init__(self, options: PerformanceOptions, ids: pa.DataType | None) -> None:
        self.options = options
        self.id_type = ids
        self.periods = options.periods
        self.windows: set[int] = set()
        self.classes_seen: set[str] = set()
        # per role ("label", "prediction"): the kinds of values and the classes seen
        self.kinds: dict[str, set[str]] = {"label": set(), "prediction": set()}
        self.classes_by_role: dict[str, set[str]] = {"label": set(), "prediction": set()}

    def target(self, values: pa.Array, column: str, *, allow_null: bool) -> pa.Array:
        """A label or prediction column in its task's type."""
        if self.options.task == "regression":
            floats = numbers(values, column, allow_null=allow_null)
            return pa.array(floats, pa.float64(), mask=np.asarray(values.is_null()))
        if not allow_null:
            _no_nulls(values, column)
        role = "label" if column == self.options.label_column else "prediction"
        mapping = self.options.label_map if role == "label" else None
        codes = class_codes(values, column, self.options.classes, mapping)
        seen = {v for v in codes.dictionary.to_pylist() if v is not None}
        self.classes_seen.update(seen)
        kind = "mapped" if mapping is not None else value_kind(values.type)
        if kind is not None and values.null_count < len(values):
            self.kinds[role].add(kind)
        self.classes_by_role[role].update(seen)
        return codes

    def check_label_types(self) -> None:
        """Refuse labels whose values are of another kind than the predictions' and name
        classes the predictions never use ("yes"/"no" against 0/1): joined as they are,
        every label would disagree with every prediction."""
        o = self.options
        labels, predictions = self.kinds["label"], self.kinds["prediction"]
        if o.task != "classification" or not labels or not predictions or "mapped" in labels:
            return
        known = self.classes_by_role["prediction"] | set(o.classes or ())
        stray = sorted(self.classes_by_role["label"] - known)
        if labels != predictions and stray:
            used = sorted(self.classes_by_role["prediction"])[:5]
            raise InputError(
                f"labels in {o.label_column!r} are {_plural(labels)} ({', '.join(stray[:5])}) "
                f"but predictions in {o.prediction_column!r} are {_plural(predictions)} "
                f"({', '.join(used)}); map the labels to prediction classes with label_map "
                f"(CLI: e.g. --label-map yes=1,no=0)",
                param="label_map",
            )

    def predictions(self, batch: pa.RecordBatch, with_labels: bool) -> pa.RecordBatch:
        """Internal columns of a predictions batch (with `_label` when labels ride along)."""
        o = self.options
        out: dict[str, pa.Array] = {}
        if self.id_type is not None and o.id_column is not None:
            _no_nulls(batch[o.id_column], o.id_column)
            out[ID] = batch[o.id_column].cast(self.id_type)
        window = self.periods.index(to_micros(batch[o.timestamp_column], o.timestamp_column))
        self.windows.update(distinct_ints(window))
        out[WINDOW] = pa.array(window, pa.int64())
        out[PRED] = self.target(batch[o.prediction_column], o.prediction_column, allow_null=False)
        scores = [numbers(batch[c], c) for c in o.score_columns]
        check_probabilities(scores, o.score_columns)
        for i, values in enumerate(scores):
            out[score_name(i)] = pa.array(values, pa.float64())
        for i, column in enumerate(o.segment_columns):
            out[segment_name(i)] = pc.cast(batch[column], pa.string())
        for i, column in enumerate(o.feature_columns):
            out[feature_name(i)] = feature_values(batch[column], column)
        if with_labels:
            out[LABEL] = self.target(batch[o.label], o.label, allow_null=True)
        elif self.id_type is None:  # no labels yet: every row unlabelled
            kind = pa.float64() if o.task == "regression" else CLASS_TYPE
            out[LABEL] = pa.nulls(batch.num_rows, kind)
        return pa.RecordBatch.from_pydict(out)

    def labels(self, batch: pa.RecordBatch, offset: int) -> pa.RecordBatch:
        """Internal columns of a labels batch (a null label = not labelled yet)."""
        o = self.options
        assert self.id_type is not None and o.id_column is not None
        _no_nulls(batch[o.id_column], o.id_column)
        if o.label_timestamp_column is not None:
            order = to_micros(batch[o.label_timestamp_column], o.label_timestamp_column)
        else:
            order = np.arange(offset, offset + batch.num_rows, dtype=np.int64)
        return pa.RecordBatch.from_pydict(
            {
                ID: batch[o.id_column].cast(self.id_type),
                LABEL: self.target(batch[o.label], o.label, allow_null=True),
                LABEL_ORDER: pa.array(order, pa.int64()),
            }
        )

    def reference(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """Internal columns of a labelled reference batch (predictions, labels, scores)."""
        o = self.options
        out = {
            PRED: self.target(batch[o.prediction_column], o.prediction_column, allow_null=False),
            LABEL: self.target(batch[o.label], o.label, allow_null=True),
        }
        scores = [numbers(batch[c], c) for c in o.score_columns]
        check_probabilities(scores, o.score_columns)
        for i, values in enumerate(scores):
            out[score_name(i)] = pa.array(values, pa.float64())
        for i, column in enumerate(o.feature_columns):
            out[feature_name(i)] = feature_values(batch[column], column)
        return pa.RecordBatch.from_pydict(out)
