"""The methods added for Evidently parity (fisher_exact, g_test, mannw, t_test, ed, es,
empirical_mmd, TVD) give Evidently 0.7's scores and verdicts: on the cases of Evidently's own
stattest suite and on seeded random samples, through `check_drift`."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from evidently.legacy.calculations import stattests as ev
from evidently.legacy.core import ColumnType

from driftline.drift import check_drift
from driftline.errors import InputError

EVIDENTLY = {
    "fisher_exact": ev.fisher_exact_test,
    "g_test": ev.g_test,
    "mannw": ev.mann_whitney_u_stat_test,
    "t_test": ev.t_test,
    "ed": ev.energy_dist_test,
    "es": ev.epps_singleton_test,
    "empirical_mmd": ev.empirical_mmd,
    "TVD": ev.tvd_test,
}
CATEGORICAL = {"fisher_exact", "g_test", "TVD"}
SIX = [1, 2, 3, 4, 5, 6]
ORIGINAL = [16, 18, 16, 14, 12, 12]
SAMPLE_A = [38.7, 41.5, 43.8, 44.5, 45.5, 46.0, 47.7, 58.0]
SAMPLE_B = [39.2, 39.3, 39.7, 41.4, 41.8, 42.9, 43.3, 45.8]


def _repeat(values: list, counts: list[int]) -> list:
    return list(np.repeat(values, counts))


# (method, reference, current, threshold, Evidently's expected score or None)
EVIDENTLY_SUITE = [
    (
        "g_test",
        _repeat(["a", "b", "c"], [5, 5, 8]),
        _repeat(["a", "b", "c"], [4, 6, 8]),
        0.5,
        0.8176,
    ),
    (
        "fisher_exact",
        ["a", "b", "b", "a", "a", "b"] * 15,
        ["b", "b", "a", "b", "b", "a"] * 15,
        0.1,
        0.033,
    ),
    ("fisher_exact", ["a", "b", "b", "a", "a", "b"], ["a"] * 6, 0.1, 0.181),
    ("fisher_exact", ["a"] * 6, ["a"] * 6, 0.1, 1.0),
    ("fisher_exact", ["a", "b", "b", "b", "a", "b"], ["b", "b", "b", "a", "b", "a"], 0.1, 1.0),
    ("fisher_exact", ["a"] * 6, ["b"] * 6, 0.1, 0.0021),
    ("fisher_exact", ["a", "a", "a", "b", "b"] * 30, ["b", "b", "b", "a", "a"] * 30, 0.1, 0.00078),
    ("mannw", _repeat(SIX, ORIGINAL), _repeat(SIX, [16, 16, 16, 16, 16, 8]), 0.05, 0.481),
    ("TVD", _repeat(SIX, ORIGINAL), _repeat(SIX, [16, 16, 16, 16, 16, 8]), 0.1, 0.928),
    ("TVD", _repeat(SIX, ORIGINAL), _repeat(SIX, [10, 10, 24, 24, 10, 10]), 0.1, 0.085),
    ("TVD", _repeat(SIX, ORIGINAL), _repeat(SIX, [0, 0, 0, 0, 0, 88]), 0.1, 0.0),
    ("TVD", _repeat(SIX, ORIGINAL), _repeat(SIX, ORIGINAL), 0.1, 1.0),
    ("TVD", _repeat(SIX, ORIGINAL), _repeat(SIX, [10, 24, 12, 16, 8, 16]), 0.5, 0.309),
    ("ed", SAMPLE_A, SAMPLE_A, 0.1, 0.0),
    ("ed", SAMPLE_A, [v + 5 for v in SAMPLE_A], 0.1, None),
    ("es", _repeat(SIX, ORIGINAL), _repeat(SIX, [16, 16, 16, 16, 16, 8]), 0.05, 0.81),
    ("t_test", SAMPLE_A, SAMPLE_B, 0.05, 0.084),
    ("empirical_mmd", [1.0] * 25, [0.0] * 25, 0.1, 0.0),
    ("empirical_mmd", [1.0, 0.0, 1.0, 0.0, 1.0] * 5, [1.0, 0.0, 1.0, 0.0, 1.0] * 5, 0.1, None),
    ("empirical_mmd", [1.0] * 25, [1.0] * 25, 0.1, 1.0),
    ("empirical_mmd", [1.1, 0.2, 2.1, 0, 1], [1.0, 0, 2, 0, 1], 0.1, None),
]


def _ours(method: str, ref: list, cur: list, threshold: float | None = None):
    kinds = {"x": "categorical"} if method in CATEGORICAL else {"x": "numeric"}
    if method not in CATEGORICAL:
        ref, cur = [float(v) for v in ref], [float(v) for v in cur]
    return check_drift(
        pa.table({"x": ref}), pa.table({"x": cur}), method=method, threshold=threshold, kinds=kinds
    ).column("x")


def _theirs(method: str, ref: list, cur: list, threshold: float | None = None):
    kind = ColumnType.Categorical if method in CATEGORICAL else ColumnType.Numerical
    np.random.seed(0)  # empirical_mmd draws from numpy's global generator; driftline seeds 0
    return EVIDENTLY[method](pd.Series(ref), pd.Series(cur), kind, threshold)


def _assert_same(ours, theirs) -> None:
    assert math.isclose(ours.score, float(theirs.drift_score), rel_tol=1e-6, abs_tol=1e-12), (
        ours.score,
        theirs.drift_score,
    )
    assert ours.drift_detected == theirs.drifted
    assert ours.threshold == theirs.actual_threshold


@pytest.mark.parametrize("case", EVIDENTLY_SUITE, ids=lambda c: c[0])
def test_evidentlys_own_cases(case) -> None:
    method, ref, cur, threshold, expected = case
    ours = _ours(method, ref, cur, threshold)
    _assert_same(ours, _theirs(method, ref, cur, threshold))
    if expected is not None:
        assert ours.score == pytest.approx(expected, abs=1e-2)


def _samples(method: str, n_ref: int, n_cur: int, seed: int) -> tuple[list, list]:
    rng = np.random.default_rng(seed)
    if method == "fisher_exact":
        return list(rng.choice(["x", "y"], n_ref, p=[0.8, 0.2])), list(
            rng.choice(["x", "y"], n_cur, p=[0.76, 0.24])
        )
    if method in CATEGORICAL:
        # integer categories: Evidently's TVD sums in hash order, which is stable for them
        letters = list(range(7))
        return list(rng.choice(letters, n_ref, p=[0.3, 0.2, 0.2, 0.1, 0.1, 0.07, 0.03])), list(
            rng.choice(letters, n_cur, p=[0.28, 0.2, 0.2, 0.12, 0.1, 0.07, 0.03])
        )
    return list(rng.normal(0, 1, n_ref)), list(rng.normal(0.08, 1.1, n_cur))


@pytest.mark.parametrize("method", sorted(EVIDENTLY))
@pytest.mark.parametrize("size", [30, 400, 1500])
def test_random_samples(method: str, size: int) -> None:
    if method == "empirical_mmd" and size > 400:
        size = 700  # Evidently's permutations copy the whole kernel matrix: slow at large n
    for seed in range(1 if method in ("TVD", "empirical_mmd") and size > 400 else 3):
        # Evidently's fisher_exact and g_test need equal sizes; the others take any
        equal = method in ("fisher_exact", "g_test") or (method == "TVD" and size > 400)
        ref, cur = _samples(method, size, size if equal else size * 2 // 3, seed)
        _assert_same(_ours(method, ref, cur), _theirs(method, ref, cur))


def test_numeric_columns_of_ints_match_too() -> None:
    rng = np.random.default_rng(11)
    ref, cur = list(rng.poisson(3, 500)), list(rng.poisson(3.3, 450))
    for method in ("mannw", "t_test", "ed", "es", "empirical_mmd"):
        _assert_same(_ours(method, ref, cur), _theirs(method, ref, cur))


def test_fisher_exact_refuses_more_than_two_categories() -> None:
    with pytest.raises(InputError, match="binary column, this one has 3 values"):
        _ours("fisher_exact", ["a", "b", "c"] * 4, ["a", "b"] * 6)


def test_empirical_mmd_refuses_more_rows_than_its_kernel_matrix_holds() -> None:
    with pytest.raises(InputError, match="at most 4000 rows"):
        _ours("empirical_mmd", [0.0, 1.0] * 1500, [0.0, 1.0] * 600)


def test_epps_singleton_without_spread_cannot_be_scored() -> None:
    result = _ours("es", [1.0] * 50 + [2.0], [1.0] * 40)
    assert math.isnan(result.score)


def test_fisher_exact_and_g_test_take_unequal_sizes() -> None:
    """Evidently refuses them; the tests are defined, and agree with scipy's 2-sample forms."""
    from scipy import stats

    ref, cur = ["x"] * 70 + ["y"] * 30, ["x"] * 120 + ["y"] * 80
    fisher = _ours("fisher_exact", ref, cur).score
    assert fisher == pytest.approx(stats.fisher_exact([[70, 30], [120, 80]]).pvalue)
    g = _ours("g_test", ref, cur).score
    expected = stats.power_divergence([120, 80], [140, 60], lambda_="log-likelihood").pvalue
    assert g == pytest.approx(expected)
