"""Profile mode's weighted Wasserstein-1 distance, against scipy's as the oracle."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from driftline.drift.profile_mode import weighted_wasserstein_1


@pytest.mark.parametrize("seed", range(8))
def test_weighted_wasserstein_matches_scipy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    u = np.sort(rng.normal(0, 1, rng.integers(1, 400)))
    v = np.sort(rng.normal(rng.uniform(-1, 1), rng.uniform(0.5, 2), rng.integers(1, 400)))
    if seed % 2:  # shared values, as bucket representatives of two profiles are
        v = np.union1d(v, u[::3])
    uw = rng.integers(1, 10_000, u.size)
    vw = rng.integers(1, 10_000, v.size)
    expected = stats.wasserstein_distance(u, v, uw, vw)
    assert weighted_wasserstein_1(u, uw, v, vw) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_unsorted_values_and_single_points() -> None:
    u, uw = np.array([3.0, 1.0, 2.0]), np.array([1, 5, 2])
    v, vw = np.array([2.5]), np.array([7])
    assert weighted_wasserstein_1(u, uw, v, vw) == pytest.approx(
        stats.wasserstein_distance(u, v, uw, vw), rel=1e-12
    )
    assert weighted_wasserstein_1(v, vw, v, np.array([1])) == 0.0
