"""Hand a performance result to KFP output artifacts (duck-typed: the library never imports kfp)."""

from __future__ import annotations

from typing import Any

from driftline import component_io as io
from driftline.performance.run import PerformanceResult


def publish(
    result: PerformanceResult,
    metrics: Any = None,
    classification_metrics: Any = None,
    report: Any = None,
) -> bool:
    """Log scalars, confusion matrix and ROC curve; return `degraded`.

    `metrics` needs `log_metric`, `classification_metrics` `log_confusion_matrix` and
    `log_roc_curve`; `report` (the artifact holding the JSON) gets the verdict in its
    `metadata`.
    """
    if metrics is not None:
        for name, value in result.scalars().items():
            metrics.log_metric(name, value)
    if classification_metrics is not None:
        if result.confusion_matrix is not None:
            categories, matrix = result.confusion_matrix
            classification_metrics.log_confusion_matrix(categories, matrix)
        if result.roc_curve is not None:
            classification_metrics.log_roc_curve(*result.roc_curve)
    if report is not None:
        report.metadata[io.KIND] = "performance"
        report.metadata[io.DEGRADED] = result.degraded
        report.metadata[io.DEGRADED_WINDOWS] = len(result.document["degraded_windows"])
        report.metadata[io.LABELLED_ROWS] = result.document["overall"]["labelled_rows"]
    return result.degraded
