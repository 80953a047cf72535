"""Dataset-level (multivariate) drift verdicts of the drift report's `multivariate` section."""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from driftline.report.base import Score


class FeatureContribution(BaseModel):
    """How much one column drives a multivariate result (the method says in what unit)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    name: str
    contribution: float


class MultivariateDrift(BaseModel):
    """One multivariate method's verdict on the whole table.

    `score` above `threshold` is drift (the threshold comes from the null distribution
    that `null` describes, at false-alarm rate `alpha`). `features` lists every column
    with its contribution, the strongest first; `details` holds the method's own numbers.
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    method: str
    score: Score
    threshold: float
    p_value: Score
    alpha: float
    drift_detected: bool
    null: str
    contribution_unit: str
    reference_rows: int  # rows used (after sampling), not rows read
    current_rows: int
    columns: list[str]
    features: list[FeatureContribution] = Field(default_factory=list)
    details: dict[str, Any] = Field(default_factory=dict)

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
            return "unknown"
        return "drift" if self.drift_detected else "no drift"

    @property
    def top_features(self) -> list[str]:
        """The names of the three columns that drive the result most."""
        return [f.name for f in self.features[:3]]
