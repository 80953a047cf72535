"""Mergeable summary of a numeric (or datetime-as-epoch-seconds) column.

Moments merge with Chan's parallel algorithm; the value distribution is kept three times:
exactly (value -> count) while the column has at most `exact_cap` distinct values, and always
in a `LogSketch` (buckets 2 x relative accuracy wide, relative to the value: fine near zero and
over heavy tails) and in a `GridHistogram` (equal buckets, about 1/4096 of the column's own
range: fine for a narrow band far from zero, such as 15.00 to 15.10). Past the exact cap the
distribution is read from whichever of the two has the narrower buckets over the middle half
of the values. Values too large to square
(|x| >= 2**480) are summed in units of a power of two, so the moments never overflow.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from driftline.errors import InputError
from driftline.profile.distinct import DistinctCount
from driftline.profile.grid import DEFAULT_GRID_SIZE, GridHistogram, bucket_spans
from driftline.profile.scratch import scratch, slices
from driftline.profile.sketch import LogSketch

DEFAULT_RELATIVE_ACCURACY = 0.01
DEFAULT_EXACT_CAP = 1000
#: the log sketch is filled through grid buckets 2**_DETAIL times finer than the grid's own:
#: few of them straddle a sketch edge, so few values need a logarithm of their own
_DETAIL = 4
#: values of a column's first batch sorted to tell whether it can have few distinct values
_FIRST_LOOK = 2048
_UNSCALED_LIMIT = 2.0**480  # below it, sums of squares of up to 2**60 values stay finite


def _scale_for(magnitude: float) -> float:
    """1 for ordinary magnitudes; else the power of two that brings `magnitude` under 2."""
    if magnitude < _UNSCALED_LIMIT:
        return 1.0
    return math.ldexp(1.0, math.frexp(magnitude)[1] - 1)


class NumericSummary:
    """Count, non-finite counts, min/max/mean/std, quantiles and histogram of finite values."""

    def __init__(
        self,
        relative_accuracy: float = DEFAULT_RELATIVE_ACCURACY,
        exact_cap: int = DEFAULT_EXACT_CAP,
        *,
        integral: bool = False,
    ) -> None:
        self.count = 0  # finite values
        self.nan_count = 0
        self.posinf_count = 0
        self.neginf_count = 0
        self.min: float | None = None
        self.max: float | None = None
        self.mean: float | None = None
        self._m2 = 0.0  # sum of squared deviations from the mean, in units of _scale**2
        self._scale = 1.0  # a power of two: 1 unless values reach 2**480
        self.exact_cap = exact_cap
        self.exact_values: dict[float, int] | None = {}
        self._sketch = LogSketch(relative_accuracy)
        #: None in profiles written before the grid existed: the sketch stands in
        self._grid: GridHistogram | None = GridHistogram(DEFAULT_GRID_SIZE, integral)
        self.distinct: DistinctCount | None = DistinctCount()  # None: as for `grid`
        #: counts per fine grid bucket (see `add`) not yet added to the grid and the sketch
        self._pending: np.ndarray | None = None
        self._span_cache: tuple[int, int, int, np.ndarray, np.ndarray] | None = None

    @property
    def sketch(self) -> LogSketch:
        """The log sketch of the finite values."""
        self._flush()
        return self._sketch

    @sketch.setter
    def sketch(self, sketch: LogSketch) -> None:
        self._flush()
        self._sketch = sketch

    @property
    def grid(self) -> GridHistogram | None:
        """The equal-width histogram of the finite values (None in old profiles)."""
        self._flush()
        return self._grid

    @grid.setter
    def grid(self, grid: GridHistogram | None) -> None:
        self._flush()
        self._grid = grid

    @property
    def std(self) -> float | None:
        """Population standard deviation (ddof=0) of the finite values."""
        return math.sqrt(self._m2 / self.count) * self._scale if self.count else None

    # -- building -----------------------------------------------------------------------------
    def add(self, values: np.ndarray) -> None:
        """Add float64 values (no nulls; NaN and infinities are counted apart).

        Each value is indexed into a grid 2**_DETAIL times finer than the grid histogram's.
        The counts per fine bucket accumulate over batches while min and max stay put (the
        grid keeps its layout); they reach the grid histogram and the log sketch (whole fine
        buckets at once, where a bucket lies within one sketch bucket) when the grid moves or
        either is read. Only the values of fine buckets straddling a sketch edge are indexed
        into the sketch one by one, as they come. While the column has few distinct values
        (`exact`), a batch is counted first and its distinct values are indexed, each once,
        with their counts."""
        if values.size == 0:
            return
        low, high = float(values.min()), float(values.max())
        if not (math.isfinite(low) and math.isfinite(high)):  # NaN makes min and max NaN
            finite = np.isfinite(values)
            self.nan_count += int(np.count_nonzero(np.isnan(values)))
            self.posinf_count += int(np.count_nonzero(values == np.inf))
            self.neginf_count += int(np.count_nonzero(values == -np.inf))
            values = values[finite]
            if values.size == 0:
                return
            low, high = float(values.min()), float(values.max())
        if self.min is None or self.max is None or low < self.min or high > self.max:
            self._flush()  # the grid may move: settle the counts on its current layout
        self._rescale(_scale_for(max(-low, high)))
        scaled = values / self._scale if self._scale != 1.0 else values
        batch_mean, m2 = _moments(scaled)
        self._combine(values.size, batch_mean * self._scale, m2, low, high)
        batch = self._value_counts(values) if self.exact_values is not None else None
        if self._grid is None:
            self._sketch.add(values)
        elif batch is not None:
            self._add_to_grid(*batch)
        else:
            self._add_to_grid(values)
        if self.distinct is not None:
            if batch is not None:  # hashing each distinct value once counts the same
                self.distinct.add(batch[0], negative_zeros=False)
            else:
                self.distinct.add(values, negative_zeros=low <= 0 <= high)
        if batch is not None:  # (a batch is counted only while the values are few)
            self._add_exact(dict(zip(batch[0].tolist(), batch[1].tolist(), strict=True)))

    def _value_counts(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """The batch's distinct values (in order; -0.0 as 0.0) and their counts, or None when
        they are more than `exact_cap` (exact values end there). Whole numbers are counted
        from fine grid buckets at most 1 wide, where one `bincount` does; other values are
        sorted, unless the first values of a column's first batch already tell there are too
        many (a sort of a whole batch of distinct values costs more than the rest of it)."""
        grid = self._grid
        assert self.min is not None and self.max is not None
        counted = None if grid is None else grid.whole_numbers(values, self.min, self.max, _DETAIL)
        if counted is None and (
            self.exact_values or len(np.unique(values[:_FIRST_LOOK])) <= self.exact_cap
        ):
            distinct, counts = np.unique(values, return_counts=True)
            counted = distinct + 0.0, counts
        if counted is None or len(counted[0]) > self.exact_cap:
            self.exact_values = None
            return None
        return counted

    def _add_to_grid(self, values: np.ndarray, counts: np.ndarray | None = None) -> None:
        """Index `values` into the fine grid (counts pending); the values of fine buckets
        straddling a sketch edge go to the sketch one by one. `counts`: how many times each of
        `values` (then distinct) occurs; None: once each."""
        grid = self._grid
        assert grid is not None and self.min is not None and self.max is not None
        index = grid.fine_index(values, self.min, self.max, _DETAIL)
        added = np.bincount(index, weights=counts, minlength=len(grid.counts) << _DETAIL)
        _, straddles = self._span_keys()
        split = np.flatnonzero(straddles[index])  # (faster than a mask for few values)
        if split.size:
            if counts is None:
                self._sketch.add(values.take(split))
            else:
                self._sketch.add_counts(values.take(split), counts.take(split))
        self._pend(added.astype(np.int64, copy=False))

    def _pend(self, added: np.ndarray) -> None:
        if self._pending is None:
            self._pending = added
        else:
            self._pending += added

    def _flush(self) -> None:
        """Add the pending fine-bucket counts to the grid histogram and the log sketch."""
        pending, self._pending = self._pending, None
        if pending is None or self._grid is None:
            return
        self._grid.add_fine(pending, _DETAIL)
        keys, straddles = self._span_keys()
        whole = ~straddles
        self._sketch.add_keys(keys[whole], pending[whole])

    def _span_keys(self) -> tuple[np.ndarray, np.ndarray]:
        """Per fine grid bucket (see `add`): its sketch key, and whether it straddles a sketch
        edge (its smallest and largest numbers have different keys). They depend only on a
        bucket's index and width: kept, and extended when the grid grows at the same width."""
        grid = self._grid
        assert grid is not None and grid.exponent is not None
        exponent = grid.exponent - _DETAIL
        start = grid.first << _DETAIL
        stop = start + (len(grid.counts) << _DETAIL)
        cache = self._span_cache
        if cache is None or cache[0] != exponent or not (cache[1] <= start and stop <= cache[2]):
            if cache is not None and cache[0] == exponent:  # compute only the new buckets
                start, stop = min(start, cache[1]), max(stop, cache[2])
                parts = [(start, cache[1]), None, (cache[2], stop)]
            else:
                parts = [(start, stop)]
            keys: list[np.ndarray] = []
            straddles: list[np.ndarray] = []
            for part in parts:
                if part is None:
                    assert cache is not None
                    keys.append(cache[3])
                    straddles.append(cache[4])
                elif part[1] > part[0]:
                    lows, tops = bucket_spans(*part, exponent)
                    low_keys = self._sketch.keys(lows)
                    keys.append(low_keys)
                    straddles.append(low_keys != self._sketch.keys(tops))
            cache = (exponent, start, stop, np.concatenate(keys), np.concatenate(straddles))
            self._span_cache = cache
        offset = (grid.first << _DETAIL) - cache[1]
        length = len(grid.counts) << _DETAIL
        return cache[3][offset : offset + length], cache[4][offset : offset + length]

    def _rescale(self, scale: float) -> None:
        """Count `_m2` in units of `scale`**2 from now on, if `scale` is larger."""
        if scale > self._scale:
            self._m2 *= (self._scale / scale) ** 2
            self._scale = scale

    def _combine(self, n: int, mean: float, m2: float, low: float, high: float) -> None:
        """Chan's update with another part's count, mean and `m2` (in units of `_scale`**2)."""
        if self.count == 0 or self.mean is None:
            self.count, self.mean, self._m2, self.min, self.max = n, mean, m2, low, high
            return
        scale = self._scale
        count, mean, self._m2 = _chan(self.count, self.mean / scale, self._m2, n, mean / scale, m2)
        self.count, self.mean = count, mean * scale
        self.min = min(self.min, low) if self.min is not None else low
        self.max = max(self.max, high) if self.max is not None else high

    def _add_exact(self, counts: Mapping[float, int]) -> None:
        assert self.exact_values is not None
        merged = dict(self.exact_values)
        for value, count in counts.items():
            merged[value] = merged.get(value, 0) + count
        self.exact_values = merged if len(merged) <= self.exact_cap else None

    def merge(self, other: NumericSummary) -> None:
        """Add `other` (same options) into this summary."""
        if other.exact_cap != self.exact_cap:
            raise InputError(
                f"cannot merge numeric summaries with exact_cap {self.exact_cap} and "
                f"{other.exact_cap}",
                param="exact_cap",
            )
        self.sketch.merge(other.sketch)
        if self.grid is None or other.grid is None:
            self.grid = None
        elif other.min is not None and other.max is not None:
            low = other.min if self.min is None else min(self.min, other.min)
            high = other.max if self.max is None else max(self.max, other.max)
            self.grid.merge(other.grid, low, high)
        if self.distinct is None or other.distinct is None:
            self.distinct = None
        else:
            self.distinct.merge(other.distinct)
        self.nan_count += other.nan_count
        self.posinf_count += other.posinf_count
        self.neginf_count += other.neginf_count
        if other.count and other.mean is not None:
            assert other.min is not None and other.max is not None
            self._rescale(other._scale)
            m2 = other._m2 * (other._scale / self._scale) ** 2
            self._combine(other.count, other.mean, m2, other.min, other.max)
        if other.exact_values is None:
            self.exact_values = None
        elif self.exact_values is not None:
            self._add_exact(other.exact_values)

    # -- reading ------------------------------------------------------------------------------
    @property
    def exact(self) -> bool:
        """True when quantiles and `counts_on` are exact (few distinct values)."""
        return self.exact_values is not None

    @property
    def uses_grid(self) -> bool:
        """Whether the (inexact) distribution is read from the grid rather than the sketch: the
        grid holds one whole number per bucket, or its buckets are at most as wide as the
        sketch's at the quartiles."""
        if self.grid is None or self.grid.exponent is None:
            return False
        if self.grid.integral and self.grid.width == 1.0:
            return True
        quartiles = [abs(_at_rank(*self.sketch.representatives(), q)) for q in (0.25, 0.75)]
        return self.grid.width <= 2 * self.sketch.relative_accuracy * max(quartiles)

    def distribution(self) -> tuple[np.ndarray, np.ndarray]:
        """(values, counts) of the finite values, in value order: each distinct value while
        `exact`, else one representative per bucket of the grid or of the sketch (`uses_grid`),
        clipped to [min, max]."""
        if self.exact_values is not None:
            values = np.array(sorted(self.exact_values), dtype=np.float64)
            return values, np.array([self.exact_values[v] for v in values], dtype=np.int64)
        if self.count == 0 or self.min is None or self.max is None:
            return np.zeros(0), np.zeros(0, dtype=np.int64)
        values, counts = (
            self.grid.representatives()
            if self.uses_grid and self.grid is not None
            else self.sketch.representatives()
        )
        return np.clip(values, self.min, self.max), counts

    def distribution_like(self, other: NumericSummary) -> tuple[np.ndarray, np.ndarray]:
        """`distribution`, read on the same buckets as `other`'s when neither side is exact:
        both grids at the coarser of their two widths when both sides read their grid, else
        both log sketches (the same relative accuracy gives the same buckets). Sides read on
        different buckets put a bucket's values at different representatives, and a binned
        test over millions of rows takes that shift for drift."""
        exact = self.exact_values is not None or other.exact_values is not None
        if exact or self.count == 0 or self.min is None or self.max is None:
            return self.distribution()
        mine, theirs = self.grid, other.grid
        if self.uses_grid and other.uses_grid and mine is not None and theirs is not None:
            assert mine.exponent is not None and theirs.exponent is not None
            grid = mine.coarsened(max(mine.exponent, theirs.exponent))
            values, counts = grid.representatives()
        else:
            values, counts = self.sketch.representatives()
        return np.clip(values, self.min, self.max), counts

    def quantile(self, q: float) -> float:
        """The q-quantile (numpy method='lower'): exact, or within the narrower of the sketch's
        relative accuracy (times the value) and one grid bucket width."""
        if not 0 <= q <= 1:
            raise InputError(f"quantile must be in [0, 1], got {q!r}", param="q")
        if self.count == 0 or self.min is None or self.max is None:
            return math.nan
        if self.exact_values is not None:
            value = _at_rank(*self.distribution(), q)
        else:
            value = _at_rank(*self.sketch.representatives(), q)
            grid = self.grid
            if grid is not None and grid.width <= self.sketch.relative_accuracy * abs(value):
                value = _at_rank(*grid.representatives(), q)
        return float(np.clip(value, self.min, self.max))

    def counts_on(self, edges: Sequence[float]) -> np.ndarray:
        """Finite-value counts per bin [e_i, e_i+1) (last bin closed); outside values clipped in.

        Exact while the column has few distinct values; otherwise each bucket (see
        `distribution`) counts in the bin holding its representative value.
        """
        edges_array = np.asarray(edges, dtype=np.float64)
        if edges_array.ndim != 1 or edges_array.size < 2 or np.any(np.diff(edges_array) <= 0):
            raise InputError(
                "edges must be at least two strictly increasing numbers", param="edges"
            )
        values, counts = self.distribution()
        bins = np.searchsorted(edges_array, values, side="right") - 1
        bins = np.clip(bins, 0, edges_array.size - 2)
        return np.bincount(bins, weights=counts, minlength=edges_array.size - 1).astype(np.int64)

    def count_outside(self, low: float, high: float) -> int:
        """Finite values below `low` or above `high` (exact, or by bucket representative)."""
        values, counts = self.distribution()
        return int(counts[(values < low) | (values > high)].sum())

    def bins(self) -> tuple[np.ndarray, np.ndarray]:
        """(edges, counts) of the sketch's non-empty buckets: edges has one more entry than counts.

        Empty buckets between non-empty ones are included, so the bins are contiguous.
        """
        lows, highs, counts = self.sketch.buckets()
        if counts.size == 0:
            return np.array([], dtype=np.float64), counts
        edges = np.unique(np.concatenate([lows, highs]))
        full = np.zeros(edges.size - 1, dtype=np.int64)
        full[np.searchsorted(edges, lows)] = counts
        return edges, full

    # -- JSON ---------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        quantiles = {f"p{round(q * 100):02d}": self.quantile(q) for q in _REPORTED_QUANTILES}
        exact = None
        if self.exact_values is not None:
            keys = sorted(self.exact_values)
            exact = {"values": keys, "counts": [self.exact_values[k] for k in keys]}
        return {
            "count": self.count,
            "nan_count": self.nan_count,
            "posinf_count": self.posinf_count,
            "neginf_count": self.neginf_count,
            "min": self.min,
            "max": self.max,
            "mean": self.mean,
            "std": self.std,
            "m2": self._m2,
            **({"m2_scale": self._scale} if self._scale != 1.0 else {}),  # m2 in its units**2
            "quantiles": quantiles,  # derived, for readers; ignored by from_dict
            "exact_cap": self.exact_cap,
            "exact_values": exact,
            "sketch": self.sketch.to_dict(),
            "grid": None if self.grid is None else self.grid.to_dict(),
            "distinct": None if self.distinct is None else self.distinct.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NumericSummary:
        summary = cls(float(data["sketch"]["relative_accuracy"]), int(data["exact_cap"]))
        summary.count = int(data["count"])
        summary.nan_count = int(data["nan_count"])
        summary.posinf_count = int(data["posinf_count"])
        summary.neginf_count = int(data["neginf_count"])
        summary.min = _opt_float(data["min"])
        summary.max = _opt_float(data["max"])
        summary.mean = _opt_float(data["mean"])
        summary._m2 = float(data["m2"] or 0.0)
        summary._scale = float(data.get("m2_scale", 1.0))
        exact = data["exact_values"]
        summary.exact_values = (
            None
            if exact is None
            else {float(v): int(c) for v, c in zip(exact["values"], exact["counts"], strict=True)}
        )
        summary.sketch = LogSketch.from_dict(data["sketch"])
        grid = data.get("grid")  # absent in profiles written before the grid existed
        summary.grid = None if grid is None else GridHistogram.from_dict(grid)
        distinct = data.get("distinct")
        summary.distinct = None if distinct is None else DistinctCount.from_dict(distinct)
        return summary

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NumericSummary) and self.to_dict() == other.to_dict()


