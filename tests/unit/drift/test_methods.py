"""The registry, each method's contract, and oracles for methods Evidently lacks."""

from __future__ import annotations

import importlib
import math
import pkgutil

import numpy as np
import pyarrow as pa
import pytest
from evidently.legacy.calculations import stattests as ev
from evidently.legacy.calculations.stattests.cramer_von_mises_stattest import _cvm_2samp
from evidently.legacy.calculations.stattests.tvd_stattest import _total_variation_distance
from scipy import stats
from scipy.spatial import distance

import driftline.drift.methods as methods_package
from driftline.drift import Direction, check_drift, get_method
from driftline.drift.registry import all_methods
from driftline.errors import InputError, UnknownNameError
from driftline.io import ColumnKind

EXPECTED = {
    "ks", "chi2", "z", "psi", "jensenshannon", "wasserstein", "hellinger", "kl_div",
    "l_infinity", "cramer_von_mises", "anderson", "tvd", "fisher_exact", "g_test", "mannw",
    "t_test", "ed", "es", "empirical_mmd", "TVD", "chi2_contingency",
}  # fmt: skip


def test_registry_holds_every_method_module() -> None:
    modules = {
        importlib.import_module(f"{methods_package.__name__}.{m.name}").METHOD.name
        for m in pkgutil.iter_modules(methods_package.__path__)
        if m.name not in ("base", "binning")
    }
    assert {m.name for m in all_methods()} == EXPECTED == modules
    for name in EXPECTED:
        assert get_method(name).name == name


def test_unknown_method_lists_the_valid_ones() -> None:
    with pytest.raises(UnknownNameError) as err:
        get_method("kolmogorov")
    for name in [*EXPECTED, "auto"]:
        assert name in str(err.value)


@pytest.mark.parametrize("method", sorted(EXPECTED))
def test_defaults_and_kinds_agree_with_evidently(method: str) -> None:
    ours = get_method(method)
    if ours.evidently_name is None:
        return
    theirs = next(t for t in vars(ev).values() if getattr(t, "name", None) == ours.evidently_name)
    assert ours.default_threshold == theirs.default_threshold
    ev_kinds = {str(k.value) for k in theirs.allowed_feature_types}
    assert ("num" in ev_kinds) == (ColumnKind.NUMERIC in ours.kinds) or method in ("chi2", "z")
    assert ("cat" in ev_kinds) == (ColumnKind.CATEGORICAL in ours.kinds)


def test_direction_decides_the_verdict() -> None:
    ks, psi = get_method("ks"), get_method("psi")
    assert ks.direction is Direction.P_VALUE and ks.is_drift(0.01, 0.05)
    assert not ks.is_drift(0.2, 0.05) and ks.is_drift(0.05, 0.05)  # Evidently: p <= t for ks
    assert not get_method("chi2").is_drift(0.05, 0.05)  # and p < t for chi-square
    assert psi.direction is Direction.DISTANCE and psi.is_drift(0.1, 0.1)
    assert not psi.is_drift(0.09, 0.1)


@pytest.mark.parametrize(
    ("method", "threshold", "valid"),
    [("ks", 0.0, "(0, 1)"), ("ks", 1.0, "(0, 1)"), ("chi2", 1.5, "(0, 1)"),
     ("psi", -0.1, ">= 0"), ("wasserstein", math.inf, ">= 0"), ("psi", math.nan, ">= 0")],
)  # fmt: skip
def test_threshold_out_of_range_names_the_valid_range(method, threshold, valid) -> None:
    with pytest.raises(InputError, match=r"out of range") as err:
        get_method(method).check_threshold(threshold, "col")
    assert valid in str(err.value) and "col" in str(err.value)


def _shifted(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(0, 1, n), rng.normal(0.15, 1.1, n)


def test_l_infinity_is_the_chebyshev_distance_of_shares() -> None:
    rng = np.random.default_rng(2)
    ref = rng.choice(["a", "b", "c", "d"], 5000, p=[0.4, 0.3, 0.2, 0.1])
    cur = rng.choice(["a", "b", "c", "d"], 4000, p=[0.3, 0.3, 0.2, 0.2])
    ours = check_drift(pa.table({"x": ref}), pa.table({"x": cur}), method="l_infinity")
    keys = ["a", "b", "c", "d"]
    p = np.array([np.mean(ref == k) for k in keys])
    q = np.array([np.mean(cur == k) for k in keys])
    assert math.isclose(ours.column("x").score, distance.chebyshev(p, q), rel_tol=1e-12)


def test_tvd_is_evidentlys_total_variation_statistic() -> None:
    rng = np.random.default_rng(4)
    ref = rng.choice(["a", "b", "c"], 3000, p=[0.5, 0.3, 0.2])
    cur = rng.choice(["a", "b", "c", "e"], 2000, p=[0.4, 0.3, 0.2, 0.1])
    ours = check_drift(pa.table({"x": ref}), pa.table({"x": cur}), method="tvd").column("x")
    import pandas as pd

    theirs = _total_variation_distance(pd.Series(ref), pd.Series(cur))
    assert math.isclose(ours.score, theirs, rel_tol=1e-12)
    assert ours.drift_detected == (theirs >= 0.1)


@pytest.mark.parametrize("n", [15, 300, 4000])
def test_cramer_von_mises_matches_scipy_and_evidently(n: int) -> None:
    ref, cur = _shifted(n)
    ours = check_drift(pa.table({"x": ref}), pa.table({"x": cur}), method="cramer_von_mises")
    score = ours.column("x").score
    assert math.isclose(score, stats.cramervonmises_2samp(ref, cur).pvalue, rel_tol=1e-9)
    assert math.isclose(score, _cvm_2samp(ref, cur).pvalue, rel_tol=1e-6)


@pytest.mark.parametrize("n", [50, 2000])
def test_anderson_matches_scipy(n: int) -> None:
    ref, cur = _shifted(n, seed=9)
    ours = check_drift(pa.table({"x": ref}), pa.table({"x": cur}), method="anderson")
    with pytest.warns(UserWarning):
        expected = stats.anderson_ksamp([ref, cur]).pvalue
    assert math.isclose(ours.column("x").score, expected, rel_tol=1e-9)


def test_ks_matches_scipy_at_large_n_and_flags_a_tiny_shift() -> None:
    """At large n a p-value test flags a shift far too small to matter; distances don't."""
    rng = np.random.default_rng(5)
    ref, cur = rng.normal(0, 1, 400_000), rng.normal(0.01, 1, 400_000)
    ks = check_drift(pa.table({"x": ref}), pa.table({"x": cur}), method="ks").column("x")
    assert math.isclose(ks.score, stats.ks_2samp(ref, cur).pvalue, rel_tol=1e-6)
    assert ks.drift_detected
    evidently = check_drift(pa.table({"x": ref}), pa.table({"x": cur}), method="evidently")
    assert evidently.column("x").method == "wasserstein"
    assert not evidently.column("x").drift_detected
