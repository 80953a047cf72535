"""Calibrate class probabilities on the labelled reference, and draw calibrations as uncertain
as that fit.

Method "isotonic": per class (binary: the positive class only), an isotonic regression of
"label is this class" on the class's score, fit on the reference (pool-adjacent-violators,
scikit-learn's `isotonic_regression`). Its blocks are kept: the mean score, the rows and the
positives of each. A score is calibrated by linear interpolation between the blocks' (mean
score, positive rate) points, clipped at the ends; a multiclass row is then renormalised to
sum to 1. The blocks are what the baseline records, so scheduled runs apply the calibration
without refitting it.

The calibration's own uncertainty: a drawn calibration replaces each block's rate by a draw
from Beta(positives + 1/2, rows - positives + 1/2), the Jeffreys posterior of that rate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from driftline.errors import InputError

METHODS = ("isotonic", "none")


@dataclass(frozen=True)
class ClassCalibration:
    """The isotonic blocks of one class: mean raw score, rows and positives of each."""

    score: np.ndarray
    rows: np.ndarray
    positives: np.ndarray

    @classmethod
    def fit(cls, positive: np.ndarray, score: np.ndarray) -> ClassCalibration:
        """Isotonic regression of `positive` (bool) on `score`."""
        from sklearn.isotonic import isotonic_regression

        distinct, counts = np.unique(score, return_counts=True)
        order = np.argsort(score, kind="stable")
        hits = np.add.reduceat(positive[order].astype(np.float64), np.r_[0, np.cumsum(counts)[:-1]])
        fitted = isotonic_regression(hits / counts, sample_weight=counts, increasing=True)
        first = np.flatnonzero(np.r_[True, fitted[1:] != fitted[:-1]])
        rows = np.add.reduceat(counts, first)
        return cls(
            score=np.add.reduceat(distinct * counts, first) / rows,
            rows=rows.astype(np.int64),
            positives=np.rint(np.add.reduceat(hits, first)).astype(np.int64),
        )

    def apply(self, score: np.ndarray, rates: np.ndarray | None = None) -> np.ndarray:
        """Calibrated probabilities of raw `score` (with the block `rates`, default fitted)."""
        if rates is None:
            rates = self.positives / self.rows
        if len(self.score) == 1:
            return np.full(len(score), float(rates[0]))
        return np.interp(score, self.score, rates)

    def drawn_rates(self, rng: np.random.Generator) -> np.ndarray:
        """Block rates drawn from their Jeffreys posteriors."""
        return rng.beta(self.positives + 0.5, self.rows - self.positives + 0.5)


@dataclass(frozen=True)
class Calibration:
    """Per calibrated class index, its blocks; how the reference calibrates the scores."""

    method: str
    classes: Mapping[int, ClassCalibration]
    fit_rows: int

    @classmethod
    def fit(cls, y_true: np.ndarray, proba: np.ndarray, positive_index: int) -> Calibration:
        """Fit on labelled rows: class indices `y_true`, probability matrix `proba`."""
        indices = [positive_index] if proba.shape[1] == 2 else range(proba.shape[1])
        fitted = {k: ClassCalibration.fit(y_true == k, proba[:, k]) for k in indices}
        return cls("isotonic", fitted, len(y_true))

    def apply(self, proba: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
        """The calibrated probability matrix; a drawn calibration when `rng` is given."""
        out = np.array(proba, dtype=np.float64, copy=True)
        for k, blocks in self.classes.items():
            rates = blocks.drawn_rates(rng) if rng is not None else None
            out[:, k] = blocks.apply(proba[:, k], rates)
        if out.shape[1] == 2:
            (k,) = self.classes
            out[:, 1 - k] = 1.0 - out[:, k]
            return out
        total = out.sum(axis=1, keepdims=True)
        uniform = np.full_like(out, 1.0 / out.shape[1])
        return np.divide(out, total, out=uniform, where=total > 0)

    def to_dict(self, classes: Sequence[str]) -> dict[str, Any]:
        """The JSON form recorded in the report and the baseline."""
        return {
            "method": self.method,
            "fit_rows": self.fit_rows,
            "classes": {
                classes[k]: {
                    "score": b.score.tolist(),
                    "rows": b.rows.tolist(),
                    "positives": b.positives.tolist(),
                }
                for k, b in self.classes.items()
            },
        }

    @classmethod
    def from_dict(cls, document: Mapping[str, Any], classes: Sequence[str]) -> Calibration:
        """Read a recorded calibration; its classes must be among `classes`."""
        try:
            if document["method"] != "isotonic":
                raise ValueError(f"method {document['method']!r} is not 'isotonic'")
            fitted = {}
            for name, blocks in document["classes"].items():
                if name not in classes:
                    raise ValueError(f"class {name!r} is not one of {list(classes)}")
                score = np.asarray(blocks["score"], dtype=np.float64)
                rows = np.asarray(blocks["rows"], dtype=np.int64)
                positives = np.asarray(blocks["positives"], dtype=np.int64)
                if not (len(score) == len(rows) == len(positives) > 0):
                    raise ValueError(f"class {name!r} has blocks of unequal lengths")
                if (rows < 1).any() or (positives < 0).any() or (positives > rows).any():
                    raise ValueError(f"class {name!r} has block counts out of range")
                if (np.diff(score) <= 0).any():
                    raise ValueError(f"class {name!r} block scores do not increase")
                fitted[list(classes).index(name)] = ClassCalibration(score, rows, positives)
            if len(classes) == 2 and len(fitted) != 1:
                raise ValueError("a binary calibration names the positive class only")
            return cls("isotonic", fitted, int(document.get("fit_rows", 0)))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(
                f"the recorded calibration is not a driftline isotonic calibration: {exc}",
                param="calibration",
            ) from None
