"""A mergeable equal-width histogram whose bucket width follows the column's own range.

Bucket `k` holds the values in [k * 2**e, (k + 1) * 2**e). The grids of all exponents nest,
so a histogram coarsens exactly (bucket k -> k >> d) and two histograms merge exactly. The
exponent is a function of the smallest and largest value seen only: the smallest `e` that
keeps [min, max] within `size` buckets, but never finer than the float spacing of the largest
magnitude (nor than 1 for integer columns). So one pass over all rows and the merge of the
histograms of any partition of them give the same exponent and the same counts.

A log sketch resolves values to 1 % of their magnitude: a column in a narrow band far from
zero (15.00 to 15.10) falls into one or two of its buckets. This grid resolves every column to
about 1/`size` of its own range, wherever the range sits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from driftline.errors import InputError
from driftline.profile.scratch import scratch, slices

DEFAULT_GRID_SIZE = 4096
_FLOAT_DIGITS = 53  # bits of a float64 significand
_MIN_EXPONENT = -1022  # 2.0 ** -e stays finite


def exponent_for(low: float, high: float, size: int, integral: bool) -> int:
    """The smallest e with [low, high] in at most `size` buckets of width 2**e (see module)."""
    magnitude = max(abs(low), abs(high))
    e = max(math.frexp(magnitude)[1] - _FLOAT_DIGITS, _MIN_EXPONENT)
    if integral:
        e = max(e, 0)
    span = high - low  # Python floats: an overflow gives inf, no warning
    if span > 0:
        # a lower bound: `size` buckets of width 2**e span size * 2**e >= span - 2**e
        spread = math.log2(span) if math.isfinite(span) else math.log2(magnitude) + 1
        e = max(e, math.floor(spread - math.log2(size)) - 1)
    while bucket_index(high, e) - bucket_index(low, e) + 1 > size:
        e += 1
    return e


def bucket_index(value: float, exponent: int) -> int:
    """The bucket of `value` at `exponent`: floor(value / 2**exponent), exactly."""
    return math.floor(math.ldexp(value, -exponent))


def bucket_spans(start: int, stop: int, exponent: int) -> tuple[np.ndarray, np.ndarray]:
    """(smallest, largest) number each of buckets start..stop-1 of width 2**exponent can hold."""
    index = np.arange(start, stop, dtype=np.float64)
    lows = np.ldexp(index, exponent)
    return lows, np.nextafter(np.ldexp(index + 1, exponent), -np.inf)


class GridHistogram:
    """Counts of finite values in at most `size` equal buckets of width 2**exponent."""

    def __init__(self, size: int = DEFAULT_GRID_SIZE, integral: bool = False) -> None:
        if size < 2:
            raise InputError(f"grid size must be at least 2, got {size!r}", param="size")
        self.size = int(size)
        self.integral = bool(integral)  # every value is a whole number
        self.exponent: int | None = None  # None until a value arrives
        self.first = 0  # bucket index of counts[0]
        self.counts = np.zeros(0, dtype=np.int64)

    @property
    def width(self) -> float:
        """Bucket width (inf while empty)."""
        return math.inf if self.exponent is None else math.ldexp(1.0, self.exponent)

    @property
    def count(self) -> int:
        return int(self.counts.sum())

    # -- building -----------------------------------------------------------------------------
    def add(
        self, values: np.ndarray, low: float, high: float, detail: int = 0
    ) -> tuple[np.ndarray, np.ndarray]:
        """Add finite float64 `values`; `low`/`high` are the min/max of everything seen so far,
        these values included.

        Returns each value's bucket and the count of these values per bucket, on buckets
        2**`detail` times finer than this histogram's (see `spans`), for callers that index the
        values further."""
        index = self.fine_index(values, low, high, detail)
        added = np.bincount(index, minlength=len(self.counts) << detail)
        self.add_fine(added, detail)
        return index, added

    def fine_index(self, values: np.ndarray, low: float, high: float, detail: int) -> np.ndarray:
        """Cover [low, high] (as `add`) and return each value's bucket on buckets 2**`detail`
        times finer than this histogram's, without counting them (a per-thread scratch array:
        use it before the next call)."""
        self._cover(low, high)
        assert self.exponent is not None
        scale = math.ldexp(1.0, detail - self.exponent)  # a power of two: exact products
        first = self.first << detail
        index = scratch("grid-index", len(values), np.intp)
        for part in slices(len(values)):
            some = values[part]
            scaled = np.multiply(some, scale, out=scratch("grid", len(some), np.float64))
            if low < 0:  # converting to integers truncates, which is the floor from 0 up
                np.floor(scaled, out=scaled)
            np.copyto(index[part], scaled, casting="unsafe")  # exact: |scaled| < 2**(53 + detail)
            index[part] -= first
        return index

    def whole_numbers(
        self, values: np.ndarray, low: float, high: float, detail: int
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """For a whole-number histogram covering [low, high] (as `add`) whose buckets
        2**`detail` times finer are at most 1 wide, each holding at most one whole number, at
        its lower edge: the distinct `values` (in order) and their counts, from one `bincount`
        (no sort). Else None."""
        if not self.integral:
            return None
        self._cover(low, high)
        assert self.exponent is not None
        if self.exponent > detail:
            return None
        counts = np.bincount(self.fine_index(values, low, high, detail))
        present = np.flatnonzero(counts)
        first = self.first << detail
        edges = np.ldexp((present + first).astype(np.float64), self.exponent - detail)
        return edges, counts[present]

    def add_fine(self, counts: np.ndarray, detail: int) -> None:
        """Add counts per bucket 2**`detail` times finer than this histogram's (as `add`
        returns them; the layout must not have changed since)."""
        self.counts += counts.reshape(len(self.counts), 1 << detail).sum(axis=1)

    def spans(self, detail: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """(smallest, largest) number each bucket can hold, on buckets 2**`detail` times finer
        than this histogram's (the buckets of `add`'s result)."""
        assert self.exponent is not None
        first = self.first << detail
        return bucket_spans(first, first + (len(self.counts) << detail), self.exponent - detail)

    def _cover(self, low: float, high: float, at_least: int | None = None) -> None:
        """Re-grid so that [low, high] (the min and max seen) is covered."""
        exponent = exponent_for(low, high, self.size, self.integral)
        for floor in (self.exponent, at_least):
            exponent = exponent if floor is None else max(exponent, floor)
        first = bucket_index(low, exponent)
        self._regrid(exponent, first, bucket_index(high, exponent) - first + 1)

    def _regrid(self, exponent: int, first: int, length: int) -> None:
        """Move the counts onto buckets first..first+length-1 at `exponent` (>= the current)."""
        if exponent == self.exponent and first == self.first and length == len(self.counts):
            return
        counts = np.zeros(length, dtype=np.int64)
        if self.exponent is not None and self.counts.any():
            present = np.flatnonzero(self.counts)
            new = ((present + self.first) >> (exponent - self.exponent)) - first
            np.add.at(counts, new, self.counts[present])
        self.exponent, self.first, self.counts = exponent, first, counts

    def merge(self, other: GridHistogram, low: float, high: float) -> None:
        """Add the counts of `other` (same size and integrality) into this histogram; `low` and
        `high` are the min and max of the values of both."""
        if (other.size, other.integral) != (self.size, self.integral):
            raise InputError(
                "cannot merge grid histograms of different size or integrality: "
                f"{self.size}/{self.integral} vs {other.size}/{other.integral}",
                param="size",
            )
        if other.exponent is None:
            return
        self._cover(low, high, at_least=other.exponent)
        assert self.exponent is not None
        theirs = GridHistogram(other.size, other.integral)
        theirs.exponent, theirs.first, theirs.counts = other.exponent, other.first, other.counts
        theirs._regrid(self.exponent, self.first, len(self.counts))
        self.counts += theirs.counts

    # -- reading ------------------------------------------------------------------------------
    def coarsened(self, exponent: int) -> GridHistogram:
        """A copy on buckets of width 2**`exponent` (at least this histogram's width): bucket k
        goes to k >> (exponent - self.exponent), so the counts stay exact."""
        assert self.exponent is not None and exponent >= self.exponent
        copy = GridHistogram(self.size, self.integral)
        copy.exponent, copy.first, copy.counts = self.exponent, self.first, self.counts
        shift = exponent - self.exponent
        first = self.first >> shift
        copy._regrid(exponent, first, ((self.first + len(self.counts) - 1) >> shift) - first + 1)
        return copy

    def representatives(self) -> tuple[np.ndarray, np.ndarray]:
        """(value, count) per non-empty bucket: its midpoint, or the whole number it holds."""
        if self.exponent is None:
            return np.zeros(0), np.zeros(0, dtype=np.int64)
        present = np.flatnonzero(self.counts)
        index = (present + self.first).astype(np.float64)
        if not (self.integral and self.exponent == 0):
            index += 0.5
        return np.ldexp(index, self.exponent), self.counts[present]

    # -- JSON ---------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        present = np.flatnonzero(self.counts)
        return {
            "size": self.size,
            "integral": self.integral,
            "exponent": self.exponent,
            "first": self.first,
            "length": len(self.counts),
            "index": present.tolist(),  # offsets from `first` of the non-empty buckets
            "count": self.counts[present].tolist(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GridHistogram:
        grid = cls(int(data["size"]), bool(data["integral"]))
        exponent = data["exponent"]
        grid.exponent = None if exponent is None else int(exponent)
        grid.first = int(data["first"])
        grid.counts = np.zeros(int(data["length"]), dtype=np.int64)
        grid.counts[np.asarray(data["index"], dtype=np.intp)] = np.asarray(
            data["count"], dtype=np.int64
        )
        return grid

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GridHistogram) and self.to_dict() == other.to_dict()
