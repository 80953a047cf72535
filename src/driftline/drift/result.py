"""Drift results and the drift report document (schema 1.0)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = "1.0"


@dataclass(frozen=True)
class ColumnDrift:
    """The drift verdict of one column, with what it was computed from."""

    name: str
    kind: str
    method: str
    score: float
    threshold: float
    drift_detected: bool
    direction: str
    reference: dict[str, Any]
    current: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The column's entry in the report."""
        return {
            "name": self.name,
            "kind": self.kind,
            "method": self.method,
            "score": self.score,
            "threshold": self.threshold,
            "drift_detected": self.drift_detected,
            "direction": self.direction,
            "reference": self.reference,
            "current": self.current,
        }


@dataclass(frozen=True)
class DriftResult:
    """The dataset verdict: drift when the share of drifted columns >= drift_share."""

    columns: list[ColumnDrift]
    drift_share_threshold: float
    mode: str
    reference_rows: int
    current_rows: int
    prediction_column: str | None = None
    skipped: list[dict[str, str]] = field(default_factory=list)

    @property
    def number_of_drifted_columns(self) -> int:
        return sum(c.drift_detected for c in self.columns)

    @property
    def drift_share(self) -> float:
        """The share of checked columns that drifted."""
        return self.number_of_drifted_columns / len(self.columns) if self.columns else 0.0

    @property
    def drift_detected(self) -> bool:
        return bool(self.columns) and self.drift_share >= self.drift_share_threshold

    @property
    def prediction(self) -> ColumnDrift | None:
        """The prediction column's verdict, if one was named."""
        return next((c for c in self.columns if c.name == self.prediction_column), None)

    def column(self, name: str) -> ColumnDrift:
        """The verdict of the column called `name`."""
        return next(c for c in self.columns if c.name == name)

    def to_dict(self) -> dict[str, Any]:
        """The report document (`drift_report.json`)."""
        prediction = self.prediction
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": "drift",
            "drift_detected": self.drift_detected,
            "drift_share": self.drift_share,
            "drift_share_threshold": self.drift_share_threshold,
            "number_of_columns": len(self.columns),
            "number_of_drifted_columns": self.number_of_drifted_columns,
            "mode": self.mode,
            "reference_rows": self.reference_rows,
            "current_rows": self.current_rows,
            "prediction": prediction.to_dict() if prediction else None,
            "columns": [c.to_dict() for c in self.columns],
            "skipped_columns": self.skipped,
        }
