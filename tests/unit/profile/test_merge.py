"""merge(profile(A), profile(B)) == profile(A + B): exact counts/histograms, bounded quantiles."""

from __future__ import annotations

import itertools

import numpy as np
import pyarrow as pa
import pytest

from driftline.profile import merge_profiles, profile_batches


def _table(rng: np.random.Generator, rows: int) -> pa.Table:
    values = rng.lognormal(3, 2, rows) * rng.choice([-1, 1], rows, p=[0.2, 0.8])
    values[rng.random(rows) < 0.01] = 0.0
    values[rng.random(rows) < 0.005] = np.nan
    ints = rng.integers(0, 50, rows)
    cats = rng.choice([f"c{i}" for i in range(30)], rows)
    ts = pa.array(rng.integers(1_600_000_000, 1_700_000_000, rows) * 1_000_000, pa.int64())
    return pa.table(
        {
            "x": pa.array(values, mask=rng.random(rows) < 0.05),
            "n": pa.array(ints),
            "c": pa.array(cats, mask=rng.random(rows) < 0.02),
            "b": pa.array(rng.random(rows) < 0.3),
            "t": ts.cast(pa.timestamp("us")),
            "s": pa.array([f"text {i % 977}" for i in range(rows)]),
        }
    )


def _profile(table: pa.Table, batch_rows: int = 1000):
    return profile_batches(table.to_batches(batch_rows), kinds={"s": "text"}, exact_cap=100)


@pytest.mark.parametrize("seed", range(5))
def test_merge_equals_profile_of_union(seed: int) -> None:
    rng = np.random.default_rng(seed)
    table = _table(rng, 20_000)
    cut = int(rng.integers(1, table.num_rows))
    merged = merge_profiles(_profile(table.slice(0, cut)), _profile(table.slice(cut)))
    whole = _profile(table, batch_rows=4096)
    assert merged.row_count == whole.row_count == table.num_rows
    for name, expected in whole.columns.items():
        got = merged.columns[name]
        assert (got.count, got.null_count) == (expected.count, expected.null_count)
        if expected.numeric is not None:
            a, b = got.numeric, expected.numeric
            assert a is not None
            assert (a.count, a.nan_count, a.min, a.max) == (b.count, b.nan_count, b.min, b.max)
            assert a.sketch == b.sketch  # histogram on universal edges: exact
            assert a.exact_values == b.exact_values
            np.testing.assert_array_equal(a.bins()[1], b.bins()[1])
            assert a.mean == pytest.approx(b.mean, rel=1e-12)
            assert a.std == pytest.approx(b.std, rel=1e-9)
        if expected.categorical is not None:
            assert got.categorical == expected.categorical
        if expected.text is not None:
            assert got.text is not None
            np.testing.assert_array_equal(got.text.hll.registers, expected.text.hll.registers)
            assert got.text.lengths.sketch == expected.text.lengths.sketch
            assert got.text.lengths.exact_values == expected.text.lengths.exact_values


@pytest.mark.parametrize("seed", range(5))
def test_quantiles_within_relative_accuracy_of_numpy(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    table = _table(rng, 30_000)
    parts = np.sort(rng.choice(np.arange(1, table.num_rows), 3, replace=False))
    bounds = [0, *parts.tolist(), table.num_rows]
    profiles = [_profile(table.slice(a, b - a)) for a, b in itertools.pairwise(bounds)]
    merged = profiles[0]
    for other in profiles[1:]:
        merged = merge_profiles(merged, other)
    x = table.column("x").drop_null().to_numpy()
    x = x[np.isfinite(x)]
    summary = merged.columns["x"].numeric
    assert summary is not None and not summary.exact
    alpha = summary.sketch.relative_accuracy
    for q in (0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0):
        truth = float(np.quantile(x, q, method="lower"))
        assert abs(summary.quantile(q) - truth) <= alpha * abs(truth) + 1e-12, q
    # columns with few distinct values are exact
    n = merged.columns["n"].numeric
    assert n is not None and n.exact
    ints = table.column("n").to_numpy()
    for q in (0.1, 0.5, 0.9):
        assert n.quantile(q) == np.quantile(ints, q, method="lower")


def test_merge_rejects_different_schemas_kinds_and_options() -> None:
    from driftline.errors import SchemaMismatchError

    t = pa.table({"a": [1, 2], "b": ["x", "y"]})
    base = profile_batches(t.to_batches())
    with pytest.raises(SchemaMismatchError, match="only in first \\['b'\\]"):
        merge_profiles(base, profile_batches(t.select(["a"]).to_batches()))
    with pytest.raises(SchemaMismatchError, match="column 'a' is numeric in one profile"):
        merge_profiles(base, profile_batches(t.to_batches(), kinds={"a": "categorical"}))
    with pytest.raises(SchemaMismatchError, match="different options"):
        merge_profiles(base, profile_batches(t.to_batches(), relative_accuracy=0.02))


def test_timestamps_merged_from_time_ordered_parts_keep_their_spread_to_1e7() -> None:
    """Epoch seconds near 1.8e9 (floats 2.4e-7 s apart there): the parts' means are held to
    that spacing, and merging parts cut along time weighs their differences. The spread stays
    within the bound the docs state (1e-7 relative; typically 1e-9 to 1e-8), the mean far
    within 1e-12, against the one-pass summary and against numpy."""
    from driftline.profile import NumericSummary

    rng = np.random.default_rng(11)
    worst = 0.0
    for _ in range(60):
        micros = np.sort(rng.integers(1_775_116_800_000_000, 1_775_117_760_000_000, 936))
        seconds = micros.astype(np.float64) * 1e-6
        single = NumericSummary()
        single.add(seconds)
        cuts = np.sort(rng.choice(np.arange(1, 936), rng.integers(3, 40), replace=False))
        merged = NumericSummary()
        for part in np.split(seconds, cuts):
            piece = NumericSummary()
            piece.add(part)
            merged.merge(piece)
        assert single.std is not None and merged.std is not None
        assert merged.mean == pytest.approx(single.mean, rel=1e-12)
        assert single.std == pytest.approx(float(np.std(seconds)), rel=1e-9)
        worst = max(worst, abs(merged.std - single.std) / single.std)
    assert worst < 1e-7
