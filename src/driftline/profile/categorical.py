"""Mergeable summaries of categorical (and boolean) columns and of free-text columns.

A categorical summary counts every value exactly while the column has at most `category_cap`
distinct values. Past the cap it keeps the `top_k` most frequent values seen so far and counts
everything else in `other_count`: listed counts stay exact from then on, so they are lower bounds
of the true counts, and `sum(frequencies) + other_count` is always the exact non-null count. A
HyperLogLog estimates the distinct count in fixed memory.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from driftline.errors import InputError
from driftline.profile.hll import HyperLogLog
from driftline.profile.numeric import NumericSummary

DEFAULT_CATEGORY_CAP = 10_000
DEFAULT_TOP_K = 100


class CategoricalSummary:
    """Value frequencies (exact up to a cap, then top-k + other) and a distinct estimate."""

    def __init__(self, category_cap: int = DEFAULT_CATEGORY_CAP, top_k: int = DEFAULT_TOP_K):
        if top_k > category_cap:
            raise InputError(
                f"`top_k` ({top_k}) must not exceed `category_cap` ({category_cap})", param="top_k"
            )
        self.category_cap = category_cap
        self.top_k = top_k
        self.frequencies: dict[str, int] = {}
        self.other_count = 0
        self.exact = True
        self.hll = HyperLogLog()

    @property
    def count(self) -> int:
        """Non-null values counted."""
        return sum(self.frequencies.values()) + self.other_count

    @property
    def distinct_estimate(self) -> int:
        """Exact distinct count while exact, else the HyperLogLog estimate (at least top-k)."""
        if self.exact:
            return len(self.frequencies)
        return max(self.hll.estimate(), len(self.frequencies) + (1 if self.other_count else 0))

    def add(self, values: pa.Array) -> None:
        """Add a string array (or a dictionary array of strings) without nulls."""
        if len(values) == 0:
            return
        distinct, counts = _value_counts(values)
        self.hll.add(distinct.to_numpy(zero_copy_only=False))
        if not self.exact:
            tracked = pc.is_in(distinct, value_set=pa.array(list(self.frequencies), pa.string()))
            self.other_count += int(pc.sum(counts.filter(pc.invert(tracked))).as_py() or 0)
            distinct, counts = distinct.filter(tracked), counts.filter(tracked)
        for value, count in zip(distinct.to_pylist(), counts.to_pylist(), strict=True):
            self.frequencies[value] = self.frequencies.get(value, 0) + count
        self._truncate_if_over_cap()

    def _truncate_if_over_cap(self) -> None:
        if len(self.frequencies) > self.category_cap:
            self._keep_top(self.top_k)

    def _keep_top(self, k: int) -> None:
        ranked = sorted(self.frequencies.items(), key=lambda item: (-item[1], item[0]))
        self.other_count += sum(count for _, count in ranked[k:])
        self.frequencies = dict(ranked[:k])
        self.exact = False

    def merge(self, other: CategoricalSummary) -> None:
        """Add `other` (same cap and top_k) into this summary."""
        if (other.category_cap, other.top_k) != (self.category_cap, self.top_k):
            raise InputError(
                "cannot merge categorical summaries with different category_cap/top_k: "
                f"{self.category_cap}/{self.top_k} vs {other.category_cap}/{other.top_k}",
                param="category_cap",
            )
        self.hll.merge(other.hll)
        for value, count in other.frequencies.items():
            self.frequencies[value] = self.frequencies.get(value, 0) + count
        self.other_count += other.other_count
        self.exact = self.exact and other.exact
        if self.exact:
            self._truncate_if_over_cap()
        elif len(self.frequencies) > self.top_k:
            self._keep_top(self.top_k)

    def to_dict(self) -> dict[str, Any]:
        ranked = sorted(self.frequencies.items(), key=lambda item: (-item[1], item[0]))
        return {
            "count": self.count,
            "exact": self.exact,
            "distinct_estimate": self.distinct_estimate,
            "category_cap": self.category_cap,
            "top_k": self.top_k,
            "frequencies": dict(ranked),
            "other_count": self.other_count,
            "hll": self.hll.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CategoricalSummary:
        summary = cls(int(data["category_cap"]), int(data["top_k"]))
        summary.frequencies = {str(k): int(v) for k, v in data["frequencies"].items()}
        summary.other_count = int(data["other_count"])
        summary.exact = bool(data["exact"])
        summary.hll = HyperLogLog.from_dict(data["hll"])
        return summary

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CategoricalSummary) and self.to_dict() == other.to_dict()


def _value_counts(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    """(values, counts) of `values`; a dictionary array is counted on its indices (values
    repeated in its dictionary are summed by the caller)."""
    if not pa.types.is_dictionary(values.type):
        counted = pc.value_counts(values)
        return counted.field("values"), counted.field("counts")
    indices = values.indices.to_numpy(zero_copy_only=False)
    counts = np.bincount(indices, minlength=len(values.dictionary))
    present = np.flatnonzero(counts)
    return values.dictionary.take(pa.array(present)), pa.array(counts[present])


class TextSummary:
    """Free text: a distinct-count estimate and the distribution of string lengths."""

    def __init__(self, relative_accuracy: float, exact_cap: int) -> None:
        self.hll = HyperLogLog()
        self.lengths = NumericSummary(relative_accuracy, exact_cap, integral=True)

    @property
    def distinct_estimate(self) -> int:
        return self.hll.estimate()

    def add(self, values: pa.Array) -> None:
        """Add a string array without nulls."""
        if len(values) == 0:
            return
        self.hll.add(pc.unique(values).to_numpy(zero_copy_only=False))
        self.lengths.add(pc.utf8_length(values).to_numpy(zero_copy_only=False).astype(np.float64))

    def merge(self, other: TextSummary) -> None:
        self.hll.merge(other.hll)
        self.lengths.merge(other.lengths)

    def to_dict(self) -> dict[str, Any]:
        return {
            "distinct_estimate": self.distinct_estimate,
            "lengths": self.lengths.to_dict(),
            "hll": self.hll.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TextSummary:
        lengths = NumericSummary.from_dict(data["lengths"])
        summary = cls(lengths.sketch.relative_accuracy, lengths.exact_cap)
        summary.lengths = lengths
        summary.hll = HyperLogLog.from_dict(data["hll"])
        return summary

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextSummary) and self.to_dict() == other.to_dict()
