"""run_performance: join predictions with late labels, score each window, write the report."""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from driftline.errors import EmptyDataError, InputError, UnknownNameError
from driftline.performance.calibration import Calibration
from driftline.performance.classification import ClassificationStats
from driftline.performance.degradation import check_baseline, metric_names
from driftline.performance.dle import MIN_REFERENCE_ROWS, Feature, LossModel
from driftline.performance.evaluate import Stats, TargetSpec, evaluate, labelled
from driftline.performance.html import render_performance_html
from driftline.performance.join import (
    LabelSummary,
    add_windows,
    bucket_count,
    join_labels,
)
from driftline.performance.options import PerformanceOptions
from driftline.performance.prepare import (
    CLASS_TYPE,
    LABEL,
    PRED,
    Normalizer,
    batches,
    feature_name,
    id_type,
    open_source,
    require_columns,
)
from driftline.performance.ranking import roc_curve_from_bins
from driftline.performance.spill import Partitions
from driftline.performance.state import WindowState
from driftline.performance.windows import INVALID, WindowContext, window_entry
from driftline.report import PerformanceReport, ReportPaths

SCHEMA_VERSION = PerformanceReport.SCHEMA_VERSION
MAX_CLASSES = 1000


@dataclass
class PerformanceResult:
    """The report, where it was written, and what the KFP UI draws."""

    report: PerformanceReport
    json_path: str
    html_path: str

    @cached_property
    def document(self) -> dict[str, Any]:
        """The report's JSON document."""
        return self.report.to_dict()

    @property
    def degraded(self) -> bool:
        return self.report.degraded

    @property
    def invalid_windows(self) -> list[str]:
        """Starts of the windows that held non-finite predictions or labels."""
        return list(self.document.get("invalid_windows") or [])

    @property
    def confusion_matrix(self) -> tuple[list[str], list[list[int]]] | None:
        """(categories, matrix) over all labelled rows; None for regression."""
        overall = self.document["overall"]
        if "confusion_matrix" not in overall:
            return None
        return list(self.document["classes"]), overall["confusion_matrix"]

    @property
    def roc_curve(self) -> tuple[list[float], list[float], list[float]] | None:
        """(fpr, tpr, thresholds) over all labelled rows of a scored binary task, else None."""
        curve = self.document["overall"].get("roc_curve")
        return (curve["fpr"], curve["tpr"], curve["thresholds"]) if curve else None

    @property
    def estimated_degraded_windows(self) -> list[str]:
        """Starts of the windows without enough labels whose estimate degraded."""
        return list(self.document.get("estimated_degraded_windows") or [])

    def scalars(self) -> dict[str, float]:
        """Flat metric values for KFP Metrics: `<metric>@<window start>`, the estimates
        `estimated_<metric>@<window start>`, and `overall_<metric>`."""
        out = {}
        for window in self.document["windows"]:
            for name, value in window["metrics"].items():
                if value is not None and value == value:
                    out[f"{name}@{window['start']}"] = float(value)
            for name, entry in (window.get("estimate") or {}).get("metrics", {}).items():
                if entry["value"] == entry["value"]:
                    out[f"estimated_{name}@{window['start']}"] = float(entry["value"])
        for name, value in self.document["overall"]["metrics"].items():
            if value is not None and value == value:
                out[f"overall_{name}"] = float(value)
        return out


