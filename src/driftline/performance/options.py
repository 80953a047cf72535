"""The options of a performance run, checked once at the edge."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from driftline.errors import InputError, UnknownNameError
from driftline.io.periods import Periods, parse_periods

TASKS = ("classification", "regression")
DEGRADATION_MODES = ("relative", "absolute")
DUPLICATE_LABEL_RULES = ("latest", "error")
CALIBRATION_METHODS = ("isotonic", "none")


@dataclass(frozen=True)
class PerformanceOptions:
    """How to join, window, score and judge predictions against late labels.

    `duplicate_labels`: "latest" keeps, per id, the label with the latest label timestamp
    (or the last one read when there is no label timestamp column); "error" refuses
    duplicate label ids. Duplicate prediction ids are always an error.
    `label_map` renames label values to prediction classes ({"yes": "1", "no": "0"}, or
    "yes=1,no=0"); without it, labels of another kind than the predictions that name other
    classes are refused.
    `window`: a calendar period (1d, 1w ISO weeks, 1mo, 3mo/1q, 1y) in `timezone` (IANA
    name, default UTC), or a fixed duration (30m, 1h) aligned to the Unix epoch.
    `calibration_method`: how a labelled `reference` calibrates the scores before
    estimating ("isotonic", or "none"); `calibration` is a calibration recorded in the
    baseline (the report's `calibration` block), applied without refitting.
    `feature_columns`: model inputs (numbers, booleans or text) that, with the prediction,
    feed the regression loss estimate (DLE) fit on a labelled `reference`; `loss_model` is a
    loss model recorded in the baseline (the report's `loss_model` block), applied without
    refitting.
    `score_columns` hold class probabilities in `classes` order (default: the sorted class
    labels, as scikit-learn's predict_proba); one column in a binary task is the
    probability of `positive_label` (default: the greater class label).
    """

    task: str = "classification"
    id_column: str | None = "id"
    timestamp_column: str = "timestamp"
    prediction_column: str = "prediction"
    label_column: str | None = "label"
    label_timestamp_column: str | None = None
    score_columns: tuple[str, ...] = ()
    segment_columns: tuple[str, ...] = ()
    feature_columns: tuple[str, ...] = ()
    classes: tuple[str, ...] | None = None
    label_map: Mapping[str, str] | None = None
    positive_label: str | None = None
    window: str = "1d"
    timezone: str = "UTC"
    min_labelled_rows: int = 100
    baseline: Mapping[str, float] | None = None
    reference: Any = None
    degradation_threshold: float = 0.1
    degradation_mode: str = "relative"
    degradation_metrics: tuple[str, ...] | None = None
    duplicate_labels: str = "latest"
    estimate: bool = True
    calibration_method: str = "isotonic"
    calibration: Mapping[str, Any] | None = None
    loss_model: Mapping[str, Any] | None = None
    format: str | None = None
    labels_format: str | None = None
    seed: int = 0

    @classmethod
    def from_kwargs(cls, options: Mapping[str, Any]) -> PerformanceOptions:
        """Build from keyword options, naming any unknown option and the valid ones."""
        valid = [f.name for f in fields(cls)]
        for name in options:
            if name not in valid:
                raise UnknownNameError("performance option", name, valid)
        values = dict(options)
        for name in (
            "score_columns",
            "segment_columns",
            "feature_columns",
            "classes",
            "degradation_metrics",
        ):
            if values.get(name) is not None:
                values[name] = _as_tuple(values[name], name)
        for name in ("id_column", "label_column", "label_timestamp_column", "positive_label"):
            if values.get(name) == "":
                values[name] = None
        if values.get("label_map") is not None:
            values["label_map"] = parse_label_map(values["label_map"])
        if values.get("positive_label") is not None:
            values["positive_label"] = str(values["positive_label"])
        return cls(**values)

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise UnknownNameError("task", self.task, TASKS)
        if self.calibration_method not in CALIBRATION_METHODS:
            raise UnknownNameError(
                "calibration method", self.calibration_method, CALIBRATION_METHODS
            )
        if self.degradation_mode not in DEGRADATION_MODES:
            raise UnknownNameError("degradation mode", self.degradation_mode, DEGRADATION_MODES)
        if self.duplicate_labels not in DUPLICATE_LABEL_RULES:
            raise UnknownNameError(
                "duplicate label rule", self.duplicate_labels, DUPLICATE_LABEL_RULES
            )
        self.periods  # noqa: B018  (checks the window and the timezone)
        if not isinstance(self.min_labelled_rows, int) or self.min_labelled_rows < 1:
            raise InputError(
                f"`min_labelled_rows` must be a positive integer, got {self.min_labelled_rows!r}",
                param="min_labelled_rows",
            )
        threshold = self.degradation_threshold
        if not isinstance(threshold, int | float) or not math.isfinite(threshold) or threshold < 0:
            raise InputError(
                f"`degradation_threshold` must be a finite number >= 0, got {threshold!r}",
                param="degradation_threshold",
            )
        if self.task == "regression" and self.score_columns:
            raise InputError("`score_columns` apply to classification only", param="score_columns")
        if self.task == "classification" and self.feature_columns:
            raise InputError(
                "`feature_columns` feed the regression loss estimate (DLE); classification "
                "estimates (CBPE) use `score_columns`",
                param="feature_columns",
            )
        if self.classes is not None and len(set(self.classes)) != len(self.classes):
            raise InputError(f"`classes` repeat a value: {list(self.classes)}", param="classes")
        if self.classes is not None and len(self.classes) < 2:
            raise InputError("`classes` needs at least two class labels", param="classes")

    @property
    def label(self) -> str:
        """The label column, where one is needed (a reference set, a labels table)."""
        if self.label_column is None:
            raise InputError(
                "labels (a reference set or a labels table) need `label_column`",
                param="label_column",
            )
        return self.label_column

    @property
    def periods(self) -> Periods:
        """The window rule: calendar periods in `timezone` or a fixed duration."""
        return parse_periods(self.window, self.timezone, param="window")


def _as_tuple(value: Any, name: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    try:
        return tuple(str(v) for v in value)
    except TypeError:
        raise InputError(f"{name} must be a list of names, got {value!r}", param=name) from None


def parse_label_map(value: Any) -> dict[str, str]:
    """A label map from a mapping or "label=class,label=class" text; values as strings."""
    if isinstance(value, str):
        pairs = [p.strip() for p in value.split(",") if p.strip()]
        if not all(p.count("=") == 1 for p in pairs):
            raise InputError(
                f"label map {value!r} must be label=class pairs, e.g. yes=1,no=0",
                param="label_map",
            )
        value = dict(p.split("=") for p in pairs)
    if not isinstance(value, Mapping) or not value:
        raise InputError(
            f"label map must map label values to classes, e.g. yes=1,no=0; got {value!r}",
            param="label_map",
        )
    return {_class_text(k): _class_text(v) for k, v in value.items()}


def _class_text(value: Any) -> str:
    """A class label as the string the classes are compared in (True -> "true", 1 -> "1")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()
