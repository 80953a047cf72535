"""HyperLogLog distinct-count estimate: fixed memory, mergeable (register-wise max).

Values are hashed with pandas' stable SipHash (`pandas.util.hash_array`, fixed key), so
registers computed in different processes merge correctly. With the default precision 12
(4096 one-byte registers) the standard error is 1.04 / sqrt(4096) = 1.6%.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from driftline.errors import DataSourceError

DEFAULT_PRECISION = 12


class HyperLogLog:
    """A HyperLogLog sketch of the distinct values seen."""

    def __init__(self, precision: int = DEFAULT_PRECISION) -> None:
        self.precision = precision
        self.registers = np.zeros(1 << precision, dtype=np.uint8)

    def add(self, values: np.ndarray) -> None:
        """Add the values of an array (strings or numbers; duplicates are harmless)."""
        if len(values) == 0:
            return
        hashes = pd.util.hash_array(np.asarray(values, dtype=object), categorize=False)
        self.add_hashes(hashes.astype(np.uint64))

    def add_hashes(self, hashes: np.ndarray) -> None:
        p = self.precision
        bucket = (hashes >> np.uint64(64 - p)).astype(np.int64)
        rest = hashes & np.uint64((1 << (64 - p)) - 1)
        rank = (64 - p) - _bit_length(rest) + 1
        np.maximum.at(self.registers, bucket, rank.astype(np.uint8))

    def merge(self, other: HyperLogLog) -> None:
        if other.precision != self.precision:
            from driftline.errors import InputError

            raise InputError(
                f"cannot merge HyperLogLog of precision {self.precision} and {other.precision}",
                param="precision",
            )
        np.maximum(self.registers, other.registers, out=self.registers)

    def estimate(self) -> int:
        """Estimated number of distinct values (linear counting while registers are sparse)."""
        m = len(self.registers)
        alpha = 0.7213 / (1 + 1.079 / m)
        raw = alpha * m * m / float(np.sum(np.exp2(-self.registers.astype(np.float64))))
        zeros = int(np.count_nonzero(self.registers == 0))
        if raw <= 2.5 * m and zeros:
            return round(m * math.log(m / zeros))
        return round(raw)

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": self.precision,
            "registers": base64.b64encode(self.registers.tobytes()).decode("ascii"),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HyperLogLog:
        sketch = cls(int(data["precision"]))
        registers = np.frombuffer(base64.b64decode(data["registers"]), dtype=np.uint8)
        if registers.size != sketch.registers.size:
            raise DataSourceError("HyperLogLog registers do not match its precision")
        sketch.registers = registers.copy()
        return sketch


def _bit_length(values: np.ndarray) -> np.ndarray:
    """Bit length of each uint64 (0 for 0), exactly, by smearing the top bit down."""
    smeared = values.copy()
    for shift in (1, 2, 4, 8, 16, 32):
        smeared |= smeared >> np.uint64(shift)
    return np.bitwise_count(smeared).astype(np.int64)
