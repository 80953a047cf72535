"""Drift results: the drift report classes of `driftline.report.drift`, under the engine's names.

The engine builds a `DriftResult` (= `DriftReport`) and publishes it with `dump`.
"""

from __future__ import annotations

from driftline.report.drift import ColumnDrift, DriftReport, ThresholdCalibration

DriftResult = DriftReport
SCHEMA_VERSION = DriftReport.SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "ColumnDrift", "DriftResult", "ThresholdCalibration"]
