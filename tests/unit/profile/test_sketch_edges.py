"""LogSketch bucket indexes at and around bucket edges, against the definition."""

from __future__ import annotations

import numpy as np

from driftline.profile.sketch import LogSketch


def _by_definition(sketch: LogSketch, magnitude: np.ndarray) -> np.ndarray:
    """The bucket i with gamma**i <= x < gamma**(i+1), edges as the sketch computes them."""
    index = np.floor(np.log(magnitude) / sketch._log_gamma).astype(np.int64)
    index -= magnitude < np.exp(index * sketch._log_gamma)
    index += magnitude >= np.exp((index + 1) * sketch._log_gamma)
    return index


def test_values_on_and_next_to_edges_get_the_defined_bucket() -> None:
    sketch = LogSketch(0.01)
    edges = np.exp(np.arange(-2000, 2000) * sketch._log_gamma)
    values = np.concatenate(
        [edges, np.nextafter(edges, 0), np.nextafter(edges, np.inf), np.geomspace(1e-8, 1e8, 5000)]
    )
    np.testing.assert_array_equal(sketch._index(values), _by_definition(sketch, values))


def test_mixed_signs_and_zeros_land_in_their_buckets() -> None:
    rng = np.random.default_rng(3)
    values = np.concatenate([rng.normal(0, 5, 10_000), np.zeros(50), [1e-12, -1e-12]])
    sketch = LogSketch(0.02)
    sketch.add(values)
    smallest = sketch.lower_bound(sketch.min_index)
    for store, side in (
        (sketch.positive.as_dict(), values >= smallest),
        (sketch.negative.as_dict(), values <= -smallest),
    ):
        keys, counts = np.unique(_by_definition(sketch, np.abs(values[side])), return_counts=True)
        assert store == dict(zip(keys.tolist(), counts.tolist(), strict=True))
    assert sketch.zero == 52 and sketch.count == len(values)


def test_adding_through_grid_buckets_gives_the_per_value_sketch() -> None:
    """NumericSummary indexes whole grid buckets at once where they fit in one sketch bucket."""
    from driftline.profile.grid import GridHistogram

    rng = np.random.default_rng(5)
    cases = [
        rng.normal(3, 2, 50_000),
        rng.normal(0, 1e-8, 50_000),  # around the zero bucket
        rng.normal(15.05, 0.006, 50_000),
        rng.standard_cauchy(50_000) * 1e6,
        rng.integers(-3000, 3000, 50_000).astype(np.float64),
        np.concatenate([np.zeros(100), -np.geomspace(1e-12, 1e12, 1000), [5e-324, -0.0]]),
    ]
    for values in cases:
        for integral in (False, True):
            if integral and not np.all(values == np.round(values)):
                continue
            expected, bucketed = LogSketch(0.01), LogSketch(0.01)
            expected.add(values)
            grid = GridHistogram(integral=integral)
            for part in np.array_split(values, 7):
                index, added = grid.add(part, float(values.min()), float(values.max()), detail=3)
                lows, tops = grid.spans(detail=3)
                keys = (bucketed.keys(lows), bucketed.keys(tops))
                bucketed.add_bucketed(part, index, added, keys)
            assert bucketed == expected


def test_a_profiles_sketch_equals_the_per_value_sketch_as_its_range_grows() -> None:
    """The grid (and the cached sketch keys of its buckets) moves as min and max grow."""
    from driftline.profile import NumericSummary

    rng = np.random.default_rng(6)
    batches = [rng.normal(0, scale, 5000) for scale in (1e-3, 0.1, 1, 1, 10, 1e4, 1e4)]
    batches.append(rng.normal(15.05, 0.006, 5000))
    summary, expected = NumericSummary(), LogSketch(0.01)
    for batch in batches:
        summary.add(batch)
        expected.add(batch)
        assert summary.sketch == expected


def test_a_profiles_sketch_equals_the_per_value_sketch_in_any_batches() -> None:
    """Batches of a few values, a column far from zero, integers, tiny and huge magnitudes:
    the sketch filled through the grid's buckets is the sketch of the values one by one."""
    from driftline.profile import NumericSummary

    rng = np.random.default_rng(8)
    columns = [
        rng.normal(0, 3, 30_000),
        rng.lognormal(0, 2, 30_000),
        rng.beta(0.5, 2, 30_000),
        rng.normal(45.07, 0.0175, 30_000),
        rng.integers(-40, 40, 30_000).astype(np.float64),
        -rng.lognormal(5, 1, 30_000),
        rng.normal(0, 1e-300, 30_000),
        rng.normal(0, 1e300, 30_000),
    ]
    for values in columns:
        for parts in (1, 9, 3_000):
            summary, expected = NumericSummary(), LogSketch(0.01)
            for part in np.array_split(values, parts):
                summary.add(part)
            expected.add(values)
            assert summary.sketch == expected, (values[:3], parts)
