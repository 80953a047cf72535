"""The equal-width grid histogram: resolves a column's own spread, merges exactly."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pyarrow as pa
import pytest

from driftline.profile import DatasetProfile, merge_profiles, profile_batches
from driftline.profile.grid import DEFAULT_GRID_SIZE, GridHistogram, exponent_for

BANDS = {  # narrow bands far from zero, as in the issue, and around zero
    "offset": (15.05, 0.006),
    "wide_offset": (45.07, 0.012),
    "negative": (-45.07, 0.012),
    "mixed_sign": (0.0, 0.006),
}


def _band(rng: np.random.Generator, center: float, sd: float, n: int) -> np.ndarray:
    return np.clip(rng.normal(center, sd, n), center - 8 * sd, center + 8 * sd)


def _numeric(profile: DatasetProfile, name: str):
    summary = profile.columns[name].numeric
    assert summary is not None
    return summary


@pytest.mark.parametrize("band", sorted(BANDS))
def test_a_narrow_band_is_resolved_at_its_own_spread(band: str) -> None:
    center, sd = BANDS[band]
    x = _band(np.random.default_rng(1), center, sd, 200_000)
    summary = _numeric(profile_batches(pa.table({"x": x}).to_batches(50_000)), "x")
    assert not summary.exact and summary.uses_grid
    values, counts = summary.distribution()
    assert summary.grid is not None and summary.grid.width <= (x.max() - x.min()) / 1000
    assert len(values) > 1000  # the log sketch gave one or two buckets here
    assert counts.sum() == len(x)
    for q in (0.01, 0.25, 0.5, 0.75, 0.99):
        truth = float(np.quantile(x, q, method="lower"))
        assert abs(summary.quantile(q) - truth) <= summary.grid.width, q


@pytest.mark.parametrize("seed", range(4))
def test_merged_grids_equal_the_single_pass_grid(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 30_000
    table = pa.table(
        {
            "band": _band(rng, -45.07, 0.012, n),
            "heavy": rng.standard_cauchy(n) * 1e3,
            "ints": rng.integers(1_000_000, 1_006_000, n),
            "ts": pa.array(rng.integers(1_600_000_000, 1_600_100_000, n) * 10**6).cast(
                pa.timestamp("us")
            ),
        }
    )
    cuts = np.sort(rng.choice(np.arange(1, n), 3, replace=False))
    bounds = [0, *cuts.tolist(), n]
    parts = [
        profile_batches(table.slice(a, b - a).to_batches(777))
        for a, b in itertools.pairwise(bounds)
    ]
    merged = parts[0]
    for part in parts[1:]:
        merged = merge_profiles(merged, part)
    whole = profile_batches(table.to_batches(4096))
    for name in table.column_names:
        got, want = _numeric(merged, name), _numeric(whole, name)
        assert got.grid == want.grid, name
        assert got.distinct == want.distinct, name


def test_the_exponent_depends_only_on_min_and_max() -> None:
    for low, high in [(15.0, 15.1), (-45.14, -45.0), (-0.05, 0.05), (0.0, 0.0), (-1e308, 1e308)]:
        e = exponent_for(low, high, DEFAULT_GRID_SIZE, integral=False)
        width = 2.0**e
        assert np.floor(high / width) - np.floor(low / width) + 1 <= DEFAULT_GRID_SIZE
        finer = 2.0 ** (e - 1)
        if high > low and e > -1022 + 53:
            assert np.floor(high / finer) - np.floor(low / finer) + 1 > DEFAULT_GRID_SIZE


def test_whole_numbers_keep_one_bucket_each_when_they_fit() -> None:
    """Large integers (ids, years, counts) fall into one log bucket; the grid keeps them."""
    rng = np.random.default_rng(2)
    ints = rng.integers(2_000_000, 2_003_000, 100_000)
    summary = _numeric(profile_batches(pa.table({"n": ints}).to_batches()), "n")
    assert not summary.exact and summary.grid is not None and summary.grid.width == 1.0
    values, counts = summary.distribution()
    np.testing.assert_array_equal(values, np.unique(ints))
    np.testing.assert_array_equal(counts, np.unique(ints, return_counts=True)[1])
    # wider ranges: two or more whole numbers per bucket, never one bucket for the column
    wide = rng.integers(0, 100_000, 100_000)
    summary = _numeric(profile_batches(pa.table({"n": wide}).to_batches()), "n")
    assert summary.grid is not None and len(summary.distribution()[0]) > DEFAULT_GRID_SIZE // 2


def test_profiles_without_a_grid_still_load_and_use_the_sketch() -> None:
    x = _band(np.random.default_rng(3), 15.05, 0.006, 10_000)
    data = profile_batches(pa.table({"x": x}).to_batches()).to_dict()
    for column in data["columns"]:
        del column["numeric"]["grid"], column["numeric"]["distinct"]
    old = DatasetProfile.from_dict(json.loads(json.dumps(data)))
    summary = _numeric(old, "x")
    assert summary.grid is None and not summary.uses_grid
    assert len(summary.distribution()[0]) <= 2  # what the log sketch can say about this band
    merged = merge_profiles(old, profile_batches(pa.table({"x": x}).to_batches()))
    assert _numeric(merged, "x").grid is None


def test_grid_json_round_trip() -> None:
    grid = GridHistogram(64)
    values = np.random.default_rng(4).normal(3.0, 0.1, 1000)
    grid.add(values, float(values.min()), float(values.max()))
    again = GridHistogram.from_dict(json.loads(json.dumps(grid.to_dict())))
    assert again == grid and again.count == 1000 and len(again.counts) <= 64
