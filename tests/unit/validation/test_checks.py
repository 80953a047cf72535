"""Crafted windows: each check fires on exactly what it should."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from driftline.profile import profile_batches
from driftline.validation import (
    ValidationResult,
    infer_constraints,
    render_validation_html,
    validate_profile,
)
from driftline.validation.run import window_kinds

BASE = pa.table(
    {
        "x": pa.array(np.linspace(0.0, 10.0, 100)),
        "color": pa.array(["red", "green", "blue", "red"] * 25),
        "flag": pa.array([True, False] * 50),
        "note": pa.array([f"n{i}" for i in range(100)]),
    }
)


def _check(window: pa.Table, base: pa.Table = BASE, **infer: float) -> ValidationResult:
    overrides = {"note": "text"} if "note" in base.schema.names else None
    baseline = profile_batches(base.to_batches(), kinds=overrides)
    constraints = infer_constraints(baseline, **infer)  # type: ignore[arg-type]
    kinds = window_kinds(constraints, window.schema)
    window_profile = profile_batches(window.to_batches(), kinds=kinds, schema=window.schema)
    return validate_profile(constraints, window_profile)


def _checks(result: ValidationResult) -> set[tuple[str | None, str, str]]:
    return {(v.column, v.check, v.severity) for v in result.violations}


def test_identical_window_is_ok() -> None:
    result = _check(BASE)
    assert result.status == "ok" and result.counts == {"error": 0, "warning": 0}


def test_missing_extra_and_type_changed_columns() -> None:
    window = BASE.drop_columns(["flag"]).append_column("new", pa.array(range(100)))
    window = window.set_column(0, "x", pa.array([str(v) for v in np.linspace(0, 10, 100)]))
    result = _check(window)
    assert _checks(result) == {
        ("flag", "presence", "error"),
        (None, "extra_columns", "warning"),
        ("x", "kind", "error"),
    }
    assert result.status == "fail"
    kind = next(v for v in result.violations if v.check == "kind")
    assert kind.observed == {"kind": "categorical", "arrow_type": "string"}
    assert kind.expected == {"kind": "numeric", "arrow_type": "double"}


def test_int_to_float_is_a_type_warning_only() -> None:
    base = pa.table({"n": pa.array(range(100))})
    result = _check(pa.table({"n": pa.array(np.arange(100.0))}), base=base)
    assert _checks(result) == {("n", "type", "warning")}


def test_completeness_range_nonfinite_and_domain() -> None:
    x = np.linspace(0.0, 10.0, 100)
    x[:3] = [np.nan, np.inf, 12.0]  # 12 is outside [0 - 1, 10 + 1]
    colors = ["red"] * 90 + ["purple"] * 10
    window = BASE.set_column(0, "x", pa.array(x)).set_column(
        1, "color", pa.array(colors, mask=np.arange(100) < 5)
    )
    result = _check(window)
    assert _checks(result) == {
        ("x", "non_finite", "warning"),
        ("x", "range", "warning"),
        ("color", "completeness", "error"),
        ("color", "domain", "warning"),
    }
    by_check = {v.check: v for v in result.violations}
    assert by_check["range"].observed["max"] == 12.0
    assert by_check["range"].observed["outside_share"] == pytest.approx(1 / 98)
    assert by_check["domain"].observed["unseen_share"] == pytest.approx(10 / 95)
    assert by_check["domain"].observed["unseen_examples"] == ["purple"]
    assert by_check["completeness"].observed["null_share"] == 0.05
    html = render_validation_html(result)
    assert "purple" in html and "fail" in html


def test_unseen_share_within_tolerance_passes() -> None:
    colors = ["red"] * 99 + ["purple"]
    window = BASE.set_column(1, "color", pa.array(colors))
    assert _checks(_check(window, unseen_tolerance=0.02)) == set()
    assert ("color", "domain", "warning") in _checks(_check(window, unseen_tolerance=0.0))


def test_empty_window_fails_without_column_noise() -> None:
    result = _check(BASE.slice(0, 0))
    assert _checks(result) == {(None, "empty", "error")}
    assert result.to_dict()["status"] == "fail" and result.rows == 0


def test_constant_and_one_row_baseline() -> None:
    base = pa.table({"c": [5.0]})
    constraints = infer_constraints(profile_batches(base.to_batches()))
    assert (constraints.columns["c"].min, constraints.columns["c"].max) == (4.5, 5.5)
    assert _checks(_check(pa.table({"c": [5.2]}), base=base, row_tolerance=0.5)) == set()
    assert ("c", "range", "warning") in _checks(_check(pa.table({"c": [6.0]}), base=base))


def test_all_null_window_column_is_incomplete() -> None:
    window = BASE.set_column(0, "x", pa.array([None] * 100, pa.float64()))
    assert _checks(_check(window)) == {("x", "completeness", "error")}
