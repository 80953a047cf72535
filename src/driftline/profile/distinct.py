"""Distinct count of a numeric column: the k smallest hashes of its values (a KMV sketch).

Exact below `k` distinct values; above, the estimate (k - 1) / (k-th smallest hash, as a share
of the hash range) has a relative standard error of about 1 / sqrt(k - 2) (3 % at k = 1024).
The k smallest hashes of a union are the k smallest of the parts' k smallest, so the sketch
merges exactly: one pass and the merge of any partition give the same hashes. Only hashes
below the current k-th smallest are kept, so after the first values a batch costs one hash and
one comparison per value.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

import numpy as np

from driftline.profile.scratch import scratch, slices

DEFAULT_K = 1024
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # 2**64 / golden ratio, odd
_FOLD = np.uint64(32)
_RANGE = 2.0**64


def hash_values(
    values: np.ndarray, *, reuse: bool = False, negative_zeros: bool = True
) -> np.ndarray:
    """64-bit hashes of float64 values (equal values, 0.0 and -0.0 included, hash equally).

    The high word is folded into the low one, then multiplied by an odd constant (Fibonacci
    hashing): every input bit reaches the high bits, which decide the smallest hashes.
    `reuse`: return a per-thread scratch array (valid until this thread's next call).
    `negative_zeros=False` promises that no value is -0.0 (say, all are positive).
    """
    size = len(values)
    if negative_zeros:  # + 0.0 turns -0.0 into 0.0
        values = np.add(values, 0.0, out=scratch("hash", size, np.float64))
    bits = values.view(np.uint64)
    hashes = scratch("hash-fold", size, np.uint64) if reuse else np.empty(size, np.uint64)
    np.right_shift(bits, _FOLD, out=hashes)
    np.bitwise_xor(hashes, bits, out=hashes)
    np.multiply(hashes, _MULTIPLIER, out=hashes)
    return hashes


class DistinctCount:
    """The `k` smallest distinct hashes of the values seen (sorted)."""

    def __init__(self, k: int = DEFAULT_K) -> None:
        self.k = int(k)
        self.hashes = np.zeros(0, dtype=np.uint64)

    def add(self, values: np.ndarray, *, negative_zeros: bool = True) -> None:
        """Add finite float64 values (`negative_zeros`: as for `hash_values`). Once k hashes
        are kept, only the hashes below the largest of them can enter: they are picked out
        slice by slice, each slice's hashes compared while in the core's cache."""
        if len(self.hashes) < self.k:
            if values.size:
                self._keep(hash_values(values, reuse=True, negative_zeros=negative_zeros))
            return
        threshold = self.hashes[-1]
        below = []
        for part in slices(len(values)):
            hashes = hash_values(values[part], reuse=True, negative_zeros=negative_zeros)
            below.append(hashes[hashes < threshold])
        if below:
            self._keep(np.concatenate(below))

    def _keep(self, hashes: np.ndarray) -> None:
        if len(self.hashes) >= self.k:
            hashes = hashes[hashes < self.hashes[-1]]
            if hashes.size == 0:
                return
        pool = np.concatenate([self.hashes, hashes])
        if len(pool) > 2 * self.k:  # the k smallest distinct are among the smallest few
            kth = np.partition(pool, self.k)[self.k]
            smallest = _sorted_distinct(pool[pool <= kth])
            if len(smallest) > self.k:
                self.hashes = smallest[: self.k]
                return
        self.hashes = _sorted_distinct(pool)[: self.k]

    def merge(self, other: DistinctCount) -> None:
        """Add the values counted by `other` (same k)."""
        if other.k != self.k:
            from driftline.errors import InputError

            raise InputError(
                f"cannot merge distinct counts of k={self.k} and k={other.k}", param="k"
            )
        self._keep(other.hashes)

    def estimate(self) -> int:
        """Distinct values seen: exact below k (barring a 64-bit hash collision)."""
        if len(self.hashes) < self.k:
            return len(self.hashes)
        return round((self.k - 1) * _RANGE / (float(self.hashes[-1]) + 1.0))

    def to_dict(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "hashes": base64.b64encode(self.hashes.astype("<u8").tobytes()).decode("ascii"),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DistinctCount:
        count = cls(int(data["k"]))
        raw = base64.b64decode(data["hashes"])
        count.hashes = np.frombuffer(raw, dtype="<u8").astype(np.uint64)
        return count

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DistinctCount) and self.to_dict() == other.to_dict()


def _sorted_distinct(hashes: np.ndarray) -> np.ndarray:
    ordered = np.sort(hashes)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]]


def union_estimate(a: DistinctCount, b: DistinctCount) -> int:
    """Distinct values of the union of what `a` and `b` counted."""
    union = DistinctCount(a.k)
    union.merge(a)
    union.merge(b)
    return union.estimate()
