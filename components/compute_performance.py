"""compute_performance: model quality per time window once late labels arrive."""

from typing import NamedTuple, Optional

from kfp.dsl import HTML, Artifact, ClassificationMetrics, Dataset, Input, Metrics, Output

from driftline.components._declare import component


@component
def compute_performance(
    predictions: Input[Dataset],
    report: Output[Artifact],
    report_html: Output[HTML],
    metrics: Output[Metrics],
    classification_metrics: Output[ClassificationMetrics],
    labels_uri: Optional[str] = None,  # noqa: UP045  kfp 2.13 does not parse `X | None`
    task: str = "classification",
    id_column: str = "id",
    timestamp_column: str = "timestamp",
    prediction_column: str = "prediction",
    label_column: Optional[str] = "label",  # noqa: UP045
    label_timestamp_column: Optional[str] = None,  # noqa: UP045
    score_columns: Optional[list] = None,  # noqa: UP045
    segment_columns: Optional[list] = None,  # noqa: UP045
    feature_columns: Optional[list] = None,  # noqa: UP045
    classes: Optional[list] = None,  # noqa: UP045
    positive_label: Optional[str] = None,  # noqa: UP045
    window: str = "1d",
    timezone: str = "UTC",
    baseline_metrics: Optional[dict] = None,  # noqa: UP045
    reference_uri: Optional[str] = None,  # noqa: UP045
    min_labelled_rows: int = 100,
    degradation_threshold: float = 0.1,
    degradation_mode: str = "relative",
    degradation_metrics: Optional[list] = None,  # noqa: UP045
    duplicate_labels: str = "latest",
    label_map: Optional[dict] = None,  # noqa: UP045
    estimate: bool = True,
    calibration_method: str = "isotonic",
    calibration: Optional[dict] = None,  # noqa: UP045
    loss_model: Optional[dict] = None,  # noqa: UP045
    include_estimated: bool = False,
    data_format: Optional[str] = None,  # noqa: UP045
) -> NamedTuple("Outputs", [("degraded", bool)]):  # type: ignore[valid-type]
    """Scores predictions against late-arriving labels per time window and flags degradation.

    Args:
        predictions: Predictions dataset (Parquet/CSV/JSON lines): id, prediction time,
            prediction, optional class probabilities and segment columns.
        labels_uri: Path or URI of the labels table (id, label, optional label time),
            joined on id_column; unset when the predictions hold the label column. With
            neither (labels_uri and label_column unset) the report says "no labels" and
            nothing is judged.
        task: "classification" or "regression".
        id_column: Column joining predictions and labels.
        timestamp_column: Prediction time column; windows are cut on it.
        prediction_column: Predicted class or value.
        label_column: Ground-truth class or value.
        label_timestamp_column: Label time column; the latest label of an id wins.
        score_columns: Class probability columns, in classes order (one = positive class).
        segment_columns: Report metrics per value of these columns too.
        feature_columns: Regression: model inputs that, with the prediction, feed the loss
            estimate (DLE) fit on reference_uri.
        classes: Classes known at training time (default: those in the data, sorted).
        positive_label: Positive class of a binary task (default: the greater label).
        window: Calendar window (1d, 1w ISO weeks, 1mo, 3mo/1q, 1y) or fixed (30m, 1h).
        timezone: IANA timezone of calendar windows (default UTC), e.g. Europe/Berlin.
        baseline_metrics: Training-time metrics (metric name -> value) from the model lineage.
        reference_uri: Path or URI of a labelled reference set (e.g. the holdout) whose
            metrics are the baseline, instead of baseline_metrics.
        min_labelled_rows: Labelled rows a window needs to be judged.
        degradation_threshold: Worsening beyond this (relative or absolute) is degradation.
        degradation_mode: "relative" or "absolute".
        degradation_metrics: Metrics to judge; unset judges every metric of the baseline.
        duplicate_labels: Several labels for one id: "latest" wins, or "error".
        label_map: Label value -> prediction class (e.g. {"yes": "1", "no": "0"}) when the
            labels are spelled otherwise than the predictions; without it they are refused.
        estimate: Estimate metrics of unlabelled windows: from the scores (CBPE), or for
            regression from a loss model (DLE; needs reference_uri or loss_model).
        calibration_method: How reference_uri calibrates the scores before estimating:
            "isotonic" or "none".
        calibration: A calibration recorded in the baseline (a performance report's
            "calibration" block), applied without refitting.
        loss_model: A regression loss model recorded in the baseline (a performance
            report's "loss_model" block), applied without refitting.
        include_estimated: `degraded` is also true for an estimated degradation (a window
            without enough labels whose whole estimate interval degraded).
        data_format: "parquet", "csv" or "jsonl"; unset: Parquet for suffix-less KFP paths.

    Returns:
        report: performance_report.json; metadata "degraded".
        report_html: Self-contained report page: each metric over time against the baseline.
        metrics: Each metric per window ("<metric>@<window start>") and overall.
        classification_metrics: Confusion matrix and ROC curve over all labelled rows.
        degraded: True when a window with enough labels degraded against the baseline, or
            held non-finite values (or, with include_estimated, degraded by its estimate).
    """
    from driftline.exits import exit_on_error
    from driftline.platforms.kfp.steps.performance import compute_performance_outputs

    with exit_on_error():
        return compute_performance_outputs(
            predictions,
            report,
            report_html,
            metrics,
            classification_metrics,
            labels_uri=labels_uri,
            task=task,
            id_column=id_column,
            timestamp_column=timestamp_column,
            prediction_column=prediction_column,
            label_column=label_column,
            label_timestamp_column=label_timestamp_column,
            score_columns=score_columns,
            segment_columns=segment_columns,
            feature_columns=feature_columns,
            classes=classes,
            positive_label=positive_label,
            window=window,
            timezone=timezone,
            baseline_metrics=baseline_metrics,
            reference_uri=reference_uri,
            min_labelled_rows=min_labelled_rows,
            degradation_threshold=degradation_threshold,
            degradation_mode=degradation_mode,
            degradation_metrics=degradation_metrics,
            duplicate_labels=duplicate_labels,
            label_map=label_map,
            estimate=estimate,
            calibration_method=calibration_method,
            calibration=calibration,
            loss_model=loss_model,
            include_estimated=include_estimated,
            data_format=data_format,
        )
