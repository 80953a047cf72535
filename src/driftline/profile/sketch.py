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
#: bucket lower bounds computed so far, per log(gamma): (first index, bounds from it on)
_BOUNDS: dict[float, tuple[int, np.ndarray]] = {}
_MAX_BOUNDS = 1 << 16


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
        self.positive = BucketCounts()
        self.negative = BucketCounts()
        self.zero = 0
        self._buckets: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # see `buckets`

    # -- building -----------------------------------------------------------------------------
    def add(self, values: np.ndarray) -> None:
        """Add finite float64 values (the caller removes NaN and infinities)."""
        if values.size == 0:
            return
        self._buckets = None
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
            self.positive.add(index)
        elif negatives == count:
            self.negative.add(index)
        else:
            self.positive.add(index[~negative])
            self.negative.add(index[negative])

    def add_bucketed(
        self,
        values: np.ndarray,
        index: np.ndarray,
        counts: np.ndarray,
        span_keys: tuple[np.ndarray, np.ndarray],
    ) -> None:
        """Add finite `values` already sorted into finer buckets: `index` is each value's
        bucket, `counts` the values per bucket, `span_keys` the `keys` of the smallest and the
        largest number each bucket can hold. A bucket whose span lies in one sketch bucket adds
        its count there; only the values of the others are indexed one by one. The result is
        the same as `add(values)`."""
        low_keys, top_keys = span_keys
        whole = low_keys == top_keys
        self.add_keys(low_keys[whole], counts[whole])
        split = (counts > 0) & ~whole
        if split.any():
            self.add(values[split[index]])

    def add_keys(self, keys: np.ndarray, weights: np.ndarray) -> None:
        """Count `weights` values in the buckets of signed `keys` (see `keys`)."""
        filled = weights > 0
        keys, weights = keys[filled], weights[filled]
        if keys.size == 0:
            return
        self._buckets = None
        self.zero += int(weights[keys == 0].sum())
        for store, side in ((self.positive, keys > 0), (self.negative, keys < 0)):
            if side.any():
                store.add(np.abs(keys[side]) - 1 + self.min_index, weights[side])

    def keys(self, values: np.ndarray) -> np.ndarray:
        """The bucket of each value as one signed number: 0 for the zero bucket, else
        +-(index - min_index + 1) by sign."""
        magnitude = np.abs(values)
        indexable = magnitude >= self.lower_bound(self.min_index)
        keys = np.zeros(len(values), dtype=np.int64)
        if indexable.any():
            index = self._index(magnitude[indexable]) - self.min_index + 1
            keys[indexable] = np.where(values[indexable] < 0, -index, index)
        return keys

    def add_counts(self, values: np.ndarray, counts: np.ndarray) -> None:
        """Add finite float64 `values`, each `counts` times (a weighted sample, e.g. a KLL's)."""
        self._buckets = None
        counts = np.asarray(counts, dtype=np.int64)
        magnitude = np.abs(values)
        indexable = magnitude >= self.lower_bound(self.min_index)
        self.zero += int(counts[~indexable].sum())
        values, magnitude, counts = values[indexable], magnitude[indexable], counts[indexable]
        if values.size == 0:
            return
        index = self._index(magnitude)
        for store, side in ((self.positive, values > 0), (self.negative, values < 0)):
            if side.any():
                store.add(index[side], counts[side])

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
        self._buckets = None
        self.zero += other.zero
        self.positive.merge(other.positive)
        self.negative.merge(other.negative)

    # -- reading ------------------------------------------------------------------------------
    @property
    def count(self) -> int:
        return self.zero + self.positive.total() + self.negative.total()

    def lower_bound(self, index: int) -> float:
        """Lower edge of positive bucket `index`."""
        return math.exp(index * self._log_gamma)

    def buckets(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(lower edges, upper edges, counts) of the non-empty buckets in value order (kept,
        read-only, until the sketch changes: quantiles and histograms read them many times)."""
        if self._buckets is None:
            self._buckets = self._computed_buckets()
        return self._buckets

    def _computed_buckets(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        negative, negative_counts = self.negative.nonzero()
        positive, positive_counts = self.positive.nonzero()
        negative, negative_counts = negative[::-1], negative_counts[::-1]  # value order
        edge = self.lower_bound(self.min_index)
        zero_low, zero_high, zero_count = (
            ([-edge], [edge], [self.zero]) if self.zero else ([], [], [])
        )
        lows = np.concatenate(
            [-self._lower_bounds(negative + 1), zero_low, self._lower_bounds(positive)]
        )
        highs = np.concatenate(
            [-self._lower_bounds(negative), zero_high, self._lower_bounds(positive + 1)]
        )
        counts = np.concatenate([negative_counts, zero_count, positive_counts]).astype(np.int64)
        for array in (lows, highs, counts):
            array.setflags(write=False)
        return lows, highs, counts

    def _lower_bounds(self, index: np.ndarray) -> np.ndarray:
        """`lower_bound` of each index, computed the same way (once per process for a
        contiguous range of indexes; sketches of the same accuracy share it)."""
        if index.size == 0:
            return np.zeros(0)
        low, high = int(index.min()), int(index.max())
        first, bounds = _BOUNDS.get(self._log_gamma, (low, np.zeros(0)))
        start, stop = min(low, first), max(high + 1, first + len(bounds))
        if stop - start > _MAX_BOUNDS:  # a range too wide to tabulate: only these indexes
            return np.array([self.lower_bound(int(i)) for i in index], dtype=np.float64)
        if (start, stop) != (first, first + len(bounds)):
            bounds = np.array([self.lower_bound(i) for i in range(start, stop)], np.float64)
            _BOUNDS[self._log_gamma] = first, bounds = start, bounds
        return bounds[index - first]

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
            "positive": self.positive.to_dict(),
            "negative": self.negative.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LogSketch:
        sketch = cls(float(data["relative_accuracy"]))
        sketch.zero = int(data["zero_count"])
        sketch.positive = BucketCounts.from_dict(data["positive"])
        sketch.negative = BucketCounts.from_dict(data["negative"])
        return sketch

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LogSketch) and self.to_dict() == other.to_dict()


class BucketCounts:
    """Counts per bucket index of one side of a sketch: a dense array from `offset`."""

    def __init__(self) -> None:
        self.offset = 0
        self.counts = np.zeros(0, dtype=np.int64)

    def add(self, index: np.ndarray, weights: np.ndarray | None = None) -> None:
        """Count each of `index` once (or `weights` times)."""
        if index.size == 0:
            return
        low, high = int(index.min()), int(index.max())
        self._cover(low, high)
        added = np.bincount(index - low, weights=weights, minlength=high - low + 1)
        self.counts[low - self.offset : high - self.offset + 1] += added.astype(np.int64)

    def _cover(self, low: int, high: int) -> None:
        if self.counts.size == 0:
            self.offset, self.counts = low, np.zeros(high - low + 1, dtype=np.int64)
            return
        start, end = min(low, self.offset), max(high, self.offset + len(self.counts) - 1)
        if (start, end) != (self.offset, self.offset + len(self.counts) - 1):
            counts = np.zeros(end - start + 1, dtype=np.int64)
            counts[self.offset - start : self.offset - start + len(self.counts)] = self.counts
            self.offset, self.counts = start, counts

    def merge(self, other: BucketCounts) -> None:
        keys, counts = other.nonzero()
        self.add(keys, counts)

    def total(self) -> int:
        return int(self.counts.sum())

    def nonzero(self) -> tuple[np.ndarray, np.ndarray]:
        """(indexes, counts) of the non-empty buckets, ascending."""
        present = np.flatnonzero(self.counts)
        return present + self.offset, self.counts[present]

    def as_dict(self) -> dict[int, int]:
        keys, counts = self.nonzero()
        return dict(zip(keys.tolist(), counts.tolist(), strict=True))

    def to_dict(self) -> dict[str, list[int]]:
        keys, counts = self.nonzero()
        return {"index": keys.tolist(), "count": counts.tolist()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Iterable[int]]) -> BucketCounts:
        store = cls()
        store.add(
            np.asarray(list(data["index"]), dtype=np.int64),
            np.asarray(list(data["count"]), dtype=np.float64),
        )
        return store
