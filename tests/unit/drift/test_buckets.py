"""Bucketed exact statistics against sorting oracles: scipy's W1 and KS, numpy's sort."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from driftline.drift.buckets import SharedBuckets, ks_statistic, order_statistics, wasserstein_1
from driftline.drift.kolmogorov import two_sided_sf
from driftline.drift.registry import get_method
from driftline.io import ColumnKind

RNG = np.random.default_rng(11)


def _cases() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(12)
    return {
        "shifted normal": (rng.normal(0, 1, 200_000), rng.normal(0.1, 1.2, 150_000)),
        "same distribution": (rng.normal(0, 1, 100_000), rng.normal(0, 1, 100_000)),
        "identical samples": (np.arange(5000.0), np.arange(5000.0)),
        "integers with ties": (
            rng.integers(0, 30, 80_000).astype(float),
            rng.integers(2, 35, 60_000).astype(float),
        ),
        "few float values": (
            rng.choice([0.1, 0.2, 0.35, 0.9], 10_000),
            rng.choice([0.1, 0.2, 0.35, 0.91], 7_000),
        ),
        "one far outlier": (
            np.r_[rng.normal(0, 1, 20_000), 1e12],
            np.r_[rng.normal(0.05, 1, 20_000), -1e9],
        ),
        "heavy tail": (rng.lognormal(0, 2, 50_000), rng.lognormal(0.1, 2, 40_000)),
        "mostly one value": (
            np.r_[np.zeros(10_000), rng.normal(0, 1, 100)],
            np.r_[np.zeros(9_000), rng.normal(0, 1, 300)],
        ),
        "tiny samples": (np.array([1.0, 2.0]), np.array([1.5])),
        "constant sides apart": (np.full(100, 3.0), np.full(50, 4.0)),
        "range overflows float64": (np.array([-1e308, 0.0, 1e308]), np.array([1.0, 2.0])),
        "int64": (rng.integers(-5, 1000, 30_000), rng.integers(0, 1200, 20_000)),
        "large offset, small spread": (
            1e9 + rng.normal(0, 1e-3, 50_000),
            1e9 + rng.normal(0, 1e-3, 40_000),
        ),
        "int64 beyond 2**53": (
            rng.integers(-(2**62), 2**62, 30_000),
            rng.integers(-(2**62), 2**62, 20_000),
        ),
        "integers against floats": (
            rng.integers(0, 100, 50_000),
            rng.integers(0, 100, 40_000).astype(float),
        ),
    }


@pytest.mark.parametrize("case", sorted(_cases()))
def test_wasserstein_matches_scipy(case: str) -> None:
    u, v = _cases()[case]
    expected = stats.wasserstein_distance(u, v)
    assert math.isclose(wasserstein_1(u, v), expected, rel_tol=1e-9, abs_tol=1e-300)
    assert math.isclose(wasserstein_1(v, u), expected, rel_tol=1e-9, abs_tol=1e-300)


def test_wasserstein_is_order_free() -> None:
    u, v = RNG.normal(0, 1, 30_000), RNG.normal(0.2, 1, 20_000)
    assert math.isclose(wasserstein_1(u, v), wasserstein_1(np.sort(u), RNG.permutation(v)))


@pytest.mark.parametrize("case", sorted(_cases()))
def test_order_statistics_equal_sorting(case: str) -> None:
    for values in _cases()[case]:
        n = len(values)
        ranks = np.unique(np.r_[0, n - 1, (np.linspace(0, 1, 23) * (n - 1)).astype(int)])
        got = order_statistics(values, ranks)
        assert got.dtype == values.dtype
        np.testing.assert_array_equal(got, np.sort(values)[ranks])


@pytest.mark.parametrize("case", sorted(_cases()))
def test_shared_buckets_rank_and_bin_each_side_as_numpy(case: str) -> None:
    """One bucket index per value serves the order statistics and the histogram counts of
    either side (numpy's sort and np.histogram are the oracles), on the report's edges and
    on edges that cut through the values anywhere."""
    u, v = _cases()[case]
    shared = SharedBuckets(u, v)
    assert shared.ks_statistic() == stats.ks_2samp(u, v).statistic
    low, high = float(min(u.min(), v.min())), float(max(u.max(), v.max()))
    if not math.isfinite(high - low):
        return  # np.histogram cannot make such edges; the fallback is tested below
    report_edges = np.linspace(low, high if high > low else low + 1.0, 11)
    cutting = np.r_[low, np.sort(RNG.choice(np.r_[u, v].astype(float), 7)), high]
    for side, values in enumerate((u, v)):
        n = len(values)
        ranks = np.unique(np.r_[0, n - 1, (np.linspace(0, 1, 23) * (n - 1)).astype(int)])
        for edges in (report_edges, cutting):
            ranked, counts = shared.ranked_and_binned(side, ranks, edges)
            np.testing.assert_array_equal(ranked, np.sort(values)[ranks])
            assert ranked.dtype == values.dtype
            np.testing.assert_array_equal(counts, np.histogram(values, edges)[0])


def test_shared_buckets_count_by_comparison_where_the_range_cannot_be_split() -> None:
    u, v = np.array([-1e308, 0.0, 1e308]), np.array([1.0, 2.0, 2.0])
    edges = np.array([-1e308, -1.0, 1.0, 1.5, 1e308])
    for side, values in enumerate((u, v)):
        ranked, counts = SharedBuckets(u, v).ranked_and_binned(side, np.array([0, 2]), edges)
        np.testing.assert_array_equal(ranked, np.sort(values)[[0, 2]])
        expected = [
            np.count_nonzero((values >= a) & (values < b)) for a, b in itertools.pairwise(edges)
        ]
        expected[-1] += np.count_nonzero(values == edges[-1])
        np.testing.assert_array_equal(counts, expected)


@pytest.mark.parametrize("case", sorted(_cases()))
def test_ks_statistic_is_scipys_bit_for_bit(case: str) -> None:
    u, v = _cases()[case]
    expected = stats.ks_2samp(u, v).statistic
    assert ks_statistic(u, v) == expected
    assert ks_statistic(RNG.permutation(v), u) == expected


@pytest.mark.parametrize("case", sorted(_cases()))
def test_ks_p_value_is_scipys(case: str) -> None:
    """Above 10,000 values a side the p-value comes from `ks_statistic` and `two_sided_sf`."""
    u, v = _cases()[case]
    score = get_method("ks").score_exact(u, v, ColumnKind.NUMERIC)
    assert math.isclose(score, stats.ks_2samp(u, v).pvalue, rel_tol=1e-8)


@pytest.mark.parametrize("n", [10_001, 48_611, 400_000])
@pytest.mark.parametrize("nx2", [0.5, 2.2, 2.5, 5.0, 30.0, 300.0, 369.9, 371.0])
def test_two_sided_sf_is_scipys_kstwo(n: int, nx2: float) -> None:
    """Where scipy sums Smirnov's series term by term (seconds at n = 1e6), the log-space sum
    gives its number to 1e-8 relative; elsewhere scipy answers."""
    d = math.sqrt(nx2 / n)
    assert math.isclose(two_sided_sf(d, float(n)), stats.kstwo.sf(d, n), rel_tol=1e-8)
