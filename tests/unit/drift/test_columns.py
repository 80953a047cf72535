"""Category codes of exact mode: the same whatever the Arrow encoding of the column."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from driftline.drift.columns import categorical_values
from driftline.errors import InputError
from driftline.io import ColumnKind

RNG = np.random.default_rng(5)
WORDS = np.array(["delta", "alpha", "gamma", None, "beta"], dtype=object)


def _expected(reference: list, current: list) -> tuple[list, np.ndarray, np.ndarray]:
    """The definition: codes into the sorted union of both sides' non-null values."""
    categories = sorted({v for v in reference + current if v is not None})
    index = {v: i for i, v in enumerate(categories)}
    return (
        categories,
        np.array([index[v] for v in reference if v is not None], dtype=np.int64),
        np.array([index[v] for v in current if v is not None], dtype=np.int64),
    )


def _encodings(values: list) -> dict[str, pa.ChunkedArray]:
    """`values` as plain strings in two chunks, one dictionary, and two chunks each with its
    own dictionary (what a Parquet file with dictionary pages can give)."""
    half = len(values) // 2
    first, second = pa.array(values[:half], pa.string()), pa.array(values[half:], pa.string())
    return {
        "plain": pa.chunked_array([first, second]),
        "dictionary": pa.chunked_array([pa.array(values, pa.string()).dictionary_encode()]),
        "dictionary per chunk": pa.chunked_array(
            [first.dictionary_encode(), second.dictionary_encode()]
        ),
    }


@pytest.mark.parametrize("ref_encoding", ["plain", "dictionary", "dictionary per chunk"])
@pytest.mark.parametrize("cur_encoding", ["plain", "dictionary per chunk"])
def test_codes_are_positions_in_the_sorted_categories(ref_encoding: str, cur_encoding: str) -> None:
    reference = list(RNG.choice(WORDS, 3000))
    current = list(RNG.choice(WORDS[:3], 2000))  # no nulls, no "beta"
    values = categorical_values(
        "word",
        ColumnKind.CATEGORICAL,
        _encodings(reference)[ref_encoding],
        _encodings(current)[cur_encoding],
    )
    categories, ref_codes, cur_codes = _expected(reference, current)
    assert values.categories == categories
    np.testing.assert_array_equal(values.reference, ref_codes)
    np.testing.assert_array_equal(values.current, cur_codes)
    assert values.reference.dtype == values.current.dtype == np.int64
    assert values.reference_missing == reference.count(None)
    assert values.current_missing == 0


def test_booleans_and_floats_drop_nulls_and_non_finite_values() -> None:
    flags = categorical_values(
        "flag",
        ColumnKind.BOOLEAN,
        pa.chunked_array([pa.array([True, None, False, True])]),
        pa.chunked_array([pa.array([False, False])]),
    )
    assert (flags.categories, flags.reference.tolist(), flags.current.tolist()) == (
        [False, True],
        [1, 0, 1],
        [0, 0],
    )
    levels = categorical_values(
        "level",
        ColumnKind.CATEGORICAL,
        pa.chunked_array([pa.array([1.5, float("nan"), 2.5]).dictionary_encode()]),
        pa.chunked_array([pa.array([2.5, float("inf"), None])]),
    )
    assert (levels.categories, levels.reference_missing, levels.current_missing) == (
        [1.5, 2.5],
        1,
        2,
    )


def test_too_many_categories_name_the_limit() -> None:
    ids = pa.chunked_array([pa.array([f"id-{i}" for i in range(50)]).dictionary_encode()])
    with pytest.raises(InputError, match="max_categories=20"):
        categorical_values("id", ColumnKind.CATEGORICAL, ids, ids, max_categories=20)
