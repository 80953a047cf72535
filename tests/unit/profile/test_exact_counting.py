"""A numeric summary with few distinct values counts them exactly, batch by batch, whether it
reads whole numbers off its grid buckets or sorts a batch, and fills its sketch from the
counted values: against a plain count of the values, a sketch filled value by value, and the
set of distinct values."""

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
    # a range past 4096 * 16: grid buckets wider than 1, so the batch is sorted
    "whole numbers far apart": (_RNG.choice(np.arange(0, 900_000, 997), 40_000) * 1.0, True),
    "whole numbers as floats": (_RNG.integers(0, 900, 40_000).astype(np.float64), False),
    "a few decimals": (_RNG.choice([0.1, 0.25, 0.7, 3.3, -2.05], 40_000), False),
    "signed zeros": (_RNG.choice([0.0, -0.0, 1.5, -1.5], 40_000), False),
    # two values closer than a fine grid bucket: one bucket holds both
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
    never_exact = NumericSummary(exact_cap=0, integral=integral)  # indexes value by value
    for batch in np.array_split(values, 7):
        never_exact.add(batch)
    assert never_exact.exact_values is None
    assert summary.grid == never_exact.grid and summary.sketch == never_exact.sketch
    assert (summary.mean, summary.std) == (never_exact.mean, never_exact.std)


def test_past_the_cap_the_summary_stops_counting_values() -> None:
    values = _RNG.integers(0, 5000, 40_000).astype(np.float64)  # one bucket per whole number
    summary = NumericSummary(exact_cap=1000, integral=True)
    summary.add(values)
    assert summary.exact_values is None
    assert summary.distinct is not None
    assert summary.distinct.estimate() == pytest.approx(len(set(values.tolist())), rel=0.1)


def test_whole_numbers_are_read_off_buckets_at_most_1_wide() -> None:
    values = np.array([-3.0, 7.0, -3.0, 0.0, 12.0, 7.0, 7.0])
    counted = GridHistogram(4096, integral=True).whole_numbers(values, -3.0, 12.0, 4)
    assert counted is not None
    assert counted[0].tolist() == [-3.0, 0.0, 7.0, 12.0] and counted[1].tolist() == [2, 1, 3, 1]
    wide = GridHistogram(16, integral=True)  # 16 buckets over 0..1000: 64 wide, 4 when finer
    assert wide.whole_numbers(np.array([0.0, 1000.0]), 0.0, 1000.0, 4) is None
    assert GridHistogram(4096).whole_numbers(values, -3.0, 12.0, 4) is None  # not integral
