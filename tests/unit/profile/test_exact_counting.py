"""A numeric summary with few distinct values counts them exactly, batch by batch, whether it
reads the counts off its grid buckets or has to sort a batch: against a plain count of the
values, a sketch filled value by value, and the set of distinct values."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from driftline.profile.grid import GridHistogram
from driftline.profile.numeric import NumericSummary
from driftline.profile.sketch import LogSketch

_RNG = np.random.default_rng(11)
_CASES = {
    "small whole numbers": (_RNG.integers(0, 50, 40_000).astype(np.float64), True),
    "whole numbers, negative": (_RNG.integers(-300, 300, 40_000).astype(np.float64), True),
    # a range past 4096 * 16: grid buckets wider than 1, so each is checked value by value
    "whole numbers far apart": (_RNG.choice(np.arange(0, 900_000, 997), 40_000) * 1.0, True),
    "whole numbers as floats": (_RNG.integers(0, 900, 40_000).astype(np.float64), False),
    "a few decimals": (_RNG.choice([0.1, 0.25, 0.7, 3.3, -2.05], 40_000), False),
    "signed zeros": (_RNG.choice([0.0, -0.0, 1.5, -1.5], 40_000), False),
    # two values closer than a bucket: one bucket holds both, so the batch is sorted
    "close neighbours": (_RNG.choice([1.0, np.nextafter(1.0, 2.0), 7.0], 40_000), False),
}


@pytest.mark.parametrize("name", list(_CASES))
def test_exact_values_count_every_value(name: str) -> None:
    values, integral = _CASES[name]
    summary = NumericSummary(integral=integral)
    for batch in np.array_split(values, 7):
        summary.add(batch)
    expected = Counter((values + 0.0).tolist())  # -0.0 and 0.0 are one value
    assert summary.exact_values == dict(expected)
    assert all(np.copysign(1.0, v) > 0 for v in summary.exact_values if v == 0)  # no -0.0
    assert summary.distinct is not None and summary.distinct.estimate() == len(expected)
    by_value = LogSketch(summary.sketch.relative_accuracy)
    by_value.add(values)
    assert summary.sketch.to_dict() == by_value.to_dict()


def test_past_the_cap_the_summary_stops_counting_values() -> None:
    values = _RNG.integers(0, 5000, 40_000).astype(np.float64)  # one bucket per whole number
    summary = NumericSummary(exact_cap=1000, integral=True)
    summary.add(values)
    assert summary.exact_values is None
    assert summary.distinct is not None
    assert summary.distinct.estimate() == pytest.approx(len(set(values.tolist())), rel=0.1)


def test_a_bucket_with_two_values_is_not_read_as_one() -> None:
    grid = GridHistogram(4, integral=False)
    values = np.array([1.0, 1.1, 1.0, 3.0])  # 1.0 and 1.1 share a bucket at any detail <= 3
    index = grid.fine_index(values, 1.0, 3.0, 3).copy()
    counts = np.bincount(index, minlength=len(grid.counts) << 3)
    assert grid.one_value_per_bucket(values, index, counts, 3) is None
    apart = np.array([1.0, 2.0, 1.0, 3.0])
    index = grid.fine_index(apart, 1.0, 3.0, 3).copy()
    counts = np.bincount(index, minlength=len(grid.counts) << 3)
    result = grid.one_value_per_bucket(apart, index, counts, 3)
    assert result is not None
    assert result[1].tolist() == [1.0, 2.0, 3.0] and result[2].tolist() == [2, 1, 1]
