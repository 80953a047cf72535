"""ROC AUC and average precision from mergeable counts of rows per score value and class.

Method. A `ScoreCounts` keeps, for every distinct score, how many labelled rows of each true
class carry it. Both metrics depend on the scores only through their order and ties, so
these counts give them exactly, and the counts of two disjoint sets of rows add.

The counts stay exact while at most `max_distinct` distinct scores were seen. Beyond that,
scores are rounded toward zero to fewer significant bits (`ROUNDING_BITS`: 20, 16, 12, ...
of the 52 mantissa bits) until they fit. Rounding keeps the order of scores, so the only
error is that rows of one rounded value become ties. `error_bounds` gives, from the counts
themselves, how far each metric can be from its exact value:

- ROC AUC: a positive and a negative row tied by the rounding count one half instead of 0
  or 1, so the error is at most half the share of (positive, negative) pairs that share a
  rounded value.
- Average precision: within one rounded value the exact precision at each positive row lies
  between the precision with the value's negatives ranked first and with its positives
  ranked first, and both the exact and the rounded metric are averages of values in those
  ranges.

Which rounding a state uses depends only on the set of scores it holds (the finest that
fits), so merging the states of two parts gives the state of their concatenation, exactly.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from driftline.errors import InputError

MAX_DISTINCT = 1 << 18  # distinct scores kept exactly (3 numbers each per class pair)
EXACT_BITS = 52
ROUNDING_BITS = (EXACT_BITS, 20, 16, 12, 8, 4, 0)


def round_scores(scores: np.ndarray, bits: int) -> np.ndarray:
    """`scores` with their mantissa cut to `bits` bits (toward zero; order kept, -0 is 0)."""
    values = np.ascontiguousarray(scores, dtype=np.float64) + 0.0
    if bits >= EXACT_BITS:
        return values
    mask = np.int64(~((1 << (EXACT_BITS - bits)) - 1))
    return (values.view(np.int64) & mask).view(np.float64)


def _aggregate(scores: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct scores and the summed count rows of each."""
    distinct, inverse = np.unique(scores, return_inverse=True)
    summed = np.empty((len(distinct), counts.shape[1]), dtype=np.int64)
    for column in range(counts.shape[1]):  # float weights: exact below 2**53 rows
        summed[:, column] = np.bincount(inverse, counts[:, column], minlength=len(distinct))
    return distinct, summed


