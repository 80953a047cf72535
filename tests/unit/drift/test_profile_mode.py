"""Profile mode against exact mode: equal where profiles are exact, bounded error otherwise."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest

from driftline.drift import check_drift
from driftline.errors import InputError
from driftline.profile import profile_batches

CONTINUOUS = ["temp", "atemp", "hum", "windspeed", "casual", "registered", "cnt"]
DISCRETE = ["season", "hr", "weekday", "weathersit", "holiday", "weather_label"]
BINNED = ["psi", "jensenshannon", "kl_div", "hellinger", "l_infinity", "tvd"]


def _drop(table: pa.Table) -> pa.Table:
    return table.drop(["dteday", "instant"])


@pytest.fixture(scope="module", params=["bike-years", "bike-months"])
def pair(request, bike_years, bike_months) -> tuple[pa.Table, pa.Table]:
    ref, cur = bike_years if request.param == "bike-years" else bike_months
    return _drop(ref), _drop(cur)


def _streamed(table: pa.Table):
    yield from table.to_batches(max_chunksize=997)


@pytest.mark.parametrize(
    "method", ["auto", "evidently", "wasserstein", "chi2", "chi2_contingency", *BINNED]
)
def test_exact_profiles_give_exact_mode_scores(pair, method: str) -> None:
    ref, cur = pair
    profile = profile_batches(ref.to_batches())
    columns = CONTINUOUS if method == "wasserstein" else CONTINUOUS + DISCRETE
    if method == "chi2":  # value frequencies: refused on columns of more than 20 values
        columns = [c for c in DISCRETE if c != "hr"]
    exact = check_drift(ref, cur, columns=columns, method=method)
    streamed = check_drift(profile, _streamed(cur), columns=columns, method=method)
    assert streamed.mode == "profile" and streamed.current_rows == cur.num_rows
    for ours, truth in zip(streamed.columns, exact.columns, strict=True):
        assert ours.method == truth.method
        assert math.isclose(ours.score, truth.score, rel_tol=1e-9, abs_tol=1e-12), ours.name
        assert ours.drift_detected == truth.drift_detected


def test_rank_tests_run_on_small_exact_profiles(bike_months) -> None:
    ref, cur = map(_drop, bike_months)
    profile = profile_batches(ref.to_batches())
    for method in ("ks", "cramer_von_mises", "anderson"):
        exact = check_drift(ref, cur, columns=CONTINUOUS, method=method)
        streamed = check_drift(profile, cur, columns=CONTINUOUS, method=method)
        for ours, truth in zip(streamed.columns, exact.columns, strict=True):
            assert math.isclose(ours.score, truth.score, rel_tol=1e-9)


@pytest.mark.parametrize("method", ["wasserstein", *BINNED])
def test_sketched_profiles_stay_close_to_exact_mode(pair, method: str) -> None:
    """exact_cap=0 reads every numeric column from buckets (grid or log sketch); the documented
    bounds: wasserstein within 2% relative, the binned methods within 0.04."""
    ref, cur = pair
    profile = profile_batches(ref.to_batches(), exact_cap=0)
    exact = check_drift(ref, cur, columns=CONTINUOUS, method=method)
    sketched = check_drift(profile, cur, columns=CONTINUOUS, method=method)
    for ours, truth in zip(sketched.columns, exact.columns, strict=True):
        if method == "wasserstein":
            assert ours.score == pytest.approx(truth.score, rel=0.02), ours.name
        else:
            assert ours.score == pytest.approx(truth.score, abs=0.04), ours.name
        assert ours.drift_detected == truth.drift_detected, ours.name
    assert sketched.drift_detected == exact.drift_detected


def test_auto_falls_back_to_a_distance_when_values_are_not_kept() -> None:
    rng = np.random.default_rng(8)
    ref = pa.table({"x": rng.normal(0, 1, 800)})  # small reference: Evidently picks ks
    cur = pa.table({"x": rng.normal(0, 1, 50_000)})  # too many distinct values to keep
    profile = profile_batches(ref.to_batches())
    assert check_drift(ref, cur, method="evidently").column("x").method == "ks"
    assert check_drift(profile, cur, method="evidently").column("x").method == "wasserstein"
    assert check_drift(ref, cur).column("x").method == "ks"  # auto
    assert check_drift(profile, cur).column("x").method == "chi2_contingency"


def test_chi2_is_refused_on_continuous_columns_in_both_modes(bike_months) -> None:
    ref, cur = map(_drop, bike_months)
    profile = profile_batches(ref.to_batches())
    for reference in (ref, profile):
        with pytest.raises(InputError, match="compares value frequencies"):
            check_drift(reference, cur, columns=["temp"], method="chi2")


def test_truncated_categories_share_one_other_bucket() -> None:
    rng = np.random.default_rng(9)
    labels = np.array([f"c{i}" for i in range(40)])
    ref = pa.table({"c": labels[rng.integers(0, 40, 20_000)]})
    cur = pa.table({"c": labels[rng.integers(0, 30, 20_000)]})
    profile = profile_batches(ref.to_batches(), category_cap=20, top_k=10)
    result = check_drift(profile, cur).column("c")
    assert "(other)" in result.reference["top_shares"]
    assert result.drift_detected == check_drift(ref, cur).column("c").drift_detected