def _moments(values: np.ndarray) -> tuple[float, float]:
    """The mean of `values` and the sum of their squared deviations from it, slice by slice
    (each slice's deviations are squared and summed while in the core's cache)."""
    count, mean, m2 = 0, 0.0, 0.0
    for some in slices(len(values)):
        part = values[some]
        part_mean = float(part.mean())
        deviations = np.subtract(part, part_mean, out=scratch("moments", len(part), np.float64))
        deviations *= deviations  # (not np.dot: BLAS threads would spin on every batch)
        count, mean, m2 = _chan(count, mean, m2, len(part), part_mean, float(deviations.sum()))
    return mean, m2


def _chan(
    count: int, mean: float, m2: float, n: int, other_mean: float, other_m2: float
) -> tuple[int, float, float]:
    """Chan's parallel update: the count, mean and sum of squared deviations of two parts."""
    total = count + n
    delta = other_mean - mean
    return total, mean + delta * n / total, m2 + other_m2 + delta * delta * count * n / total


def _at_rank(values: np.ndarray, counts: np.ndarray, q: float) -> float:
    """The value at rank floor(q * (n - 1)) of a weighted, sorted distribution."""
    total = int(counts.sum())
    rank = math.floor(q * (total - 1))
    return float(values[int(np.searchsorted(np.cumsum(counts), rank, side="right"))])


_REPORTED_QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)