def _merge_sorted(
    scores: np.ndarray, counts: np.ndarray, more: np.ndarray, more_counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Two sorted distinct score arrays and their counts as one."""
    if len(scores) == 0:
        return more, more_counts
    both = np.concatenate([scores, more])
    order = np.argsort(both, kind="stable")  # timsort: two sorted runs merge in linear time
    ordered = both[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    summed = np.add.reduceat(np.concatenate([counts, more_counts])[order], starts, axis=0)
    return ordered[starts], summed


@dataclass
class ScoreCounts:
    """Labelled rows per distinct (possibly rounded) score, one count column per class."""

    n_classes: int
    max_distinct: int = MAX_DISTINCT
    bits: int = EXACT_BITS
    scores: np.ndarray | None = None  # sorted, distinct
    counts: np.ndarray | None = None  # len(scores) x n_classes

    def __post_init__(self) -> None:
        if self.scores is None:
            self.scores = np.empty(0, dtype=np.float64)
        if self.counts is None:
            self.counts = np.zeros((0, self.n_classes), dtype=np.int64)

    @property
    def exact(self) -> bool:
        return self.bits >= EXACT_BITS

    def update(self, scores: np.ndarray, classes: np.ndarray) -> None:
        """Add rows: their scores and true class indices (0 .. n_classes - 1)."""
        if len(scores) == 0:
            return
        rounded = round_scores(scores, self.bits)
        distinct, inverse = np.unique(rounded, return_inverse=True)
        flat = np.bincount(
            inverse * self.n_classes + classes, minlength=len(distinct) * self.n_classes
        )
        self._add(distinct, flat.reshape(len(distinct), self.n_classes))

    def merge(self, other: ScoreCounts) -> None:
        """Add the counts of another disjoint set of rows (same classes)."""
        if other.n_classes != self.n_classes:
            raise InputError(
                f"score counts over {other.n_classes} classes do not merge into counts over "
                f"{self.n_classes}; align them to the same classes first",
                param="states",
            )
        assert other.scores is not None and other.counts is not None
        if other.bits < self.bits:
            self._round(other.bits)
        scores, counts = other.scores, other.counts
        if other.bits > self.bits:  # rounding may join some of its scores
            scores, counts = _aggregate(round_scores(scores, self.bits), counts)
        self._add(scores, counts)

    def _add(self, scores: np.ndarray, counts: np.ndarray) -> None:
        """Add counts of sorted distinct scores (rounded as this state's)."""
        assert self.scores is not None and self.counts is not None
        self.scores, self.counts = _merge_sorted(self.scores, self.counts, scores, counts)
        while len(self.scores) > self.max_distinct and self.bits > 0:
            self._round(next(b for b in ROUNDING_BITS if b < self.bits))

    def _round(self, bits: int) -> None:
        assert self.scores is not None and self.counts is not None
        self.bits = bits
        self.scores, self.counts = _aggregate(round_scores(self.scores, bits), self.counts)

    def positive_negative(self, positive: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows of class `positive` and of every other class, per score, descending."""
        assert self.counts is not None
        pos = self.counts[::-1, positive]
        return pos, self.counts[::-1].sum(axis=1) - pos

    def metrics(self, positive: int) -> tuple[float, float]:
        """(ROC AUC, average precision) of class `positive` against the rest; NaN when
        undefined (no positive, or for ROC AUC no negative row)."""
        pos, neg = self.positive_negative(positive)
        return rank_metrics_from_counts(pos, neg)

    def error_bounds(self, positive: int) -> tuple[float, float]:
        """Largest difference of (ROC AUC, average precision) from their exact values."""
        if self.exact:
            return 0.0, 0.0
        pos, neg = self.positive_negative(positive)
        return rank_error_bounds(pos, neg)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready and exact: the arrays as base64 of their little-endian bytes (a few MB
        where JSON numbers would take tens)."""
        assert self.scores is not None and self.counts is not None
        return {
            "bits": self.bits,
            "max_distinct": self.max_distinct,
            "scores": _encode(self.scores.astype("<f8")),
            "counts": _encode(self.counts.astype("<i8")),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], n_classes: int) -> ScoreCounts:
        scores = _decode(data["scores"], "<f8").astype(np.float64)
        counts = _decode(data["counts"], "<i8").astype(np.int64).reshape(-1, n_classes)
        if len(counts) != len(scores):
            raise InputError(
                f"score counts hold {len(scores)} scores but {len(counts)} count rows",
                param="states",
            )
        return cls(n_classes, int(data["max_distinct"]), int(data["bits"]), scores, counts)

    def aligned(self, index: Sequence[int], n_classes: int) -> ScoreCounts:
        """These counts with class i moved to column index[i] of n_classes columns."""
        assert self.scores is not None and self.counts is not None
        counts = np.zeros((len(self.scores), n_classes), dtype=np.int64)
        counts[:, list(index)] = self.counts
        return ScoreCounts(n_classes, self.max_distinct, self.bits, self.scores.copy(), counts)


def _encode(values: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(values).tobytes()).decode("ascii")


def _decode(text: str, dtype: str) -> np.ndarray:
    try:
        return np.frombuffer(base64.b64decode(text, validate=True), dtype=dtype)
    except (ValueError, TypeError) as exc:
        raise InputError(f"score counts are not base64 arrays: {exc}", param="states") from None


def rank_metrics_from_counts(pos: np.ndarray, neg: np.ndarray) -> tuple[float, float]:
    """(ROC AUC, average precision) from positive and negative rows per score, descending."""
    n_pos, n_neg = int(pos.sum()), int(neg.sum())
    if n_pos == 0:
        return float("nan"), float("nan")
    tps = np.cumsum(pos, dtype=np.int64)
    predicted = tps + np.cumsum(neg, dtype=np.int64)
    has_rows = predicted > np.r_[0, predicted[:-1]]
    gain = pos.astype(np.float64)
    precision = np.divide(tps, predicted, out=np.zeros(len(tps)), where=has_rows)
    average_precision = float(np.dot(gain / n_pos, precision))
    if n_neg == 0:
        return float("nan"), average_precision
    below = np.r_[0, tps[:-1]].astype(np.float64)
    area = float(np.dot(neg.astype(np.float64), below + gain / 2))
    return area / (n_pos * n_neg), average_precision


def rank_error_bounds(pos: np.ndarray, neg: np.ndarray) -> tuple[float, float]:
    """Bounds on the error of rank metrics computed on tied (rounded) scores; see the module
    docstring."""
    n_pos, n_neg = int(pos.sum()), int(neg.sum())
    if n_pos == 0:
        return 0.0, 0.0
    posf, negf = pos.astype(np.float64), neg.astype(np.float64)
    auc_bound = float(np.dot(posf, negf)) / 2 / (n_pos * n_neg) if n_neg else 0.0
    tp_before = np.cumsum(posf) - posf
    pp_before = np.cumsum(posf + negf) - posf - negf
    scored = pos > 0
    best = (tp_before + posf) / np.maximum(pp_before + posf, 1)
    worst = (tp_before + 1) / np.maximum(pp_before + negf + 1, 1)
    ap_bound = float(np.dot(posf[scored], (best - worst)[scored])) / n_pos
    return auc_bound, ap_bound
