"""Model quality per time window once late labels arrive, against the training-time baseline."""

from driftline.performance.options import PerformanceOptions
from driftline.performance.publish import publish
from driftline.performance.run import PerformanceResult, run_performance, write_no_labels_report

__all__ = [
    "PerformanceOptions",
    "PerformanceResult",
    "publish",
    "run_performance",
    "write_no_labels_report",
]
