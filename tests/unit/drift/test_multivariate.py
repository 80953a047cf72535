"""Multivariate drift: a changed correlation that per-column drift cannot see, false alarms
on same-distribution data, feature attribution, and bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pyarrow as pa
import pytest
from scipy import stats

from driftline.drift import check_drift
from driftline.drift.multivariate import check_multivariate, parse_multivariate, sample_rows
from driftline.drift.multivariate.classifier import auc_with_null_variance
from driftline.errors import EmptyDataError, InputError, UnknownNameError


def gaussian_pair(n: int, correlation: float, rng: np.random.Generator) -> pa.Table:
    """Two standard normal columns with the given correlation (marginals N(0, 1) always)."""
    x = rng.standard_normal(n)
    y = correlation * x + np.sqrt(1 - correlation**2) * rng.standard_normal(n)
    return pa.table({"x": x, "y": y})


def mixed(n: int, rng: np.random.Generator) -> pa.Table:
    """Numeric (normal, heavy-tailed, with nulls), categorical and boolean columns."""
    t3 = rng.standard_t(3, n)
    with_nulls = pa.array(rng.exponential(size=n), mask=rng.random(n) < 0.1)
    city = rng.choice(["paris", "lyon", "nice", "lille"], size=n, p=[0.5, 0.3, 0.15, 0.05])
    return pa.table(
        {
            "a": rng.standard_normal(n),
            "t3": t3,
            "amount": with_nulls,
            "city": city,
            "member": rng.random(n) < 0.3,
        }
    )


def test_auc_and_its_null_variance_match_scipy_mann_whitney() -> None:
    rng = np.random.default_rng(1)
    scores = np.round(rng.standard_normal(300), 1)  # ties
    labels = (rng.random(300) < 0.4).astype(float)
    auc, variance = auc_with_null_variance(scores, labels)
    n1, n0 = int(labels.sum()), int((1 - labels).sum())
    u = stats.mannwhitneyu(scores[labels == 1], scores[labels == 0], method="asymptotic")
    assert auc == pytest.approx(u.statistic / (n1 * n0))
    z = (auc - 0.5) / np.sqrt(variance)
    assert 2 * stats.norm.sf(abs(z)) == pytest.approx(
        stats.mannwhitneyu(
            scores[labels == 1], scores[labels == 0], method="asymptotic", use_continuity=False
        ).pvalue
    )


def test_a_changed_correlation_with_unchanged_marginals_is_found_by_the_classifier() -> None:
    rng = np.random.default_rng(11)
    reference, current = gaussian_pair(4000, 0.0, rng), gaussian_pair(4000, 0.8, rng)

    per_column = check_drift(reference, current)
    assert not per_column.drift_detected and per_column.number_of_drifted_columns == 0

    with_multivariate = check_drift(reference, current, multivariate=["classifier", "pca"])
    classifier = {m.method: m for m in with_multivariate.multivariate}["classifier"]
    assert classifier.drift_detected and classifier.score > 0.6 > classifier.threshold
    assert classifier.p_value < 1e-6
    assert with_multivariate.drift_detected  # a multivariate drift makes the dataset drift
    assert {f.name for f in classifier.features} == {"x", "y"}
    assert all(f.contribution > 0.01 for f in classifier.features)  # both columns drive it


def test_a_broken_correlation_is_found_by_pca_and_attributed_to_both_columns() -> None:
    rng = np.random.default_rng(12)
    reference, current = gaussian_pair(4000, 0.8, rng), gaussian_pair(4000, 0.0, rng)
    assert check_drift(reference, current).number_of_drifted_columns == 0
    pca, classifier = check_multivariate(
        reference, current, ["pca", "classifier"], columns=["x", "y"]
    )
    assert pca.drift_detected and pca.score > 2 * pca.details["reference_error"]
    assert pca.details["components"] == 1
    shares = {f.name: f.contribution for f in pca.features}
    assert shares["x"] == pytest.approx(0.5, abs=0.1) and shares["y"] == pytest.approx(0.5, abs=0.1)
    assert classifier.drift_detected


def test_the_drifted_column_is_named_first() -> None:
    rng = np.random.default_rng(3)
    reference, current = mixed(3000, rng), mixed(3000, rng)
    shifted = pa.array(current["t3"].to_numpy() + 1.0)
    current = current.set_column(1, "t3", shifted)
    for result in check_multivariate(
        reference, current, ["classifier", "pca"], columns=reference.column_names
    ):
        assert result.drift_detected, result.method
        assert result.features[0].name == "t3", (result.method, result.features)


@pytest.mark.parametrize("seed", range(8))
def test_same_distribution_data_is_not_flagged(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    reference, current = mixed(1500, rng), mixed(700, rng)
    results = check_multivariate(
        reference, current, ["classifier", "pca"], columns=reference.column_names, seed=seed
    )
    for result in results:
        assert not result.drift_detected, (result.method, result.score, result.threshold)
        assert result.p_value > 0.05


def test_false_alarm_rate_over_many_seeds_stays_near_alpha() -> None:
    """40 same-distribution pairs at alpha = 0.2: each method's false alarms stay within
    a binomial tolerance of 20 % (P(X >= 15 | n=40, p=0.2) < 0.01)."""
    alarms = {"classifier": 0, "pca": 0}
    for seed in range(40):
        rng = np.random.default_rng(500 + seed)
        reference, current = gaussian_pair(400, 0.5, rng), gaussian_pair(300, 0.5, rng)
        for result in check_multivariate(
            reference, current, ["classifier", "pca"], columns=["x", "y"], alpha=0.2, seed=seed
        ):
            alarms[result.method] += result.drift_detected
    assert stats.binom.sf(14, 40, 0.2) < 0.01
    assert all(count <= 14 for count in alarms.values()), alarms
    assert alarms["pca"] >= 1  # alpha 0.2 over 40 pairs: no alarm at all means a broken null


def test_categories_and_missing_values_are_handled() -> None:
    rng = np.random.default_rng(5)
    reference, current = mixed(2000, rng), mixed(2000, rng)
    city = current["city"].to_numpy(zero_copy_only=False).copy()
    city[rng.random(len(city)) < 0.1] = "marseille"  # a category the reference never had
    current = current.set_column(3, "city", pa.array(city))
    for result in check_multivariate(
        reference, current, ["classifier", "pca"], columns=reference.column_names
    ):
        assert result.drift_detected and result.features[0].name == "city", result.method


def test_large_sides_are_sampled_to_the_cap_reproducibly() -> None:
    rng = np.random.default_rng(6)
    reference, current = gaussian_pair(5000, 0.0, rng), gaussian_pair(3000, 0.0, rng)
    first = check_multivariate(reference, current, ["pca"], columns=["x", "y"], max_rows=1000)
    again = check_multivariate(reference, current, ["pca"], columns=["x", "y"], max_rows=1000)
    assert (first[0].reference_rows, first[0].current_rows) == (1000, 1000)
    assert first[0].model_dump() == again[0].model_dump()
    # run_drift samples each side as it reads it: the same rows, the same result
    sampled = check_multivariate(
        sample_rows(reference, "reference", 1000, seed=0),
        sample_rows(current, "current", 1000, seed=0),
        ["pca"],
        columns=["x", "y"],
        max_rows=1000,
    )
    assert sampled[0].model_dump() == first[0].model_dump()


def test_bad_input_gets_one_clear_error() -> None:
    rng = np.random.default_rng(0)
    table = gaussian_pair(100, 0.0, rng)
    with pytest.raises(UnknownNameError, match=r"unknown multivariate method 'mmd'.*classifier"):
        parse_multivariate("classifier,mmd")
    assert parse_multivariate(" pca, classifier,pca ") == ["pca", "classifier"]
    with pytest.raises(EmptyDataError, match=r"current has 10 row.*at least 50"):
        check_multivariate(table, table.slice(0, 10), ["pca"], columns=["x"])
    with pytest.raises(InputError, match="alpha"):
        check_multivariate(table, table, ["pca"], columns=["x"], alpha=1.5)
    with pytest.raises(InputError, match=r"below 1/500, the smallest p-value"):
        check_multivariate(table, table, ["pca"], columns=["x"], alpha=0.001)
    with pytest.raises(InputError, match="at least one numeric"):
        check_multivariate(table, table, ["pca"], columns=[])


def test_constant_columns_give_a_verdict_not_a_warning() -> None:
    """Every column constant in the reference: PCA keeps no component (the error is the
    distance to the reference's mean), with no division by zero."""
    ones = pa.table({"a": np.ones(300), "b": np.ones(300)})
    moved = pa.table({"a": np.full(300, 2.0), "b": np.ones(300)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        same = check_multivariate(ones, ones, ["classifier", "pca"], columns=["a", "b"])
        changed = check_multivariate(ones, moved, ["classifier", "pca"], columns=["a", "b"])
    assert [m.drift_detected for m in same] == [False, False]
    assert [m.drift_detected for m in changed] == [True, True]
    assert changed[1].details["components"] == 0 and changed[1].features[0].name == "a"


def test_missing_values_only_the_current_window_has_count_as_drift() -> None:
    rng = np.random.default_rng(8)
    reference, current = gaussian_pair(2000, 0.0, rng), gaussian_pair(2000, 0.0, rng)
    x = current["x"].to_numpy().copy()
    x[rng.random(len(x)) < 0.1] = np.inf  # unusable values count as missing
    current = current.set_column(0, "x", pa.array(x))
    for result in check_multivariate(reference, current, ["classifier", "pca"], columns=["x", "y"]):
        assert result.drift_detected and result.features[0].name == "x", result.method


def test_each_column_is_taken_as_the_kind_it_was_checked_as() -> None:
    """An integer column declared categorical becomes indicators in PCA (one per code plus
    "other"), not one number."""
    rng = np.random.default_rng(2)
    reference = pa.table({"k": rng.integers(0, 4, 500), "x": rng.standard_normal(500)})
    current = pa.table({"k": rng.integers(0, 4, 500), "x": rng.standard_normal(500)})
    as_number = check_drift(reference, current, multivariate="pca").multivariate[0]
    as_category = check_drift(
        reference, current, kinds={"k": "categorical"}, multivariate="pca"
    ).multivariate[0]
    assert as_number.details["scaled_features"] == 2
    assert as_category.details["scaled_features"] == 4 + 1 + 1
