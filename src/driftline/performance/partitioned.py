"""Performance of a window scored part by part: one state per part, one report from all.

`partition_state` joins one part of a window's predictions (e.g. the row groups one fan-out
pod reads) with the labels of that part's ids and keeps only a `PerformanceState`: memory
holds one id partition of the part, never the window. `report_from_states` merges the
parts' states and writes the report `run_performance` writes for the whole window: the same
windows, counts, metrics and verdicts (rank metrics by the method `score_counts` states).

Not on this path: segment metrics and CBPE estimates need a window's rows together, and
label ids without any prediction are not counted (each part reads only the labels of its
own prediction ids).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from driftline.errors import EmptyDataError, InputError
from driftline.performance.degradation import check_baseline
from driftline.performance.html import render_performance_html
from driftline.performance.options import PerformanceOptions
from driftline.performance.prepare import batches, id_type, open_source, require_columns
from driftline.performance.run import (
    PerformanceResult,
    check_metric_names,
    join_predictions,
    publish_report,
    report_document,
    target_spec,
)
from driftline.performance.state import PerformanceState, WindowState
from driftline.performance.windows import WindowContext, state_entry
from driftline.report import PerformanceReport, ReportPaths

FAN_OUT_UNSUPPORTED = (
    "segment_columns",
    "reference",
    "calibration",
    "feature_columns",
    "loss_model",
)


def partition_state(predictions: Any, labels: Any = None, **options: Any) -> PerformanceState:
    """The mergeable performance state of one part of the predictions.

    `predictions` is a path, an Arrow table or a pyarrow dataset (e.g. a partition's row
    groups, filtered to the monitoring window); `labels` a path or table of late labels, of
    which only the rows whose id is among these predictions are read. Options: those of
    `run_performance` that do not need a window's rows together (no segments, reference,
    calibration or loss model).
    """
    opts = PerformanceOptions.from_kwargs(options)
    _refuse_unsupported(opts)
    pred_ds = open_source(predictions, opts.format, "predictions")
    label_ds = None
    if labels is not None:
        label_ds = _labels_of_ids(pred_ds, labels, opts)  # about one row per prediction
    state = PerformanceState(opts.task, len(opts.score_columns))
    with tempfile.TemporaryDirectory(prefix="driftline-performance-") as work:
        joined, normalizer, summary = join_predictions(pred_ds, label_ds, opts, Path(work))
        normalizer.check_label_types()
        windows = joined.keys()  # sorted window indices that hold rows
        for index in windows:
            table = joined.read(index)
            assert table is not None
            joined.drop(index)
            state.add_window(index, table)
    if summary is not None:
        state.labels = {
            "matched": summary.matched,
            "missing_values": summary.missing_values,
            "duplicates": summary.duplicates,
        }
    return state


def _labels_of_ids(pred_ds: ds.Dataset, labels: Any, opts: PerformanceOptions) -> pa.Table:
    """The labels whose id is among the predictions' ids, streamed through one hash index
    of those ids (a dataset `isin` filter rebuilds its set per batch)."""
    if opts.id_column is None:
        raise InputError("joining labels needs `id_column`", param="id_column")
    label_ds = open_source(labels, opts.labels_format or opts.format, "labels")
    require_columns(pred_ds, [opts.id_column], "predictions")
    require_columns(label_ds, [opts.id_column], "labels")
    common = id_type(
        pred_ds.schema.field(opts.id_column).type, label_ds.schema.field(opts.id_column).type
    )
    ids = pc.unique(pred_ds.to_table(columns=[opts.id_column])[opts.id_column].cast(common))
    index = pd.Index(ids.to_numpy(zero_copy_only=False))
    kept = [
        batch.filter(pa.array(index.get_indexer(_values(batch, opts.id_column, common)) >= 0))
        for batch in batches(label_ds, label_ds.schema.names, "labels")
    ]
    return pa.Table.from_batches(kept, schema=label_ds.schema)


def _values(batch: pa.RecordBatch, column: str, kind: pa.DataType) -> np.ndarray:
    return np.asarray(batch[column].cast(kind).to_numpy(zero_copy_only=False))


def _refuse_unsupported(opts: PerformanceOptions) -> None:
    for name in FAN_OUT_UNSUPPORTED:
        value = getattr(opts, name)
        if value:
            raise InputError(
                f"`{name}` needs a window's rows together, so it is not supported when the "
                f"window is scored part by part; use the single-task path (fan_out='never')",
                param=name,
            )


def merge_states(states: Iterable[PerformanceState]) -> PerformanceState:
    """One state of the parts' rows together (an error without any part)."""
    merged: PerformanceState | None = None
    for state in states:
        if merged is None:
            merged = PerformanceState(state.task, state.n_scores, state.max_distinct, parts=0)
        merged.merge(state)
    if merged is None:
        raise EmptyDataError("no performance states to merge", param="states")
    return merged


def report_from_states(
    states: Iterable[PerformanceState],
    out_dir: str | Path | ReportPaths = ".",
    **options: Any,
) -> PerformanceResult:
    """Merge the parts' states and write the window's report (JSON + HTML) to `out_dir`.

    Options: `run_performance`'s that judge and name windows (task, window, timezone,
    classes, positive_label, baseline, min_labelled_rows, degradation_*, column names).
    """
    opts = PerformanceOptions.from_kwargs(options)
    _refuse_unsupported(opts)
    baseline = check_baseline(opts.baseline, opts.task) if opts.baseline is not None else None
    check_metric_names(opts)
    merged = merge_states(states)
    if merged.task != opts.task:
        raise InputError(f"the states are of a {merged.task} task, not {opts.task}", param="task")
    if not merged.windows:
        raise EmptyDataError("the predictions have no rows", param="predictions")
    seen = {
        c for w in merged.windows.values() if w.classification for c in w.classification.classes
    }
    spec = target_spec(opts, seen)
    context = WindowContext(opts, spec, baseline)
    together = WindowState()
    entries = []
    for index in sorted(merged.windows):
        entries.append(state_entry(index, merged.windows[index], context)[0])
        together.merge(merged.windows[index])
    overall, ranked, method = together.stats(spec)
    document = report_document(opts, spec, entries, overall, baseline, None, False)
    if together.labelled_rows:
        document["overall"]["metrics"].update(ranked)
        if method is not None:
            document["overall"]["ranking"] = method
    if merged.labels is not None:
        document["labels"] = {
            **merged.labels,
            "rows": None,
            "unknown_ids": None,  # each part reads the labels of its own ids only
            "unknown_id_examples": [],
            "duplicate_rule": opts.duplicate_labels,
        }
    document["execution"] = {"path": "fan-out", "parts": merged.parts}
    report = PerformanceReport.from_document(document)
    return publish_report(report, out_dir, render_performance_html(report.to_dict()))
