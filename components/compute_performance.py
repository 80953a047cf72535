"""compute_performance: model quality per time window once late labels arrive."""

from typing import Optional

from kfp import dsl
from kfp.dsl import HTML, Artifact, ClassificationMetrics, Dataset, Input, Metrics, Output

from driftline.components.image import IMAGE


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def compute_performance(
    predictions: Input[Dataset],
    metrics: Output[Metrics],
    classification_metrics: Output[ClassificationMetrics],
    html: Output[HTML],
    report: Output[Artifact],
    labels_uri: str = "",
    task: str = "classification",
    id_column: str = "id",
    timestamp_column: str = "timestamp",
    prediction_column: str = "prediction",
    label_column: str = "label",
    label_timestamp_column: str = "",
    score_columns: Optional[list] = None,  # noqa: UP045  kfp 2.13 does not parse `X | None`
    segment_columns: Optional[list] = None,  # noqa: UP045  kfp 2.13 does not parse `X | None`
    classes: Optional[list] = None,  # noqa: UP045  kfp 2.13 does not parse `X | None`
    positive_label: str = "",
    window: str = "1d",
    baseline_metrics: Optional[dict] = None,  # noqa: UP045  kfp 2.13 does not parse `X | None`
    min_labelled_rows: int = 100,
    degradation_threshold: float = 0.1,
    degradation_mode: str = "relative",
    data_format: str = "",
) -> bool:
    """Scores predictions against late-arriving labels per time window and flags degradation.

    Args:
        predictions: Predictions dataset (Parquet/CSV/JSON lines): id, prediction time,
            prediction, optional class probabilities and segment columns.
        labels_uri: Path or URI of the labels table (id, label, optional label time),
            joined on id_column; empty when the predictions hold the label column. With
            neither (empty labels_uri and label_column) the report says "no labels" and
            nothing is judged.
        task: "classification" or "regression".
        id_column: Column joining predictions and labels.
        timestamp_column: Prediction time column; windows are cut on it.
        prediction_column: Predicted class or value.
        label_column: Ground-truth class or value.
        label_timestamp_column: Label time column; the latest label of an id wins.
        score_columns: Class probability columns, in classes order (one = positive class).
        segment_columns: Report metrics per value of these columns too.
        classes: Classes known at training time (default: those in the data, sorted).
        positive_label: Positive class of a binary task (default: the greater label).
        window: Tumbling window size, e.g. "1h", "1d", "7d".
        baseline_metrics: Training-time metrics (metric name -> value) from the model lineage.
        min_labelled_rows: Labelled rows a window needs to be judged.
        degradation_threshold: Worsening beyond this (relative or absolute) is degradation.
        degradation_mode: "relative" or "absolute".
        data_format: "parquet", "csv" or "jsonl"; empty: Parquet for suffix-less KFP paths.

    Returns:
        metrics: Each metric per window ("<metric>@<window start>") and overall.
        classification_metrics: Confusion matrix and ROC curve over all labelled rows.
        html: Self-contained report page: each metric over time against the baseline.
        report: performance_report.json; metadata "degraded".
        Output: True when a window with enough labels degraded against the baseline.
    """
    from driftline.exits import exit_on_error
    from driftline.performance import publish, run_performance, write_no_labels_report
    from driftline.report import ReportPaths

    with exit_on_error():
        outputs = ReportPaths(json=report.path, html=html.path)
        if not labels_uri and not label_column:
            return publish(write_no_labels_report(outputs, task), metrics, None, report)
        result = run_performance(
            predictions.path,
            labels_uri or None,
            outputs,
            task=task,
            id_column=id_column,
            timestamp_column=timestamp_column,
            prediction_column=prediction_column,
            label_column=label_column,
            label_timestamp_column=label_timestamp_column,
            score_columns=score_columns or (),
            segment_columns=segment_columns or (),
            classes=classes,
            positive_label=positive_label,
            window=window,
            baseline=baseline_metrics,
            min_labelled_rows=min_labelled_rows,
            degradation_threshold=degradation_threshold,
            degradation_mode=degradation_mode,
            format=data_format or None,
        )
        return publish(result, metrics, classification_metrics, report)
