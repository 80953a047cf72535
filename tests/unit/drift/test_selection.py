"""The drift modes share one column selection and one method choice (`drift/selection.py`)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from driftline.drift import check_drift
from driftline.drift.auto import POLICIES, ColumnShape, evidently_default
from driftline.errors import InputError, UnknownNameError
from driftline.io import ColumnKind
from driftline.profile import profile_batches


@pytest.mark.parametrize(
    ("shape", "method"),
    [
        (ColumnShape(ColumnKind.NUMERIC, 500, 50), "ks"),
        (ColumnShape(ColumnKind.NUMERIC, 500, 4), "chi2"),
        (ColumnShape(ColumnKind.NUMERIC, 500, 2), "z"),
        (ColumnShape(ColumnKind.NUMERIC, 500, 50, every_value=False), "wasserstein"),
        (ColumnShape(ColumnKind.NUMERIC, 5000, 50), "wasserstein"),
        (ColumnShape(ColumnKind.NUMERIC, 5000, 50, few_integers=True), "jensenshannon"),
        (ColumnShape(ColumnKind.NUMERIC, 500, 8, few_integers=True), "chi2"),
        (ColumnShape(ColumnKind.CATEGORICAL, 500, 2), "z"),
        (ColumnShape(ColumnKind.CATEGORICAL, 5000, 3), "jensenshannon"),
        (ColumnShape(ColumnKind.BOOLEAN, 500, 2), "z"),
    ],
)
def test_auto_is_evidently_defaults(shape: ColumnShape, method: str) -> None:
    assert evidently_default(shape) == method


def _tables() -> tuple[pa.Table, pa.Table]:
    rng = np.random.default_rng(3)
    return (
        pa.table({"x": rng.normal(0, 1, 400), "c": rng.choice(["a", "b", "c"], 400)}),
        pa.table({"x": rng.normal(0.3, 1, 300), "c": rng.choice(["a", "b", "c"], 300)}),
    )


def test_a_registered_policy_chooses_in_both_modes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A policy is written once: exact and profile mode hand it the same column shapes."""
    seen: list[tuple[str, ColumnShape]] = []

    def distances(shape: ColumnShape) -> str:
        seen.append(("mode", shape))
        return "psi" if shape.kind is ColumnKind.NUMERIC else "tvd"

    monkeypatch.setitem(POLICIES, "distances", distances)
    ref, cur = _tables()
    exact = check_drift(ref, cur, method="distances")
    profiled = check_drift(profile_batches(ref.to_batches()), cur, method="distances")
    for result in (exact, profiled):
        assert {c.name: c.method for c in result.columns} == {"x": "psi", "c": "tvd"}
    # exact mode checks the columns in parallel threads: its shapes come in any order
    exact_shapes, profile_shapes = (
        sorted(shapes, key=lambda shape: shape.kind.value)
        for shapes in ([s for _, s in seen[:2]], [s for _, s in seen[2:]])
    )
    assert exact_shapes == profile_shapes  # the same shapes from both modes
    assert ColumnShape(ColumnKind.NUMERIC, 400, 11, every_value=True) in exact_shapes


def test_unknown_method_lists_methods_and_policies() -> None:
    ref, cur = _tables()
    with pytest.raises(UnknownNameError, match="auto") as error:
        check_drift(ref, cur, method="kss")
    assert "wasserstein" in str(error.value)


def test_a_named_method_skips_the_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(shape: ColumnShape) -> str:
        raise AssertionError("a named method must not consult the policy")

    monkeypatch.setitem(POLICIES, "auto", refuse)
    ref, cur = _tables()
    result = check_drift(ref, cur, method={"x": "ks", "c": "chi2"})
    assert [c.method for c in result.columns] == ["ks", "chi2"]


def test_a_method_of_the_wrong_kind_names_the_valid_ones() -> None:
    ref, cur = _tables()
    with pytest.raises(InputError, match=r"methods for categorical columns: .*chi2"):
        check_drift(ref, cur, method={"c": "ks"})
