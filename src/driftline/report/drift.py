"""The drift report (`drift_report.json`): per-column verdicts and the dataset verdict."""

from __future__ import annotations

import math
from typing import Any, ClassVar

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    computed_field,
    model_validator,
)

from driftline.errors import InputError
from driftline.report.base import Report, Score
from driftline.report.multivariate import MultivariateDrift

UNKNOWN = "unknown"


class ThresholdCalibration(BaseModel):
    """How a calibrated threshold was (or, with `fallback`, was not) set for one column.

    The threshold is the `quantile` of the column's null distribution of its score (the
    (1 - quantile) quantile of p-values) over `chunks` chunks of the reference, each the size
    of the monitoring `window`; `fixed_threshold` is the threshold it replaced. `fallback`
    says why the column kept `fixed_threshold` instead (too few chunks, another method, a
    threshold set by the user, no calibration in the baseline).
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    quantile: float
    window: str | None = None
    chunks: int = 0
    fixed_threshold: float
    fallback: str | None = None


class ColumnDrift(BaseModel):
    """The drift verdict of one column, with the summaries it was computed from.

    `status` is "drift", "no drift", or "unknown" when the score could not be computed
    (NaN): an unknown column is never counted as drifted, nor reported as sound.
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    name: str
    kind: str
    method: str
    score: Score
    threshold: float
    drift_detected: bool
    direction: str
    policy: str | None = None  # the policy that chose `method` ("auto", "evidently"), if any
    threshold_origin: str = "fixed"  # "fixed" (the method's default or the user's) or "calibrated"
    calibration: ThresholdCalibration | None = None  # set when calibrated thresholds were asked
    reference: dict[str, Any] = Field(default_factory=dict)
    current: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _derived_status(cls, data: Any) -> Any:
        """Documents state `status`; it is derived from the score and verdict, not stored."""
        if isinstance(data, dict) and "status" in data:
            data = {k: v for k, v in data.items() if k != "status"}
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> str:
        """ "drift", "no drift", or "unknown" (the score is NaN)."""
        if math.isnan(self.score):
            return UNKNOWN
        return "drift" if self.drift_detected else "no drift"

    @property
    def exceedance(self) -> float:
        """How far past its threshold the score is (larger: stronger drift), for ranking."""
        if math.isnan(self.score):
            return -math.inf
        if self.direction == "distance":
            return self.score / self.threshold if self.threshold else math.inf
        return -self.score


class DriftReport(Report):
    """The dataset verdict: drift when the share of drifted columns >= drift_share_threshold,
    or when a multivariate method (`multivariate`, if any were run) finds drift.

    `drift_detected`, `drift_share`, `number_of_columns`, `number_of_drifted_columns`,
    `number_of_unknown_columns` and `prediction` are derived from the columns. Documents
    state them for JSON readers, and `load` refuses a document whose stated verdict
    disagrees with its columns.
    """

    KIND: ClassVar[str] = "drift"
    SCHEMA_VERSION: ClassVar[str] = "1.1"  # 1.1: threshold origins, the `multivariate` section
    DERIVED: ClassVar[tuple[str, ...]] = (
        "drift_detected",
        "drift_share",
        "number_of_columns",
        "number_of_drifted_columns",
        "number_of_unknown_columns",
    )

    columns: list[ColumnDrift]
    drift_share_threshold: float
    mode: str
    reference_rows: int
    current_rows: int
    prediction_column: str | None = None
    thresholds: str = "fixed"  # "calibrated" when at least one column's threshold is
    skipped: list[dict[str, str]] = Field(
        default_factory=list, validation_alias=AliasChoices("skipped_columns", "skipped")
    )
    multivariate: list[MultivariateDrift] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _prediction_column(cls, data: Any) -> Any:
        """Documents name the prediction column through its verdict (`prediction`)."""
        if isinstance(data, dict) and "prediction" in data:
            data = dict(data)
            prediction = data.pop("prediction")
            if isinstance(prediction, dict):
                data.setdefault("prediction_column", prediction.get("name"))
        return data

    @property
    def number_of_columns(self) -> int:
        """How many columns were checked."""
        return len(self.columns)

    @property
    def number_of_drifted_columns(self) -> int:
        """How many checked columns drifted."""
        return sum(c.drift_detected for c in self.columns)

    @property
    def number_of_unknown_columns(self) -> int:
        """How many checked columns have no score (status "unknown")."""
        return sum(c.status == UNKNOWN for c in self.columns)

    @property
    def drift_share(self) -> float:
        """The share of checked columns that drifted."""
        return self.number_of_drifted_columns / len(self.columns) if self.columns else 0.0

    @property
    def drift_detected(self) -> bool:
        """The dataset verdict: enough columns drifted, or a multivariate method found drift."""
        by_columns = bool(self.columns) and self.drift_share >= self.drift_share_threshold
        return by_columns or any(m.drift_detected for m in self.multivariate)

    @property
    def prediction(self) -> ColumnDrift | None:
        """The prediction column's verdict, if one was named."""
        return next((c for c in self.columns if c.name == self.prediction_column), None)

    @property
    def drifted_columns(self) -> list[str]:
        """Names of the drifted columns, the strongest drift first."""
        drifted = [c for c in self.columns if c.drift_detected]
        return [c.name for c in sorted(drifted, key=lambda c: c.exceedance, reverse=True)]

    def column(self, name: str) -> ColumnDrift:
        """The verdict of the column called `name`."""
        return next(c for c in self.columns if c.name == name)

    def check_stated(self, stated: dict[str, Any], where: str) -> None:
        """Refuse a document whose stated verdict disagrees with its columns."""
        for key, value in stated.items():
            derived = getattr(self, key)
            if value != derived and not _close(value, derived):
                raise InputError(
                    f"drift report {where} states {key} {value!r}, but its columns give "
                    f"{derived!r}",
                    param="drift_report",
                )

    def to_dict(self) -> dict[str, Any]:
        """The document, with the derived verdict stated for JSON readers."""
        document = super().to_dict()
        document.pop("prediction_column")
        columns = document.pop("columns")
        skipped = document.pop("skipped")
        multivariate = document.pop("multivariate")
        prediction = self.prediction
        return {
            **{k: document.pop(k) for k in ("schema_version", "kind")},
            "drift_detected": self.drift_detected,
            "drift_share": self.drift_share,
            "drift_share_threshold": document.pop("drift_share_threshold"),
            "number_of_columns": self.number_of_columns,
            "number_of_drifted_columns": self.number_of_drifted_columns,
            "number_of_unknown_columns": self.number_of_unknown_columns,
            **document,
            "prediction": prediction.model_dump() if prediction else None,
            "multivariate": multivariate,
            "columns": columns,
            "skipped_columns": skipped,
        }


def _close(a: Any, b: Any) -> bool:
    return isinstance(a, int | float) and isinstance(b, int | float) and math.isclose(a, b)