def run_performance(
    predictions: Any, labels: Any = None, out_dir: str | Path | ReportPaths = ".", **options: Any
) -> PerformanceResult:
    """Score predictions against late labels per time window; write JSON + HTML to `out_dir`.

    `predictions` and `labels` are paths (Parquet, CSV, JSON lines) or Arrow tables.
    `labels=None` reads `label_column` from the predictions (a window that already holds
    labels); when the predictions have no such column there are no labels yet: the report
    says so (`label_status`) and gives the estimates. Options: see `PerformanceOptions`.
    """
    opts = PerformanceOptions.from_kwargs(options)
    if opts.baseline is not None and opts.reference is not None:
        raise InputError(
            "pass either `baseline` (metrics) or `reference` (a labelled set), not both",
            param="baseline",
        )
    baseline = check_baseline(opts.baseline, opts.task) if opts.baseline is not None else None
    check_metric_names(opts)
    reference = _read_reference(opts) if opts.reference is not None else None
    if reference is not None and opts.task == "classification" and opts.classes is None:
        opts = dataclasses.replace(opts, classes=tuple(reference[1]))
    with tempfile.TemporaryDirectory(prefix="driftline-performance-") as work:
        joined, normalizer, summary = join_predictions(predictions, labels, opts, Path(work))
        normalizer.check_label_types()
        spec = target_spec(opts, normalizer.classes_seen)
        calibration = _calibration(opts, spec, reference[0] if reference is not None else None)
        loss_model = _loss_model(opts, reference[0] if reference is not None else None)
        if reference is not None:
            baseline = evaluate(labelled(reference[0]), spec)[1]
        context = WindowContext(opts, spec, baseline, calibration, loss_model)
        windows, overall, ranked, method = _score_windows(
            joined, sorted(normalizer.windows), context
        )
    document = report_document(
        opts, spec, windows, overall, baseline, summary, reference is not None
    )
    document["overall"]["metrics"].update(ranked)
    if method is not None:
        document["overall"]["ranking"] = method
    document["calibration"] = calibration.to_dict(spec.classes) if calibration else None
    if spec.task == "regression":
        document["loss_model"] = loss_model.to_dict() if loss_model else None
    report = PerformanceReport.from_document(document)
    return publish_report(report, out_dir, render_performance_html(report.to_dict()))


def check_metric_names(opts: PerformanceOptions) -> None:
    for name in opts.degradation_metrics or ():
        if name not in metric_names(opts.task):
            raise UnknownNameError(f"{opts.task} metric", name, metric_names(opts.task))


def _read_reference(opts: PerformanceOptions) -> tuple[pa.Table, list[str]]:
    """The labelled reference set in internal columns, and its (training-time) classes."""
    dataset = open_source(opts.reference, opts.format, "reference")
    columns = [opts.prediction_column, opts.label, *opts.score_columns, *opts.feature_columns]
    require_columns(dataset, columns, "reference")
    normalizer = Normalizer(opts, None)
    parts = [normalizer.reference(b) for b in batches(dataset, columns, "reference")]
    normalizer.check_label_types()
    if not parts or not sum(p.num_rows for p in parts):
        raise EmptyDataError("the reference set has no rows", param="reference")
    return pa.Table.from_batches(parts), sorted_classes(normalizer.classes_seen)


def join_predictions(
    predictions: Any, labels: Any, opts: PerformanceOptions, work: Path
) -> tuple[Partitions, Normalizer, LabelSummary | None]:
    """The prediction rows (with labels) by window, spilled under `work` unless they are few."""
    pred_ds = open_source(predictions, opts.format, "predictions")
    columns = [
        opts.timestamp_column,
        opts.prediction_column,
        *opts.score_columns,
        *opts.segment_columns,
        *opts.feature_columns,
    ]
    columns = list(dict.fromkeys(columns))
    if labels is None:
        with_labels = opts.label_column is not None and opts.label_column in pred_ds.schema.names
        if with_labels:
            columns = list(dict.fromkeys([*columns, opts.label]))
        require_columns(pred_ds, columns, "predictions")
        normalizer = Normalizer(opts, None)
        spill = bucket_count(pred_ds.count_rows()) > 1
        windows = Partitions(work / "joined" if spill else None)
        for batch in batches(pred_ds, columns, "predictions"):
            add_windows(windows, normalizer.predictions(batch, with_labels))
        return windows, normalizer, None
    if opts.id_column is None:
        raise InputError("joining labels needs `id_column`", param="id_column")
    label_ds = open_source(labels, opts.labels_format or opts.format, "labels")
    label_columns = [opts.id_column, opts.label]
    if opts.label_timestamp_column:
        label_columns.append(opts.label_timestamp_column)
    columns = list(dict.fromkeys([*columns, opts.id_column]))
    require_columns(pred_ds, columns, "predictions")
    require_columns(label_ds, label_columns, "labels")
    ids = id_type(
        pred_ds.schema.field(opts.id_column).type, label_ds.schema.field(opts.id_column).type
    )
    normalizer = Normalizer(opts, ids)
    summary = LabelSummary(rule=opts.duplicate_labels)
    stream = (normalizer.predictions(b, False) for b in batches(pred_ds, columns, "predictions"))
    label_type = pa.float64() if opts.task == "regression" else CLASS_TYPE
    buckets = bucket_count(pred_ds.count_rows())
    joined = join_labels(
        stream,
        _label_batches(normalizer, label_ds, label_columns),
        work if buckets > 1 else None,
        buckets,
        summary,
        label_type,
    )
    return joined, normalizer, summary


