"""The p-values exact mode computes without scipy, against scipy as the oracle."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from scipy import special, stats

from driftline.drift.chisquare import chi2_sf
from driftline.drift.kolmogorov import pelz_good_cdf, two_sided_sf
from driftline.drift.methods.chi2_contingency import homogeneity_p_value
from driftline.drift.registry import get_method
from driftline.io import ColumnKind

# sample sizes around every cut of scipy's kstwo (140, 10,000, 100,000, 1,000,000)
SIZES = [141, 9_999, 10_001, 99_999, 100_001, 250_000, 500_000, 999_999, 1_000_001, 5_000_000]
# n d^2 across the Pelz-Good range (below 2.2), Smirnov's (2.2 to 370) and beyond
SPREADS = [0.01, 0.05, 0.2, 0.5, 0.754, 1.0, 1.5, 2.1999, 2.2, 3.0, 10.0, 100.0, 369.9, 370.0]


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("nx2", SPREADS)
def test_two_sided_sf_is_scipys_kstwo(n: int, nx2: float) -> None:
    d = math.sqrt(nx2 / n)
    expected = float(stats.kstwo.sf(d, n))
    # 1e-8: the log-space Smirnov sum near n = 1e6 (its logs of ~1e7 carry 1e-9 each)
    assert math.isclose(two_sided_sf(d, float(n)), expected, rel_tol=1e-8, abs_tol=1e-300)


@pytest.mark.parametrize("n", [100_001, 500_000, 4_000_000])
def test_pelz_good_is_scipys_to_the_bit(n: int) -> None:
    """The series evaluated step by step as scipy does gives its number exactly."""
    from scipy.stats._ksstats import _kolmogn_PelzGood

    for nx2 in np.linspace(0.001, 2.19, 97):  # Pelz-Good below 2.2
        d = math.sqrt(nx2 / n)
        assert pelz_good_cdf(float(n), d) == _kolmogn_PelzGood(float(n), d)
        assert two_sided_sf(d, float(n)) == float(stats.kstwo.sf(d, n))


def test_pelz_good_tends_to_kolmogorovs_distribution() -> None:
    """A check independent of scipy: a distribution function in d, within O(1/sqrt(n)) of
    Kolmogorov's limit K(z) = 1 - 2 sum (-1)^(k-1) exp(-2 k^2 z^2), z = d sqrt(n)."""
    n = 400_000.0
    z = np.sqrt(np.linspace(0.05, 2.19, 200))
    values = np.array([pelz_good_cdf(n, zi / math.sqrt(n)) for zi in z])
    k = np.arange(1, 200)[:, None]
    limit = 1 - 2 * np.sum((-1.0) ** (k - 1) * np.exp(-2 * k**2 * z**2), axis=0)
    assert np.all(np.diff(values) > 0)
    assert np.max(np.abs(values - limit)) < 1 / math.sqrt(n)


@pytest.mark.parametrize("shift", [0.0, 0.002, 0.005, 0.02])
def test_ks_p_value_on_large_samples_is_ks_2samps(shift: float) -> None:
    rng = np.random.default_rng(7)
    ref, cur = rng.normal(0, 1, 300_000), rng.normal(shift, 1, 200_000)
    got = get_method("ks").score_exact(ref, cur, ColumnKind.NUMERIC)
    assert math.isclose(got, stats.ks_2samp(ref, cur).pvalue, rel_tol=1e-9, abs_tol=1e-300)


def _tables() -> list[np.ndarray]:
    rng = np.random.default_rng(3)
    tables = [
        np.array([[10.0, 20.0], [15.0, 15.0]]),
        np.array([[1e6, 2e6, 3e6], [1e6, 2e6, 3.1e6]]),
    ]
    for k in (2, 5, 40, 1000):
        shares = rng.dirichlet(np.ones(k))
        ref = rng.multinomial(100_000, shares) + 5
        cur = (
            rng.multinomial(
                7_000, shares * np.linspace(0.9, 1.1, k) / shares.dot(np.linspace(0.9, 1.1, k))
            )
            + 5
        )
        tables.append(np.array([ref, cur], dtype=np.float64))
    return tables


@pytest.mark.parametrize("index", range(6))
def test_homogeneity_p_value_is_scipys(index: int) -> None:
    table = _tables()[index]
    expected = stats.chi2_contingency(table, correction=False).pvalue
    assert math.isclose(homogeneity_p_value(table), expected, rel_tol=1e-12)


@pytest.mark.parametrize("dof", [1, 2, 3, 4, 7, 8, 51, 100, 999, 1000, 9999])
def test_chi2_sf_is_scipys_chdtrc(dof: int) -> None:
    """Across the distribution (quantiles 1e-12 .. 1 - 1e-9) and far into the tail."""
    points = [*special.chdtri(dof, [1 - 1e-9, 0.9, 0.5, 0.1, 1e-3, 1e-12]), 1e-3, 50.0 * dof]
    tolerance = 1e-13 if dof <= 100 else 2e-11  # log k! of thousands carries ~1e-12
    for x in map(float, points):
        expected = float(special.chdtrc(dof, x))
        assert math.isclose(chi2_sf(x, dof), expected, rel_tol=tolerance, abs_tol=1e-300)


def test_chi2_sf_edges() -> None:
    assert chi2_sf(0.0, 3) == 1.0
    assert chi2_sf(math.inf, 3) == 0.0
    assert math.isnan(chi2_sf(math.nan, 3))
    # the closed form for one degree of freedom: P(|Z| > sqrt(x))
    assert chi2_sf(3.84, 1) == pytest.approx(2 * stats.norm.sf(math.sqrt(3.84)), rel=1e-14)


@pytest.mark.parametrize("seed", range(4))
def test_chi2_goodness_of_fit_is_scipys_chisquare(seed: int) -> None:
    rng = np.random.default_rng(seed)
    ref = rng.integers(0, 6, 50_000)
    cur = rng.choice(6, 20_000, p=[0.15, 0.17, 0.17, 0.17, 0.17, 0.17])
    ref_counts, cur_counts = np.bincount(ref), np.bincount(cur)
    expected = stats.chisquare(cur_counts, ref_counts * (cur_counts.sum() / ref_counts.sum()))
    got = get_method("chi2").score_exact(ref, cur, ColumnKind.CATEGORICAL)
    assert math.isclose(got, expected.pvalue, rel_tol=1e-12)


def test_exact_mode_defaults_do_not_import_scipy(tmp_path) -> None:
    """Large numeric columns (ks, a slight shift: Smirnov's branch) and categorical ones
    (chi2_contingency) are scored without importing scipy.stats (~0.6 s) or scipy.special
    (~0.4 s)."""
    code = f"""
import sys
import numpy as np, pyarrow as pa
from driftline.drift import run_drift
import pyarrow.parquet as pq
rng = np.random.default_rng(0)
for name, shift in (("ref", 0.0), ("cur", 0.003)):
    pq.write_table(pa.table({{
        "x": rng.normal(shift, 1, 300_000),
        "y": rng.normal(7 * shift, 1, 300_000),
        "c": rng.choice(["a", "b", "c"], 300_000),
    }}), "{tmp_path}/" + name + ".parquet")
result = run_drift(
    reference="{tmp_path}/ref.parquet", current="{tmp_path}/cur.parquet", out_dir="{tmp_path}/o"
)
print(min(c.score for c in result.columns))
print(sorted(m for m in sys.modules if m.startswith("scipy")))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    smallest, modules = out.stdout.strip().splitlines()
    assert modules == "[]"
    assert 1e-300 < float(smallest) < 0.02  # "y" moved a little: Smirnov's sum ran
