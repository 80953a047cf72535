"""Profile mode reads both sides of a numeric column on the same buckets.

A side reads its distribution from its grid or from its log sketch, whichever is finer for it
(`NumericSummary.uses_grid`); its grid width follows its own range. Two samples of one
distribution can therefore be read on different buckets (a larger sample reaches a larger
maximum, so a wider grid), and the chi-square over millions of rows then flagged the shift of
each bucket's representative as drift (a same-distribution lognormal column of bench/scale.py:
p = 0.0015 at 5M rows; the sample below: p = 0.022 read apart, 0.72 on shared buckets)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from scipy import stats

from driftline.drift import check_drift
from driftline.profile import profile_batches
from driftline.profile.numeric import NumericSummary


def _summary(values: np.ndarray) -> NumericSummary:
    summary = NumericSummary()
    for start in range(0, len(values), 131_072):
        summary.add(values[start : start + 131_072])
    return summary


def _samples() -> tuple[np.ndarray, np.ndarray]:
    """One lognormal distribution; the current side's maximum passes 128, the reference's
    does not, so their grids are 1/32 and 1/16 wide (checked below)."""
    rng = np.random.default_rng(3)
    reference = rng.lognormal(0.0, 1.0, 1_000_000)
    current = rng.lognormal(0.0, 1.0, 8_000_000)
    reference = reference[reference < 120.0]
    current[0] = 130.0
    return reference, current


def test_two_sides_of_one_distribution_are_read_on_the_same_buckets() -> None:
    reference, current = _samples()
    ref, cur = _summary(reference), _summary(current)
    assert ref.grid is not None and cur.grid is not None
    assert ref.uses_grid and not cur.uses_grid  # the case: alone, each reads other buckets
    before = np.union1d(ref.distribution()[0], cur.distribution()[0])
    assert (before[1:] / before[:-1]).min() < 1.01  # representatives of the same values apart

    ref_values, ref_counts = ref.distribution_like(cur)
    cur_values, cur_counts = cur.distribution_like(ref)
    assert ref_counts.sum() == len(reference) and cur_counts.sum() == len(current)
    # both on the log sketch's buckets (1 % relative accuracy): neighbouring representatives
    # of the two sides are a whole bucket apart or equal, never within one bucket
    union = np.union1d(ref_values[1:-1], cur_values[1:-1])  # the ends are clipped to min/max
    gamma = (1 + ref.sketch.relative_accuracy) / (1 - ref.sketch.relative_accuracy)
    assert (union[1:] / union[:-1]).min() > 1 + 0.9 * (gamma - 1)


def test_profile_mode_does_not_flag_a_larger_sample_of_the_same_distribution() -> None:
    reference, current = _samples()
    profile = profile_batches(pa.table({"x": reference}).to_batches(131_072))
    window = pa.table({"x": current}).to_batches(131_072)
    column = check_drift(profile, window, method="chi2_contingency").column("x")
    assert stats.ks_2samp(reference, current).pvalue > 0.05  # the oracle: no drift here
    assert not column.drift_detected, column.score