def _label_batches(
    normalizer: Normalizer, dataset: ds.Dataset, columns: list[str]
) -> Iterator[pa.RecordBatch]:
    offset = 0
    for batch in batches(dataset, columns, "labels"):
        yield normalizer.labels(batch, offset)
        offset += batch.num_rows


def sorted_classes(values: set[str]) -> list[str]:
    """Class labels in scikit-learn's order: numerically when all are numbers."""
    try:
        return sorted(values, key=float)
    except ValueError:
        return sorted(values)


def target_spec(opts: PerformanceOptions, seen: set[str]) -> TargetSpec:
    if opts.task == "regression":
        return TargetSpec("regression")
    classes = list(opts.classes) if opts.classes is not None else sorted_classes(seen)
    if len(classes) > MAX_CLASSES:
        raise InputError(
            f"found {len(classes)} distinct classes in {opts.label_column!r}/"
            f"{opts.prediction_column!r}; is this a regression task? (`task='regression'`)",
            param="task",
        )
    n_scores = len(opts.score_columns)
    if n_scores == 1 and len(classes) != 2:
        raise InputError(
            f"one score column is the positive-class probability of a binary task, but the "
            f"classes are {classes}; pass `classes` with the two classes, or one score column "
            f"per class",
            param="score_columns",
        )
    if n_scores > 1 and n_scores != len(classes):
        raise InputError(
            f"{n_scores} score columns for {len(classes)} classes {classes}; give one "
            f"probability column per class, in `classes` order",
            param="score_columns",
        )
    positive = 1
    if opts.positive_label is not None:
        if opts.positive_label not in classes:
            raise UnknownNameError("positive label", opts.positive_label, classes)
        positive = classes.index(opts.positive_label)
    return TargetSpec("classification", tuple(classes), positive, n_scores)


def _calibration(
    opts: PerformanceOptions, spec: TargetSpec, reference: pa.Table | None
) -> Calibration | None:
    """The recorded calibration, or one fit on the labelled reference; None without scores."""
    if spec.task != "classification" or not spec.n_scores or opts.calibration_method == "none":
        return None
    if opts.calibration is not None:
        return Calibration.from_dict(opts.calibration, spec.classes)
    if reference is None:
        return None
    rows = labelled(reference)
    proba = spec.scores(rows)
    if proba is None or rows.num_rows == 0:
        return None
    return Calibration.fit(spec.class_index(rows[LABEL]), proba, spec.positive_index)


def _loss_model(opts: PerformanceOptions, reference: pa.Table | None) -> LossModel | None:
    """The recorded loss model, or one fit on the labelled reference (finite rows); None for
    classification, without either, or when the reference has too few rows to fit one
    (an error when feature columns were asked for)."""
    if opts.task != "regression" or not opts.estimate:
        return None
    if opts.loss_model is not None:
        return LossModel.from_dict(opts.loss_model, opts.feature_columns)
    if reference is None:
        return None
    rows = labelled(reference)
    finite = pc.and_(pc.is_finite(rows[PRED]), pc.is_finite(rows[LABEL]))
    rows = rows.filter(finite)
    if rows.num_rows < MIN_REFERENCE_ROWS and not opts.feature_columns:
        return None
    columns = [rows[feature_name(i)] for i in range(len(opts.feature_columns))]
    features = [Feature.of(n, c) for n, c in zip(opts.feature_columns, columns, strict=True)]
    prediction, label = rows[PRED].to_numpy(), rows[LABEL].to_numpy()
    return LossModel.fit(features, columns, prediction, label, seed=opts.seed)


