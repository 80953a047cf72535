"""The two policies: `auto` (driftline's sound default) and `evidently` (Evidently 0.7's
choice, tested for parity in test_parity_evidently.py); unknown scores; refused methods."""

from __future__ import annotations

import json
import math

import numpy as np
import pyarrow as pa
import pytest
from scipy import stats

from driftline.drift import check_drift
from driftline.drift.methods.chi2_contingency import pool_rare
from driftline.drift.result import DriftResult
from driftline.errors import InputError

ALPHA = 0.05


def _zipf(k: int) -> np.ndarray:
    shares = 1.0 / np.arange(1, k + 1)
    return shares / shares.sum()


def test_auto_uses_two_sample_tests_at_every_size() -> None:
    rng = np.random.default_rng(1)
    for n_ref in (100, 1000, 1001, 50_000):
        ref = pa.table({"x": rng.normal(size=n_ref), "c": rng.choice(list("abc"), n_ref)})
        cur = pa.table({"x": rng.normal(size=500), "c": rng.choice(list("abc"), 500)})
        result = check_drift(ref, cur)
        assert result.column("x").method == "ks"
        assert result.column("c").method == "chi2_contingency"
        assert {c.policy for c in result.columns} == {"auto"}
    named = check_drift(ref, cur, method="psi")
    assert {c.policy for c in named.columns} == {None}


def test_chi2_contingency_is_scipys_test_of_homogeneity() -> None:
    ref = np.array([300, 200, 100, 50])
    cur = np.array([310, 180, 130, 40])
    rows = pa.table({"c": np.repeat(list("abcd"), ref)})
    window = pa.table({"c": np.repeat(list("abcd"), cur)})
    ours = check_drift(rows, window, method="chi2_contingency").column("c").score
    expected = stats.chi2_contingency(np.array([ref, cur]), correction=False).pvalue
    assert ours == pytest.approx(expected, rel=1e-12)


def test_rare_values_are_pooled_until_every_expected_count_is_five() -> None:
    ref = np.array([500, 300, 3, 2, 1, 0])
    cur = np.array([480, 320, 1, 4, 0, 2])
    pooled_ref, pooled_cur = pool_rare(ref, cur)
    assert pooled_ref.tolist() == [300, 500, 6] and pooled_cur.tolist() == [320, 480, 7]
    totals = pooled_ref + pooled_cur
    assert (totals * min(ref.sum(), cur.sum()) / totals.sum() >= 5).all()


@pytest.mark.parametrize("categories", [3, 50, 200])
def test_auto_false_alarms_stay_at_alpha_where_evidentlys_chi2_does_not(categories: int) -> None:
    seeds, shares = 100, _zipf(categories)
    tolerance = ALPHA + 3 * math.sqrt(ALPHA * (1 - ALPHA) / seeds)
    flagged = {"auto": 0, "evidently": 0}
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        ref = pa.table({"c": rng.choice(categories, 300, p=shares).astype(str)})
        cur = pa.table({"c": rng.choice(categories, 300, p=shares).astype(str)})
        for policy in flagged:
            flagged[policy] += check_drift(ref, cur, method=policy).drift_detected
    assert flagged["auto"] / seeds <= tolerance
    if categories >= 50:  # the goodness-of-fit anchor the issue measured
        assert flagged["evidently"] / seeds > 0.5


def test_a_score_that_cannot_be_computed_is_unknown_and_counted(tmp_path) -> None:
    ref = pa.table({"flat": [1.0] * 50 + [2.0], "x": np.linspace(0, 1, 51)})
    cur = pa.table({"flat": [1.0] * 40, "x": np.linspace(0, 1, 40)})
    result = check_drift(ref, cur, method="es")
    flat = result.column("flat")
    assert math.isnan(flat.score) and flat.status == "unknown" and not flat.drift_detected
    assert result.column("x").status == "no drift"
    assert result.number_of_unknown_columns == 1
    document = result.to_dict()
    assert document["number_of_unknown_columns"] == 1
    assert document["columns"][0]["status"] == "unknown"
    path = tmp_path / "drift_report.json"
    path.write_text(json.dumps(document))
    assert DriftResult.load(path).number_of_unknown_columns == 1


@pytest.mark.parametrize("method", ["chi2", "z"])
def test_chi2_and_z_refuse_continuous_numeric_columns(method: str) -> None:
    rng = np.random.default_rng(0)
    ref, cur = pa.table({"x": rng.normal(size=500)}), pa.table({"x": rng.normal(size=500)})
    with pytest.raises(InputError, match=r"compares value frequencies.*bin it first"):
        check_drift(ref, cur, method=method)
    few = pa.table({"x": rng.integers(0, 4, 500).astype(float)})
    assert check_drift(few, few, method=method).column("x").score == pytest.approx(1.0)
