"""Component: merge the partitions' performance states into the window's performance report."""

from typing import NamedTuple, Optional

from kfp.dsl import HTML, Artifact, ClassificationMetrics, Dataset, Input, Metrics, Output

from driftline.components._declare import component


@component
def merge_performance(
    states: Input[list[Artifact]],
    report: Output[Artifact],
    report_html: Output[HTML],
    metrics: Output[Metrics],
    classification_metrics: Output[ClassificationMetrics],
    unpaired: Optional[Input[list[Dataset]]] = None,  # noqa: UP045  kfp 2.13: no `X | None`
    labels_uri: Optional[str] = None,  # noqa: UP045  kfp 2.13 does not parse `X | None`
    task: str = "classification",
    id_column: str = "id",
    timestamp_column: str = "timestamp",
    prediction_column: str = "prediction",
    label_column: Optional[str] = "label",  # noqa: UP045
    score_columns: Optional[list] = None,  # noqa: UP045
    classes: Optional[list] = None,  # noqa: UP045
    positive_label: Optional[str] = None,  # noqa: UP045
    window: str = "1d",
    timezone: str = "UTC",
    baseline_metrics: Optional[dict] = None,  # noqa: UP045
    min_labelled_rows: int = 100,
    degradation_threshold: float = 0.1,
    degradation_mode: str = "relative",
    degradation_metrics: Optional[list] = None,  # noqa: UP045
    duplicate_labels: str = "latest",
) -> NamedTuple("Outputs", [("degraded", bool)]):  # type: ignore[valid-type]
    """Merge score_partition states (e.g. dsl.Collected) into the window's performance report.

    Counts and sums merge exactly (floating-point sums to rounding), so the report equals
    compute_performance's on the whole window: the same windows, metrics and verdicts. ROC
    AUC and average precision are exact while a window has at most 262,144 distinct scores;
    beyond, scores are rounded and the report's `ranking` block gives each metric's error
    bound. Segment metrics and CBPE estimates need a window's rows together: they are not on
    this path.

    Args:
        states: The partitions' performance states (same task and score columns).
        unpaired: profile_partition's leftover halves (dsl.Collected), when the log sink's
            replicas wrote the sides of calls apart: the calls they give together are scored
            and merged in, with this step's options (label_map and labels_format unset).
        labels_uri: As given to score_partition (unset with label_column unset: no labels).
        task: "classification" or "regression".
        id_column: Column joining predictions and labels (named in the report).
        timestamp_column: Prediction time column (named in the report).
        prediction_column: Predicted class or value (named in the report).
        label_column: Ground-truth class or value.
        score_columns: Class probability columns, as given to score_partition.
        classes: Classes known at training time (default: those in the data, sorted).
        positive_label: Positive class of a binary task (default: the greater label).
        window: Performance window, as given to score_partition.
        timezone: IANA timezone of calendar windows.
        baseline_metrics: Training-time metrics (metric name -> value) from the model lineage.
        min_labelled_rows: Labelled rows a window needs to be judged.
        degradation_threshold: Worsening beyond this (relative or absolute) is degradation.
        degradation_mode: "relative" or "absolute".
        degradation_metrics: Metrics to judge; unset judges every metric of the baseline.
        duplicate_labels: The rule score_partition applied (named in the report).

    Returns:
        report: performance_report.json; metadata "degraded", execution and partitions.
        report_html: Self-contained report page: each metric over time against the baseline.
        metrics: Each metric per window ("<metric>@<window start>") and overall.
        classification_metrics: Confusion matrix and ROC curve over all labelled rows.
        degraded: True when a window with enough labels degraded against the baseline, or
            held non-finite values.
    """
    from driftline.exits import exit_on_error
    from driftline.platforms.kfp.steps.performance import merge_performance_outputs

    with exit_on_error():
        return merge_performance_outputs(
            states,
            report,
            report_html,
            metrics,
            classification_metrics,
            unpaired=unpaired,
            labels_uri=labels_uri,
            task=task,
            id_column=id_column,
            timestamp_column=timestamp_column,
            prediction_column=prediction_column,
            label_column=label_column,
            score_columns=score_columns,
            classes=classes,
            positive_label=positive_label,
            window=window,
            timezone=timezone,
            baseline_metrics=baseline_metrics,
            min_labelled_rows=min_labelled_rows,
            degradation_threshold=degradation_threshold,
            degradation_mode=degradation_mode,
            degradation_metrics=degradation_metrics,
            duplicate_labels=duplicate_labels,
        )
