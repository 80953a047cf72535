"""Drift: per-column two-sample methods, the dataset verdict, the drift report."""

from driftline.drift.engine import check_drift
from driftline.drift.html import render_drift_html
from driftline.drift.methods.base import Direction, DriftMethod
from driftline.drift.registry import all_methods, get_method
from driftline.drift.result import ColumnDrift, DriftResult
from driftline.drift.run import run_drift

__all__ = [
    "ColumnDrift",
    "Direction",
    "DriftMethod",
    "DriftResult",
    "all_methods",
    "check_drift",
    "get_method",
    "render_drift_html",
    "run_drift",
]
