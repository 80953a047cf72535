"""Direction-aware degradation: is a metric worse than its baseline by more than a threshold?"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from driftline.errors import InputError, UnknownNameError
from driftline.performance.classification import CLASSIFICATION_METRICS
from driftline.performance.regression import REGRESSION_METRICS

# Which way is better: "higher", "lower", or "zero" (bias: closer to zero).
DIRECTIONS = {
    **{m: "higher" for m in CLASSIFICATION_METRICS},
    "log_loss": "lower",
    "mae": "lower",
    "rmse": "lower",
    "mape": "lower",
    "r2": "higher",
    "mean_error": "zero",
}


def metric_names(task: str) -> tuple[str, ...]:
    return CLASSIFICATION_METRICS if task == "classification" else REGRESSION_METRICS


def check_baseline(baseline: Mapping[str, Any], task: str) -> dict[str, float]:
    """Baseline metrics as floats; names must be metrics of the task."""
    if not isinstance(baseline, Mapping):
        raise InputError(
            f"`baseline` must map metric names to numbers, got {baseline!r}", param="baseline"
        )
    out = {}
    for name, value in baseline.items():
        if name not in metric_names(task):
            raise UnknownNameError(f"{task} baseline metric", name, metric_names(task))
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise InputError(
                f"baseline metric {name!r} must be a finite number, got {value!r}", param="baseline"
            )
        out[name] = float(value)
    return out


def worsening(metric: str, value: float, baseline: float, mode: str) -> float:
    """How much worse `value` is than `baseline` (negative: better), absolute or relative."""
    direction = DIRECTIONS[metric]
    if direction == "higher":
        change = baseline - value
    elif direction == "lower":
        change = value - baseline
    else:
        change = abs(value) - abs(baseline)
    if mode == "absolute":
        return change
    if baseline == 0:
        return math.inf if change > 0 else 0.0
    return change / abs(baseline)


def judge(
    metrics: Mapping[str, float],
    baseline: Mapping[str, float],
    threshold: float,
    mode: str,
    names: Sequence[str] | None,
) -> dict[str, dict[str, Any]]:
    """Per metric in `baseline` (or `names`) and `metrics`: baseline, value, change, verdict."""
    out: dict[str, dict[str, Any]] = {}
    for name in names if names is not None else baseline:
        value = metrics.get(name)
        if name not in baseline or value is None or not math.isfinite(value):
            continue
        change = worsening(name, value, baseline[name], mode)
        out[name] = {
            "baseline": baseline[name],
            "value": value,
            "worsening": change,
            "degraded": change > threshold,
        }
    return out


def judge_estimate(
    estimated: Mapping[str, Mapping[str, float]],
    baseline: Mapping[str, float],
    threshold: float,
    mode: str,
    names: Sequence[str] | None,
) -> dict[str, dict[str, Any]]:
    """Per estimated metric in `baseline` (or `names`): an estimated degradation is one whose
    whole interval is worse than the threshold, i.e. even its end nearest the baseline."""
    out: dict[str, dict[str, Any]] = {}
    for name in names if names is not None else baseline:
        entry = estimated.get(name)
        if name not in baseline or entry is None or not math.isfinite(entry["value"]):
            continue
        bounds = (entry["low"], entry["high"])
        nearest = max(bounds) if DIRECTIONS[name] == "higher" else min(bounds)
        if not math.isfinite(nearest):
            continue
        out[name] = {
            "baseline": baseline[name],
            "value": entry["value"],
            "low": entry["low"],
            "high": entry["high"],
            "worsening": worsening(name, entry["value"], baseline[name], mode),
            "worsening_at_bound": worsening(name, nearest, baseline[name], mode),
            "degraded": worsening(name, nearest, baseline[name], mode) > threshold,
        }
    return out


def degraded_region(
    metric: str, baseline: float, threshold: float, mode: str
) -> list[tuple[float | None, float | None]]:
    """The value ranges (low, high; None = unbounded) in which `metric` counts as degraded
    against `baseline`: the inverse of `worsening(...) > threshold`, for the charts."""
    allowed = threshold if mode == "absolute" else threshold * abs(baseline)
    direction = DIRECTIONS[metric]
    if direction == "higher":
        return [(None, baseline - allowed)]
    if direction == "lower":
        return [(baseline + allowed, None)]
    edge = abs(baseline) + allowed
    return [(None, -edge), (edge, None)]
