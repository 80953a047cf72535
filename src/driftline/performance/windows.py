"""One report entry per prediction window: coverage, metrics, verdict, segments, estimate."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from driftline.errors import InputError
from driftline.performance.calibration import Calibration
from driftline.performance.degradation import judge, judge_estimate
from driftline.performance.dle import LossModel
from driftline.performance.estimate import compare, estimate
from driftline.performance.evaluate import Stats, TargetSpec, evaluate, labelled
from driftline.performance.options import PerformanceOptions
from driftline.performance.prepare import PRED, feature_name, segment_name
from driftline.performance.state import PerformanceState, WindowState, finite_rows

MAX_SEGMENT_VALUES = 100
INVALID = "invalid"  # the window held non-finite predictions or labels


@dataclass(frozen=True)
class WindowContext:
    """What every window is judged with."""

    options: PerformanceOptions
    spec: TargetSpec
    baseline: Mapping[str, float] | None
    calibration: Calibration | None = None
    loss_model: LossModel | None = None

    @property
    def estimating(self) -> bool:
        """CBPE runs for classifiers with class probabilities, DLE for regression with a
        loss model."""
        spec = self.spec
        if not self.options.estimate:
            return False
        if spec.task == "regression":
            return self.loss_model is not None
        return spec.n_scores > 0


def status_of(labelled_rows: int, minimum: int, non_finite_rows: int = 0) -> str:
    """ "invalid" when rows held inf (never "ok"), else by the labelled rows."""
    if non_finite_rows:
        return INVALID
    if labelled_rows == 0:
        return "no labels"
    return "ok" if labelled_rows >= minimum else "insufficient labels"


def window_entry(
    index: int, table: pa.Table, ctx: WindowContext
) -> tuple[dict[str, Any], WindowState]:
    """The report entry of window `index` (rows of `table`) and its mergeable state.

    The metrics stream through the state batch by batch; segments and the CBPE estimate,
    when asked for, read the window's rows together.
    """
    options = ctx.options
    window = window_state(table, ctx.spec)
    entry, _ = state_entry(index, window, ctx)
    if options.segment_columns or ctx.estimating:
        table = finite_rows(table, ctx.spec)[0]
    if options.segment_columns:
        entry["segments"] = segments(table, ctx)
    if ctx.estimating:
        _add_estimate(entry, table, labelled(table), ctx, index)
    return entry, window


def window_state(table: pa.Table, spec: TargetSpec) -> WindowState:
    """The state of one window's rows, built batch by batch."""
    return PerformanceState(spec.task, spec.n_scores).add_window(0, table)


def state_entry(
    index: int, window: WindowState, ctx: WindowContext
) -> tuple[dict[str, Any], Stats]:
    """The report entry of window `index` from its state, and its statistics over `ctx.spec`."""
    stats, ranked, method = window.stats(ctx.spec)
    metrics = {**stats.metrics(), **ranked} if window.labelled_rows else {}
    entry = judged_entry(
        index, window.rows, window.labelled_rows, window.non_finite_rows, metrics, ctx
    )
    if ctx.spec.task == "classification":
        entry["confusion_matrix"] = stats.confusion.tolist()  # type: ignore[union-attr]
    if method is not None and window.labelled_rows:
        entry["ranking"] = method
    return entry, stats


def judged_entry(
    index: int,
    total_rows: int,
    labelled_rows: int,
    non_finite: int,
    metrics: dict[str, float],
    ctx: WindowContext,
) -> dict[str, Any]:
    """The report entry of window `index` from its counts and metrics: coverage, status and
    the degradation verdict against the baseline."""
    options = ctx.options
    periods = options.periods
    start, end = periods.bounds(index)
    status = status_of(labelled_rows, options.min_labelled_rows, non_finite)
    sufficient = labelled_rows >= options.min_labelled_rows
    degradation = {}
    if ctx.baseline and sufficient:
        degradation = judge(
            metrics,
            ctx.baseline,
            options.degradation_threshold,
            options.degradation_mode,
            options.degradation_metrics,
        )
    return {
        "start": periods.iso(start),
        "end": periods.iso(end),
        "rows": total_rows,
        "labelled_rows": labelled_rows,
        "label_coverage": labelled_rows / total_rows if total_rows else 0.0,
        "non_finite_rows": non_finite,
        "sufficient": sufficient,
        "status": status,
        "metrics": metrics,
        "degraded": any(d["degraded"] for d in degradation.values()),
        "degradation": degradation,
    }


def _add_estimate(
    entry: dict[str, Any], table: pa.Table, rows: pa.Table, ctx: WindowContext, index: int
) -> None:
    """The window's CBPE estimate, its estimated verdict, and its comparison with the
    realized metrics of the labelled rows."""
    options = ctx.options
    sufficient = entry["sufficient"]
    metrics = entry["metrics"]
    entry["estimate"] = window_estimate(table, ctx, options.seed + index)
    if ctx.baseline and not sufficient and entry["estimate"]:
        estimated = judge_estimate(
            entry["estimate"]["metrics"],
            ctx.baseline,
            options.degradation_threshold,
            options.degradation_mode,
            options.degradation_metrics,
        )
        entry["estimated_degradation"] = estimated
        entry["estimated_degraded"] = any(d["degraded"] for d in estimated.values())
    if rows.num_rows:  # judge the estimate on the rows the realized metrics saw
        on_labelled = window_estimate(rows, ctx, options.seed + index)
        entry["estimate"]["comparison"] = compare(on_labelled, metrics)


def window_estimate(table: pa.Table, ctx: WindowContext, seed: int) -> dict[str, Any]:
    """CBPE (classification) or DLE (regression) estimate over the rows of `table`
    (labelled or not)."""
    spec = ctx.spec
    if ctx.loss_model is not None:
        count = len(ctx.options.feature_columns)
        columns = [table[feature_name(i)] for i in range(count)]
        return ctx.loss_model.estimate(columns, table[PRED].to_numpy(), seed)
    proba = spec.scores(table)
    assert proba is not None
    predicted = spec.class_index(table[PRED])
    return estimate(predicted, proba, spec.positive_index, ctx.calibration, seed)


def segments(table: pa.Table, ctx: WindowContext) -> dict[str, list[dict[str, Any]]]:
    """Per segment column, per value: rows, labelled rows and metrics."""
    out = {}
    for i, column in enumerate(ctx.options.segment_columns):
        values = table[segment_name(i)]
        distinct = pc.unique(values).to_pylist()
        if len(distinct) > MAX_SEGMENT_VALUES:
            raise InputError(
                f"segment column {column!r} has {len(distinct)} values in one window; segment "
                f"columns must have at most {MAX_SEGMENT_VALUES} values",
                param="segment_columns",
            )
        entries = []
        for value in sorted(distinct, key=lambda v: (v is None, str(v))):
            mask = (
                pc.is_null(values)
                if value is None
                else pc.fill_null(pc.equal(values, value), False)
            )
            part = table.filter(mask)
            rows = labelled(part)
            _, metrics = evaluate(rows, ctx.spec)
            entries.append(
                {
                    "value": value,
                    "rows": part.num_rows,
                    "labelled_rows": rows.num_rows,
                    "sufficient": rows.num_rows >= ctx.options.min_labelled_rows,
                    "metrics": metrics,
                }
            )
        out[column] = entries
    return out
