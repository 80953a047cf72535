"""Moments of values near the float64 limit: no overflow, same numbers as a scaled oracle."""

from __future__ import annotations

import warnings

import numpy as np
import pyarrow as pa
import pytest

from driftline.profile import merge_profiles, profile_batches
from driftline.profile.dataset import DatasetProfile


def _oracle(values: np.ndarray) -> tuple[float, float]:
    """numpy's mean and std computed in units of 2**1023, where nothing overflows."""
    scale = 2.0**1023
    return float((values / scale).mean() * scale), float((values / scale).std() * scale)


def _numeric(profile, column: str = "x"):
    return profile.columns[column].numeric


@pytest.mark.parametrize(
    "values",
    [
        np.array([1e308, -1e308, 5e307, 1.0, -3.0]),
        np.linspace(1e307, 1.7e308, 101),
        np.random.default_rng(0).normal(0, 1, 1000) * 1e300 + 1e307,
    ],
)
def test_mean_and_std_of_huge_values_without_warnings(values: np.ndarray) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        profile = profile_batches(pa.table({"x": values}).to_batches(7))
        restored = DatasetProfile.from_dict(profile.to_dict())
    mean, std = _oracle(values)
    for summary in (_numeric(profile), _numeric(restored)):
        assert summary.mean == pytest.approx(mean, rel=1e-12)
        assert summary.std == pytest.approx(std, rel=1e-9)


def test_merging_an_ordinary_and_a_huge_profile() -> None:
    small = np.random.default_rng(1).normal(5, 2, 500)
    huge = np.array([1.5e308, -1.5e308, 1e308])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        merged = merge_profiles(
            profile_batches(pa.table({"x": small}).to_batches()),
            profile_batches(pa.table({"x": huge}).to_batches()),
        )
    mean, std = _oracle(np.concatenate([small, huge]))
    assert _numeric(merged).mean == pytest.approx(mean, rel=1e-12)
    assert _numeric(merged).std == pytest.approx(std, rel=1e-9)


def test_ordinary_profiles_keep_their_document() -> None:
    """Scaling only starts at 2**480: an ordinary column's JSON has no m2_scale."""
    profile = profile_batches(pa.table({"x": np.arange(100.0)}).to_batches())
    document = profile.to_dict()
    [column] = document["columns"]
    assert "m2_scale" not in column["numeric"]
    assert column["numeric"]["m2"] == pytest.approx(float(((np.arange(100.0) - 49.5) ** 2).sum()))
