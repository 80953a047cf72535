"""A mergeable log-bucketed quantile sketch (DDSketch style) on fixed universal bucket edges.

Bucket `i` of the positive side holds values in [gamma**i, gamma**(i+1)); the negative side
mirrors it; values with |x| < gamma**MIN_INDEX fall into one zero bucket [-g**m, g**m). The edges
depend only on `relative_accuracy`, so any two sketches with the same accuracy share them:
merging adds counts exactly, and every quantile is within `relative_accuracy` (relative) of the
true sample quantile for |x| >= gamma**MIN_INDEX.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from driftline.errors import InputError

#: Smallest bucket index; |x| below gamma**MIN_INDEX counts as zero.
MIN_INDEX_MAGNITUDE = 1e-9


class LogSketch:
    """Counts of finite values in log-spaced buckets with relative accuracy `alpha`."""

    def __init__(self, relative_accuracy: float = 0.01) -> None:
        if not 0 < relative_accuracy < 1:
            raise InputError(
                f"`relative_accuracy` must be in (0, 1), got {relative_accuracy!r}",
                param="relative_accuracy",
            )
        self.relative_accuracy = float(relative_accuracy)
        self.gamma = (1 + relative_accuracy) / (1 - relative_accuracy)
        self._log_gamma = math.log(self.gamma)
        self.min_index = math.floor(math.log(MIN_INDEX_MAGNITUDE) / self._log_gamma)
        self.positive: dict[int, int] = {}
        self.negative: dict[int, int] = {}
        self.zero = 0

    # -- building -----------------------------------------------------------------------------
    def add(self, values: np.ndarray) -> None:
        """Add finite float64 values (the caller removes NaN and infinities)."""
        if values.size == 0:
            return
        magnitude = np.abs(values)
        indexable = magnitude >= self.lower_bound(self.min_index)
        count = int(np.count_nonzero(indexable))
        self.zero += int(values.size) - count
        if count == 0:
            return
        if count < values.size:
            values, magnitude = values[indexable], magnitude[indexable]
        index = self._index(magnitude)  # once for both signs (indexable values are non-zero)
        negative = values < 0
        negatives = int(np.count_nonzero(negative))
        if negatives == 0:
            _add_counts(self.positive, index)
        elif negatives == count:
            _add_counts(self.negative, index)
        else:
            _add_counts(self.positive, index[~negative])
            _add_counts(self.negative, index[negative])

    def add_counts(self, values: np.ndarray, counts: np.ndarray) -> None:
        """Add finite float64 `values`, each `counts` times (a weighted sample, e.g. a KLL's)."""
        counts = np.asarray(counts, dtype=np.int64)
        magnitude = np.abs(values)
        indexable = magnitude >= self.lower_bound(self.min_index)
        self.zero += int(counts[~indexable].sum())
        values, magnitude, counts = values[indexable], magnitude[indexable], counts[indexable]
        if values.size == 0:
            return
        index = self._index(magnitude)
        for store, side in ((self.positive, values > 0), (self.negative, values < 0)):
            for key, count in zip(index[side].tolist(), counts[side].tolist(), strict=True):
                store[key] = store.get(key, 0) + count

    def _index(self, magnitude: np.ndarray) -> np.ndarray:
        position = np.log(magnitude)
        position *= 1.0 / self._log_gamma
        floor = np.floor(position)
        index = floor.astype(np.int64)
        # float rounding near an edge: move the value into the bucket whose bounds hold it
        # (only values within rounding distance of an edge can be off by one)
        position -= floor  # the fractional part, in place
        position -= 0.5
        near = np.flatnonzero(np.abs(position, out=position) > 0.5 - 1e-9)
        if near.size:
            edge_index, edge_magnitude = index[near], magnitude[near]
            edge_index -= edge_magnitude < np.exp(edge_index * self._log_gamma)
            edge_index += edge_magnitude >= np.exp((edge_index + 1) * self._log_gamma)
            index[near] = edge_index
        return index

    def merge(self, other: LogSketch) -> None:
        """Add the counts of `other` (same relative accuracy) into this sketch."""
        if other.relative_accuracy != self.relative_accuracy:
            raise InputError(
                "cannot merge sketches of different relative accuracy: "
                f"{self.relative_accuracy} vs {other.relative_accuracy}",
                param="relative_accuracy",
            )
        self.zero += other.zero
        for mine, theirs in ((self.positive, other.positive), (self.negative, other.negative)):
            for index, count in theirs.items():
                mine[index] = mine.get(index, 0) + count

    # -- reading ------------------------------------------------------------------------------
    @property
    def count(self) -> int:
        return self.zero + sum(self.positive.values()) + sum(self.negative.values())

    def lower_bound(self, index: int) -> float:
        """Lower edge of positive bucket `index`."""
        return math.exp(index * self._log_gamma)

    def buckets(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(lower edges, upper edges, counts) of the non-empty buckets in value order."""
        lows: list[float] = []
        highs: list[float] = []
        counts: list[int] = []
        for index in sorted(self.negative, reverse=True):
            lows.append(-self.lower_bound(index + 1))
            highs.append(-self.lower_bound(index))
            counts.append(self.negative[index])
        if self.zero:
            edge = self.lower_bound(self.min_index)
            lows.append(-edge)
            highs.append(edge)
            counts.append(self.zero)
        for index in sorted(self.positive):
            lows.append(self.lower_bound(index))
            highs.append(self.lower_bound(index + 1))
            counts.append(self.positive[index])
        return np.array(lows), np.array(highs), np.array(counts, dtype=np.int64)

    def representatives(self) -> tuple[np.ndarray, np.ndarray]:
        """(value, count) per non-empty bucket: the value within `alpha` of all its members."""
        lows, highs, counts = self.buckets()
        values = np.where(
            lows >= 0,
            2 * highs / (1 + self.gamma),
            np.where(highs <= 0, 2 * lows / (1 + self.gamma), 0.0),
        )
        return values, counts

    def quantile(self, q: float) -> float:
        """The value at rank floor(q * (n - 1)) (numpy's method='lower'), within alpha."""
        values, counts = self.representatives()
        total = int(counts.sum())
        if total == 0:
            return math.nan
        rank = math.floor(q * (total - 1))
        position = int(np.searchsorted(np.cumsum(counts), rank, side="right"))
        return float(values[position])

    # -- JSON ---------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "relative_accuracy": self.relative_accuracy,
            "zero_count": self.zero,
            "positive": _store_to_dict(self.positive),
            "negative": _store_to_dict(self.negative),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LogSketch:
        sketch = cls(float(data["relative_accuracy"]))
        sketch.zero = int(data["zero_count"])
        sketch.positive = _store_from_dict(data["positive"])
        sketch.negative = _store_from_dict(data["negative"])
        return sketch

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LogSketch) and self.to_dict() == other.to_dict()


def _add_counts(store: dict[int, int], index: np.ndarray) -> None:
    low = int(index.min())
    counts = np.bincount(index - low)
    present = np.flatnonzero(counts)
    for key, count in zip((present + low).tolist(), counts[present].tolist(), strict=True):
        store[key] = store.get(key, 0) + count


def _store_to_dict(store: Mapping[int, int]) -> dict[str, list[int]]:
    keys = sorted(store)
    return {"index": keys, "count": [store[k] for k in keys]}


def _store_from_dict(data: Mapping[str, Iterable[int]]) -> dict[int, int]:
    return {int(k): int(c) for k, c in zip(data["index"], data["count"], strict=True)}
