"""The performance report (`performance_report.json`): quality per window against a baseline.

**Current performance** is the newest window that had enough labels to be judged (status
"ok": at least `min_labelled_rows` labelled predictions). Labels arrive late, so the newest
windows are usually partly labelled and their numbers rest on a handful of rows; the
`overall` block mixes every window of the run and dilutes a fresh drop. The newest judged
window is the freshest number that is worth acting on, and it is the window the degradation
rule judged. Every consumer (MLMD properties, Prometheus, alerts, `driftline history`, the
demo table) shows this one number, and the report states it as `current`.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from driftline.errors import InputError
from driftline.report.base import Report

JUDGED = "ok"


class PerformanceWindow(BaseModel):
    """One time window: how many predictions are labelled, the metrics, the verdict."""

    model_config = ConfigDict(extra="allow")

    start: str
    end: str
    rows: int
    labelled_rows: int
    label_coverage: float
    status: str
    metrics: dict[str, float | None] = Field(default_factory=dict)
    degraded: bool = False
    degradation: dict[str, Any] = Field(default_factory=dict)


class Overall(BaseModel):
    """All windows of the run together."""

    model_config = ConfigDict(extra="allow")

    rows: int = 0
    labelled_rows: int = 0
    label_coverage: float = 0.0
    metrics: dict[str, float | None] = Field(default_factory=dict)


class CurrentPerformance(BaseModel):
    """The current performance: the newest judged window's bounds, labels and metrics."""

    model_config = ConfigDict(frozen=True)

    start: str
    end: str
    rows: int
    labelled_rows: int
    label_coverage: float
    metrics: dict[str, float]
    degraded: bool


class PerformanceReport(Report):
    """Model quality per time window once late labels arrive, against the baseline.

    `degraded` is true when any judged window of the run degraded (`degraded_windows` lists
    their starts); `invalid_windows` held non-finite predictions or labels (counted in each
    window's `non_finite_rows` and left out of its metrics); `estimated_degraded_windows`
    lack the labels to be judged but their estimate (CBPE) degraded with its whole interval:
    an *estimated* degradation, never part of `degraded`; `current` is the newest judged
    window (see the module docstring).
    """

    KIND: ClassVar[str] = "performance"
    SCHEMA_VERSION: ClassVar[str] = "1.2"
    DERIVED: ClassVar[tuple[str, ...]] = ("current",)

    task: Literal["classification", "regression"]
    windows: list[PerformanceWindow] = Field(default_factory=list)
    overall: Overall = Field(default_factory=Overall)
    baseline: dict[str, float] | None = None
    degraded: bool
    degraded_windows: list[str] = Field(default_factory=list)
    invalid_windows: list[str] = Field(default_factory=list)
    estimated_degraded_windows: list[str] = Field(default_factory=list)

    @property
    def current(self) -> CurrentPerformance | None:
        """The newest window with enough labels to be judged; None when no window was."""
        judged = [w for w in self.windows if w.status == JUDGED]
        if not judged:
            return None
        window = max(judged, key=lambda w: w.end)
        return CurrentPerformance(
            start=window.start,
            end=window.end,
            rows=window.rows,
            labelled_rows=window.labelled_rows,
            label_coverage=window.label_coverage,
            metrics={
                name: float(value)
                for name, value in window.metrics.items()
                if value is not None and math.isfinite(value)
            },
            degraded=window.degraded,
        )

    @property
    def estimated_degraded(self) -> bool:
        """True when a window without enough labels degraded by its estimate."""
        return bool(self.estimated_degraded_windows)

    @property
    def classes(self) -> list[str] | None:
        """The classes of a classification task, in score order."""
        classes = (self.model_extra or {}).get("classes")
        return list(classes) if classes is not None else None

    def check_stated(self, stated: dict[str, Any], where: str) -> None:
        """Refuse a document whose stated `current` is not its newest judged window."""
        if "current" not in stated:
            return
        current = self.current
        derived = current.model_dump() if current else None
        if stated["current"] != derived:
            found = stated["current"]
            found = found.get("start") if isinstance(found, dict) else found
            raise InputError(
                f"performance report {where} states the current window {found!r}, but its "
                f"newest judged window is {current.start if current else None!r}",
                param="performance_report",
            )

    def to_dict(self) -> dict[str, Any]:
        """The document, with the current performance stated for JSON readers."""
        current = self.current
        return {**super().to_dict(), "current": current.model_dump() if current else None}
