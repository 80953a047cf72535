"""Exact mode gives Evidently 0.7's scores (1e-6 relative) and verdicts on the same data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from evidently.legacy.calculations import stattests as ev
from evidently.legacy.calculations.stattests.registry import get_stattest
from evidently.legacy.core import ColumnType

from driftline.drift import check_drift
from driftline.drift.registry import all_methods

from .conftest import BIKE_NUMERIC, BIKE_SMALL_INT, synthetic
from .test_parity_evidently_methods import EVIDENTLY as ADDED_METHODS

EVIDENTLY_TESTS = {
    "ks": ev.ks_stat_test,
    "chi2": ev.chi_stat_test,
    "z": ev.z_stat_test,
    "psi": ev.psi_stat_test,
    "jensenshannon": ev.jensenshannon_stat_test,
    "wasserstein": ev.wasserstein_stat_test,
    "hellinger": ev.hellinger_stat_test,
    "kl_div": ev.kl_div_stat_test,
    "cramer_von_mises": ev.cramer_von_mises,
    "anderson": ev.anderson_darling_test,
}


def _clean(column: pa.ChunkedArray) -> pd.Series:
    """What Evidently does to a column before its test: +/-inf -> NaN, then drop NaN."""
    return column.to_pandas().replace([-np.inf, np.inf], np.nan).dropna()


def _evidently(name: str, ref: pa.Table, cur: pa.Table, column: str, categorical: bool):
    kind = ColumnType.Categorical if categorical else ColumnType.Numerical
    return EVIDENTLY_TESTS[name](_clean(ref[column]), _clean(cur[column]), kind, None)


def assert_same(ours: float, theirs: float) -> None:
    assert math.isclose(ours, float(theirs), rel_tol=1e-6, abs_tol=1e-300), (ours, theirs)


def _cases(pairs: dict[str, tuple[pa.Table, pa.Table]], columns: list[str], categorical: bool):
    return [(label, col, categorical) for label in pairs for col in columns]


@pytest.fixture(scope="module")
def pairs(bike_years, bike_months) -> dict[str, tuple[pa.Table, pa.Table]]:
    return {
        "bike-years": bike_years,
        "bike-months": bike_months,
        "synthetic-small": synthetic(400, 300),
        "synthetic-large": synthetic(20_000, 15_000),
    }


def test_every_evidently_method_is_compared() -> None:
    shared = {m.name for m in all_methods() if m.evidently_name}
    assert shared == set(EVIDENTLY_TESTS) | set(ADDED_METHODS)
    for name, test in {**EVIDENTLY_TESTS, **ADDED_METHODS}.items():
        assert test.name == next(m.evidently_name for m in all_methods() if m.name == name)


NUMERIC_CASES = (
    [("bike-years", c) for c in [*BIKE_NUMERIC, *BIKE_SMALL_INT]]
    + [("bike-months", c) for c in BIKE_NUMERIC[:5]]
    + [
        (label, c)
        for label in ("synthetic-small", "synthetic-large")
        for c in ("stable", "shifted", "skewed", "few")
    ]
)
CATEGORICAL_CASES = [
    (label, c) for label in ("synthetic-small", "synthetic-large") for c in ("color", "flag")
] + [("bike-years", "weather_label"), ("bike-months", "weather_label")]


@pytest.mark.parametrize("method", sorted(EVIDENTLY_TESTS))
def test_numeric_scores_and_verdicts_match_evidently(method: str, pairs) -> None:
    if method in ("chi2", "z"):
        cases = [c for c in NUMERIC_CASES if c[1] in (*BIKE_SMALL_INT, "few")]
    else:
        cases = NUMERIC_CASES
    if method == "anderson":  # scipy's anderson_ksamp is slow: the smaller sets suffice
        cases = [c for c in cases if c[0] != "synthetic-large"]
    for label, column in cases:
        ref, cur = pairs[label]
        ours = check_drift(ref, cur, columns=[column], method=method).column(column)
        theirs = _evidently(method, ref, cur, column, categorical=False)
        assert_same(ours.score, theirs.drift_score)
        assert ours.drift_detected == theirs.drifted, (label, column)
        assert ours.threshold == theirs.actual_threshold


@pytest.mark.parametrize(
    "method",
    sorted(
        m
        for m in EVIDENTLY_TESTS
        if ColumnType.Categorical in EVIDENTLY_TESTS[m].allowed_feature_types
    ),
)
def test_categorical_scores_and_verdicts_match_evidently(method: str, pairs) -> None:
    for label, column in CATEGORICAL_CASES:
        ref, cur = pairs[label]
        ours = check_drift(ref, cur, columns=[column], method=method).column(column)
        theirs = _evidently(method, ref, cur, column, categorical=True)
        assert_same(ours.score, theirs.drift_score)
        assert ours.drift_detected == theirs.drifted, (label, column)


def test_evidently_policy_picks_evidentlys_default_test(pairs) -> None:
    checked = 0
    for label, (ref, cur) in pairs.items():
        result = check_drift(
            ref, cur, columns=[c for c in ref.column_names if c != "dteday"], method="evidently"
        )
        for col in result.columns:
            categorical = col.kind != "numeric" or (
                pa.types.is_integer(ref.schema.field(col.name).type)
                and ref[col.name].to_pandas().nunique() <= 10
            )
            kind = ColumnType.Categorical if categorical else ColumnType.Numerical
            chosen = get_stattest(_clean(ref[col.name]), _clean(cur[col.name]), kind, None)
            ours = next(m for m in all_methods() if m.name == col.method)
            assert ours.evidently_name == chosen.name, (label, col.name)
            checked += 1
    assert checked > 40


def test_nan_and_inf_are_dropped_like_evidently() -> None:
    rng = np.random.default_rng(3)
    ref = rng.normal(0, 1, 3000)
    cur = rng.normal(0.2, 1, 2500)
    ref[::50] = np.nan
    cur[::40] = np.inf
    cur[1::40] = -np.inf
    ref_t, cur_t = pa.table({"x": ref}), pa.table({"x": cur})
    for method in ("wasserstein", "ks", "psi"):
        ours = check_drift(ref_t, cur_t, method=method).column("x")
        assert_same(ours.score, _evidently(method, ref_t, cur_t, "x", False).drift_score)
        assert ours.current["missing"] == 2 * len(cur[::40])


def test_same_numbers_as_evidentlys_data_drift_preset(bike_years) -> None:
    """End to end: Evidently 0.7's Report(DataDriftPreset) on the bike years, column by column."""
    from evidently import Dataset, Report
    from evidently.presets import DataDriftPreset

    columns = [*BIKE_NUMERIC, *BIKE_SMALL_INT]
    ref, cur = (t.select(columns) for t in bike_years)
    snapshot = Report([DataDriftPreset()]).run(
        Dataset.from_pandas(cur.to_pandas()), Dataset.from_pandas(ref.to_pandas())
    )
    theirs = {
        m["config"]["column"]: m
        for m in snapshot.dict()["metrics"]
        if m["config"]["type"].endswith("ValueDrift")
    }
    count = next(m for m in snapshot.dict()["metrics"] if "DriftedColumnsCount" in m["metric_name"])
    ours = check_drift(ref, cur, method="evidently")
    titles = {m.name: m for m in all_methods()}
    assert set(theirs) == set(columns)
    for col in ours.columns:
        entry = theirs[col.name]
        assert_same(col.score, entry["value"])
        assert (
            titles[col.method].evidently_name
            == {
                "Wasserstein distance (normed)": "wasserstein",
                "Jensen-Shannon distance": "jensenshannon",
            }[entry["config"]["method"]]
        )
        assert col.threshold == entry["config"]["threshold"]
    assert ours.number_of_drifted_columns == count["value"]["count"]
    assert ours.drift_share == pytest.approx(count["value"]["share"])
