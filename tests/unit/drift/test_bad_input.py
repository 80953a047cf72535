"""Every bad input gives one clear driftline error naming the problem and what is valid."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from evidently.legacy.calculations import stattests as ev
from evidently.legacy.core import ColumnType

from driftline.drift import check_drift
from driftline.errors import EmptyDataError, InputError, SchemaMismatchError, UnknownNameError
from driftline.profile import profile_batches


def _num(n: int, seed: int = 0, shift: float = 0.0) -> np.ndarray:
    return np.random.default_rng(seed).normal(shift, 1, n)


@pytest.fixture
def sides() -> tuple[pa.Table, pa.Table]:
    return (
        pa.table({"a": _num(500), "b": np.arange(500) % 3, "c": ["x", "y"] * 250}),
        pa.table({"a": _num(400, 1), "b": np.arange(400) % 3, "c": ["x", "y"] * 200}),
    )


@pytest.mark.parametrize("profile_mode", [False, True])
def test_column_missing_on_one_side(sides, profile_mode: bool) -> None:
    ref, cur = sides
    reference = profile_batches(ref.to_batches()) if profile_mode else ref
    with pytest.raises(SchemaMismatchError, match=r"'c' missing in current.*has: a, b"):
        check_drift(reference, cur.drop(["c"]))
    with pytest.raises(SchemaMismatchError, match=r"'zz' missing in reference"):
        check_drift(reference, cur, columns=["a", "zz"])


@pytest.mark.parametrize("profile_mode", [False, True])
def test_column_whose_type_changed(sides, profile_mode: bool) -> None:
    ref, cur = sides
    changed = cur.set_column(0, "a", pa.array([str(v) for v in cur["a"].to_pylist()]))
    reference = profile_batches(ref.to_batches()) if profile_mode else ref
    with pytest.raises(SchemaMismatchError, match=r"column 'a' changed type: reference"):
        check_drift(reference, changed)


def test_integer_and_float_sides_are_the_same_kind() -> None:
    ref = pa.table({"a": np.arange(100)})
    cur = pa.table({"a": np.arange(100) + 0.5})
    assert check_drift(ref, cur).column("a").kind == "numeric"


@pytest.mark.parametrize("profile_mode", [False, True])
def test_empty_window(sides, profile_mode: bool) -> None:
    ref, cur = sides
    reference = profile_batches(ref.to_batches()) if profile_mode else ref
    with pytest.raises(EmptyDataError, match="current window has no rows"):
        check_drift(reference, cur.slice(0, 0))
    with pytest.raises(EmptyDataError, match="current window has no rows"):
        check_drift(reference, iter([]))


def test_reference_of_one_row(sides) -> None:
    ref, cur = sides
    with pytest.raises(EmptyDataError, match=r"reference has 1 row\(s\); .* at least 2"):
        check_drift(ref.slice(0, 1), cur)
    with pytest.raises(EmptyDataError, match=r"at least 2"):
        check_drift(profile_batches(ref.slice(0, 1).to_batches()), cur)


@pytest.mark.parametrize("profile_mode", [False, True])
def test_all_null_column(sides, profile_mode: bool) -> None:
    ref, cur = sides
    nulls = cur.set_column(0, "a", pa.nulls(cur.num_rows, pa.float64()))
    reference = profile_batches(ref.to_batches()) if profile_mode else ref
    with pytest.raises(EmptyDataError, match=r"no usable .* 'a' \(current\)"):
        check_drift(reference, nulls)


def test_all_nan_and_inf_column_is_unusable(sides) -> None:
    ref, cur = sides
    bad = np.where(np.arange(cur.num_rows) % 2, np.nan, np.inf)
    with pytest.raises(EmptyDataError, match=r"'a' \(current\)"):
        check_drift(ref, cur.set_column(0, "a", pa.array(bad)))


def test_nan_and_inf_values_are_dropped_and_counted(sides) -> None:
    ref, cur = sides
    a = cur["a"].to_numpy().copy()
    a[:10], a[10:15], a[15:17] = np.nan, np.inf, -np.inf
    result = check_drift(ref, cur.set_column(0, "a", pa.array(a)), columns=["a"], method="ks")
    clean = a[np.isfinite(a)]
    assert result.column("a").current["missing"] == 17
    assert result.column("a").current["count"] == len(clean)
    expected = ev.ks_stat_test(ref["a"].to_pandas(), pa.array(clean).to_pandas(),
                               ColumnType.Numerical, None)  # fmt: skip
    assert result.column("a").score == pytest.approx(expected.drift_score, rel=1e-9)


def test_categorical_column_with_a_million_distinct_values() -> None:
    ids = pa.array([f"id{i}" for i in range(1_000_000)])
    ref = pa.table({"id": ids.slice(0, 500_000), "v": _num(500_000)})
    cur = pa.table({"id": ids.slice(500_000), "v": _num(500_000, 1)})
    with pytest.raises(InputError, match=r"'id' has 1000000 distinct values.*max_categories"):
        check_drift(ref, cur, columns=["id", "v"])
    result = check_drift(ref, cur)  # not asked for by name: left out, and said so
    assert [c.name for c in result.columns] == ["v"]
    assert result.skipped == [{"name": "id", "reason": "more than 10000 categories"}]


def test_constant_column_is_no_drift_like_evidently() -> None:
    ref = pa.table({"k": np.full(3000, 7.0), "s": ["same"] * 3000})
    cur = pa.table({"k": np.full(2000, 7.0), "s": ["same"] * 2000})
    for policy in ("auto", "evidently"):
        assert not check_drift(ref, cur, method=policy).drift_detected
    result = check_drift(ref, cur, method="evidently")
    for name, kind in (("k", ColumnType.Numerical), ("s", ColumnType.Categorical)):
        col = result.column(name)
        theirs = ev.jensenshannon_stat_test(ref[name].to_pandas(), cur[name].to_pandas(), kind,
                                            None)  # fmt: skip
        assert col.method == "jensenshannon"
        assert col.score == pytest.approx(theirs.drift_score, abs=1e-12)
    moved = check_drift(ref, pa.table({"k": np.full(2000, 8.0), "s": ["same"] * 2000}),
                        method={"k": "wasserstein"})  # fmt: skip
    assert moved.column("k").drift_detected  # zero-variance reference: Evidently's 0.001 norm


def test_unknown_method(sides) -> None:
    ref, cur = sides
    with pytest.raises(UnknownNameError, match=r"unknown drift method 'kss'; valid: TVD, anderson"):
        check_drift(ref, cur, method="kss")
    with pytest.raises(UnknownNameError, match="chi2"):
        check_drift(ref, cur, method={"a": "nope"})


def test_threshold_out_of_range(sides) -> None:
    ref, cur = sides
    with pytest.raises(InputError, match=r"threshold 1\.5 for column 'a'.*\(0, 1\)"):
        check_drift(ref, cur, method="ks", columns=["a"], threshold=1.5)
    with pytest.raises(InputError, match=r"threshold -1.*>= 0"):
        check_drift(ref, cur, method={"a": "psi"}, threshold={"a": -1})
    with pytest.raises(InputError, match=r"drift_share 0 must be in \(0, 1\]"):
        check_drift(ref, cur, drift_share=0)


def test_method_that_does_not_apply_to_the_kind(sides) -> None:
    ref, cur = sides
    with pytest.raises(InputError, match=r"'ks' does not apply to categorical column 'c'.*chi2"):
        check_drift(ref, cur, method="ks")


def test_override_for_an_unknown_column(sides) -> None:
    ref, cur = sides
    with pytest.raises(InputError, match=r"method override for unknown column\(s\) 'zz'"):
        check_drift(ref, cur, method={"zz": "psi"})


def test_rank_test_in_profile_mode_lists_supported_methods() -> None:
    ref, cur = pa.table({"a": _num(50_000)}), pa.table({"a": _num(5_000, 2)})
    with pytest.raises(InputError, match=r"'ks' needs every value.*use one of: chi2"):
        check_drift(profile_batches(ref.to_batches()), cur, method="ks")