def _score_windows(
    joined: Partitions, windows: list[int], ctx: WindowContext
) -> tuple[list[dict[str, Any]], Stats, dict[str, float], dict[str, Any] | None]:
    """Window entries, the statistics of all labelled rows, their rank metrics (from the
    windows' merged score counts) and how those were computed. Memory holds one window's
    state, and its rows only when segments or estimates need them together."""
    if not windows:
        raise EmptyDataError("the predictions have no rows", param="predictions")
    entries = []
    together = WindowState()
    for index in windows:
        table = joined.read(index)
        assert table is not None  # every window seen holds rows
        joined.drop(index)
        entry, window = window_entry(index, table, ctx)
        entries.append(entry)
        together.merge(window)
    overall, ranked, method = together.stats(ctx.spec)
    if not together.labelled_rows:
        return entries, overall, {}, None
    return entries, overall, ranked, method


def report_document(
    opts: PerformanceOptions,
    spec: TargetSpec,
    windows: list[dict[str, Any]],
    overall: Stats,
    baseline: dict[str, float] | None,
    summary: LabelSummary | None,
    from_reference: bool,
) -> dict[str, Any]:
    rows = sum(w["rows"] for w in windows)
    overall_entry: dict[str, Any] = {
        "rows": rows,
        "labelled_rows": overall.rows,
        "label_coverage": overall.rows / rows if rows else 0.0,
        "non_finite_rows": sum(w["non_finite_rows"] for w in windows),
        "metrics": overall.metrics(),
    }
    if isinstance(overall, ClassificationStats):
        overall_entry["confusion_matrix"] = overall.confusion.tolist()
        if overall.scored and len(spec.classes) == 2:
            fpr, tpr, thresholds = roc_curve_from_bins(overall.roc_positive, overall.roc_negative)
            if fpr:
                overall_entry["roc_curve"] = {"fpr": fpr, "tpr": tpr, "thresholds": thresholds}
    degraded = [w["start"] for w in windows if w["degraded"]]
    label_status = "labelled" if overall.rows else "no labels yet"
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "kind": "performance",
        "task": opts.task,
        "window": opts.window,
        "timezone": opts.timezone,
        "columns": {
            "id": opts.id_column,
            "timestamp": opts.timestamp_column,
            "prediction": opts.prediction_column,
            "label": opts.label_column,
            "label_timestamp": opts.label_timestamp_column,
            "scores": list(opts.score_columns),
            "segments": list(opts.segment_columns),
        },
        "min_labelled_rows": opts.min_labelled_rows,
        "degradation_rule": {
            "mode": opts.degradation_mode,
            "threshold": opts.degradation_threshold,
            "metrics": list(opts.degradation_metrics) if opts.degradation_metrics else None,
        },
        "baseline": baseline,
        "baseline_source": ("reference" if from_reference else "given") if baseline else None,
        "labels": summary.as_dict() if summary else None,
        "label_status": label_status,
        "windows": windows,
        "overall": overall_entry,
        "degraded": bool(degraded),
        "degraded_windows": degraded,
        "invalid_windows": [w["start"] for w in windows if w["status"] == INVALID],
        "estimated_degraded_windows": [w["start"] for w in windows if w.get("estimated_degraded")],
    }
    if spec.task == "classification":
        document["classes"] = list(spec.classes)
        document["positive_label"] = (
            spec.classes[spec.positive_index] if len(spec.classes) == 2 else None
        )
    return document


def write_no_labels_report(
    out_dir: str | Path | ReportPaths, task: str = "classification"
) -> PerformanceResult:
    """The report of a run that has no labels to score against (none configured yet).

    Lets a monitoring pipeline run its performance step for models without ground truth:
    no windows are judged and nothing is degraded.
    """
    from driftline.report import html as report_html

    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "kind": "performance",
        "task": task,
        "status": "no_labels",
        "windows": [],
        "overall": {"rows": 0, "labelled_rows": 0, "label_coverage": 0.0, "metrics": {}},
        "baseline": None,
        "degraded": False,
        "degraded_windows": [],
    }
    page = report_html.page(
        "Performance report",
        "no labels configured",
        "<p>No labels source or label column was given, so no window was scored.</p>",
    )
    return publish_report(PerformanceReport.from_document(document), out_dir, page)


def publish_report(
    report: PerformanceReport, out_dir: str | Path | ReportPaths, html: str
) -> PerformanceResult:
    paths = report.dump(out_dir, html=html)
    return PerformanceResult(report, paths.json, paths.html)
