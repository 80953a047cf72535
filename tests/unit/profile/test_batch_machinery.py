"""The machinery of a profile pass: read-ahead thread, per-thread scratch arrays, hashes."""

from __future__ import annotations

import contextvars
import threading

import numpy as np
import pytest

from driftline.profile.distinct import hash_values
from driftline.profile.read_ahead import read_ahead
from driftline.profile.scratch import MAX_SCRATCH, SLICE, scratch


def test_items_arrive_in_order_and_all_of_them() -> None:
    assert list(read_ahead(iter(range(1000)), depth=3)) == list(range(1000))
    assert list(read_ahead([])) == []


def test_an_error_of_the_source_is_raised_at_its_place() -> None:
    def source():
        yield 1
        yield 2
        raise ValueError("corrupt row group 3")

    got = []
    with pytest.raises(ValueError, match="corrupt row group 3"):
        for item in read_ahead(source()):
            got.append(item)
    assert got == [1, 2]


def test_the_source_runs_in_the_callers_context() -> None:
    """Progress reporters live in a context variable: the reading thread must see the caller's."""
    reporter = contextvars.ContextVar("reporter", default="none")
    reporter.set("the caller's")

    def source():
        yield reporter.get()

    assert list(read_ahead(source())) == ["the caller's"]


def test_a_consumer_that_stops_early_stops_the_reader() -> None:
    produced = []

    def source():
        for i in range(10_000):
            produced.append(i)
            yield i

    stream = read_ahead(source(), depth=1)
    assert next(stream) == 0
    stream.close()  # what an error in the consumer's loop does too
    assert len(produced) <= 3  # the item handed out, one queued, one being fetched
    assert not [t for t in threading.enumerate() if t.name == "read-ahead"]


def test_scratch_arrays_are_per_thread_and_fresh_past_the_limit() -> None:
    first = scratch("test", 10, np.float64)
    assert scratch("test", 5, np.float64).base is first.base  # reused
    other: list[np.ndarray] = []
    thread = threading.Thread(target=lambda: other.append(scratch("test", 10, np.float64)))
    thread.start()
    thread.join()
    assert other[0].base is not first.base
    big = scratch("test", MAX_SCRATCH + 1, np.float64)
    assert big.base is None and big.size == MAX_SCRATCH + 1


def test_public_hashes_are_not_overwritten_by_the_next_call() -> None:
    a = hash_values(np.array([1.0, 2.0, -0.0]))
    kept = a.copy()
    hash_values(np.array([3.0, 4.0, 5.0]))
    np.testing.assert_array_equal(a, kept)
    assert a[2] == hash_values(np.array([0.0]))[0]


def test_hashes_without_the_negative_zero_pass_are_the_same() -> None:
    values = np.random.default_rng(1).lognormal(0, 2, 10_000)
    np.testing.assert_array_equal(
        hash_values(values, negative_zeros=False), hash_values(values, reuse=True)
    )
    assert values.min() > 0  # the promise the fast path needs


def test_the_grid_index_is_the_floor_for_negative_and_positive_ranges() -> None:
    from driftline.profile.grid import GridHistogram

    rng = np.random.default_rng(2)
    for values in (rng.normal(-3, 1, 5000), rng.lognormal(0, 1, 5000), rng.normal(0, 1, 5000)):
        grid = GridHistogram()
        low, high = float(values.min()), float(values.max())
        index = grid.fine_index(values, low, high, detail=4).copy()
        assert grid.exponent is not None
        expected = np.floor(np.ldexp(values, 4 - grid.exponent)) - (grid.first << 4)
        np.testing.assert_array_equal(index, expected.astype(np.intp))


# a batch of several slices and a short last one: the slice-by-slice passes must give what
# one pass over the whole batch gives
_SLICED = 3 * SLICE + 17


def test_the_grid_index_is_the_same_across_slice_boundaries() -> None:
    from driftline.profile.grid import GridHistogram

    values = np.random.default_rng(3).normal(-1, 5, _SLICED)
    grid = GridHistogram()
    index = grid.fine_index(values, float(values.min()), float(values.max()), detail=4).copy()
    assert grid.exponent is not None
    expected = np.floor(np.ldexp(values, 4 - grid.exponent)) - (grid.first << 4)
    np.testing.assert_array_equal(index, expected.astype(np.intp))


def test_moments_over_slices_match_numpy() -> None:
    from driftline.profile.numeric import NumericSummary

    rng = np.random.default_rng(4)
    for values in (rng.normal(1e6, 1e-3, _SLICED), rng.lognormal(0, 3, _SLICED)):
        summary = NumericSummary()
        summary.add(values)
        assert summary.mean == pytest.approx(float(np.mean(values)), rel=1e-13)
        assert summary.std == pytest.approx(float(np.std(values)), rel=1e-10)


def test_distinct_hashes_over_slices_are_the_k_smallest() -> None:
    from driftline.profile.distinct import DistinctCount

    rng = np.random.default_rng(5)
    batches = [rng.normal(0, 1, _SLICED), np.round(rng.normal(0, 1, _SLICED), 3)]
    count = DistinctCount(k=256)
    for batch in batches:
        count.add(batch)
    everything = hash_values(np.concatenate(batches) + 0.0)
    np.testing.assert_array_equal(count.hashes, np.unique(everything)[:256])
