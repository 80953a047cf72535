"""The calibration a baseline profile stores: each column's null distribution of its score.

`driftline.drift.calibration` computes it (reference chunks scored against the rest of the
reference); this module is the stored document, a versioned field of `profile.json`, so a
profile's reader parses it once with the rest of the profile.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from driftline.errors import DataSourceError

VERSION = 1
P_VALUE = "p_value"
DISTANCE = "distance"


@dataclass(frozen=True)
class ColumnCalibration:
    """One column's null distribution: the scores of its `method` (whose `direction` is
    "p_value" or "distance") over the reference chunks, NaN scores left out."""

    method: str
    direction: str
    scores: tuple[float, ...]

    @property
    def chunks(self) -> int:
        """How many chunks gave a score."""
        return len(self.scores)

    def threshold(self, quantile: float, fixed: float) -> float:
        """The `quantile` of the distances, or the (1 - `quantile`) quantile of the p-values
        but never above the `fixed` level: p-values are already calibrated for independent
        rows, and chunks that agree better than independent samples (every day holds every
        hour) would otherwise flag any difference at all. Never 0, so that a distance of 0
        is no drift and a p-value of 0 is."""
        scores = np.asarray(self.scores, dtype=np.float64)
        if self.direction == DISTANCE:
            return max(float(np.quantile(scores, quantile)), math.ulp(0.0))
        return max(min(float(np.quantile(scores, 1.0 - quantile)), fixed), math.ulp(0.0))


@dataclass(frozen=True)
class Calibration:
    """The null distributions of a reference's columns, chunked by `window`.

    `window` is a duration or calendar period ("1d", "6h") when the chunks are time periods,
    else a row count ("500"); `mode` is the drift mode the scores were computed in ("exact"
    or "profile"); `chunks` how many chunks were scored.
    """

    window: str
    mode: str
    chunks: int
    columns: dict[str, ColumnCalibration] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "window": self.window,
            "mode": self.mode,
            "chunks": self.chunks,
            "columns": {
                name: {"method": c.method, "direction": c.direction, "scores": list(c.scores)}
                for name, c in self.columns.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Calibration:
        """Rebuild a calibration from `to_dict()` output; DataSourceError if malformed."""
        if not isinstance(data, Mapping) or data.get("version") != VERSION:
            found = data.get("version") if isinstance(data, Mapping) else type(data).__name__
            raise DataSourceError(
                f"unsupported calibration version {found!r}; this driftline reads {VERSION}",
                param="calibration",
            )
        try:
            columns = {}
            for name, c in data["columns"].items():
                if c["direction"] not in (P_VALUE, DISTANCE):
                    raise DataSourceError(
                        f"corrupt calibration: column {name!r} has direction "
                        f"{c['direction']!r}, expected {P_VALUE!r} or {DISTANCE!r}",
                        param="calibration",
                    )
                scores = tuple(float(s) for s in c["scores"])
                columns[str(name)] = ColumnCalibration(str(c["method"]), c["direction"], scores)
            return cls(
                window=str(data["window"]),
                mode=str(data["mode"]),
                chunks=int(data["chunks"]),
                columns=columns,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise DataSourceError(
                f"corrupt calibration: {type(exc).__name__}: {exc}", param="calibration"
            ) from exc
