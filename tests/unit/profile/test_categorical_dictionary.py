"""Categories counted on dictionary indices give the profile counted on the strings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from driftline.profile import profile_batches, profile_source
from driftline.profile.categorical import CategoricalSummary


def test_dictionary_arrays_count_like_their_strings() -> None:
    rng = np.random.default_rng(3)
    labels = np.array(["a", "b", "c", "d", "e"])
    plain, encoded = CategoricalSummary(category_cap=3, top_k=2), CategoricalSummary(3, 2)
    for _ in range(6):  # past the cap after a few batches: top-k + other from then on
        strings = pa.array(labels[rng.integers(0, rng.integers(2, 6), 500)])
        plain.add(strings)
        # a dictionary with a repeated and an unused entry, as dictionaries may have
        dictionary = pa.array(["e", "d", "c", "b", "a", "a", "zz"])
        where = {"e": 0, "d": 1, "c": 2, "b": 3, "a": 4}
        indices = [where[s] if i % 2 else (5 if s == "a" else where[s]) for i, s in
                   enumerate(strings.to_pylist())]  # fmt: skip
        encoded.add(pa.DictionaryArray.from_arrays(pa.array(indices, pa.int32()), dictionary))
    assert encoded == plain
    assert not plain.exact


def test_a_profiles_categories_read_as_dictionaries_equal_the_string_profile(
    tmp_path: Path,
) -> None:
    rng = np.random.default_rng(4)
    n = 20_000
    table = pa.table(
        {
            "color": pa.array(rng.choice(["red", "green", "blue"], n), mask=rng.random(n) < 0.05),
            "size": rng.normal(0, 1, n),
            "flag": rng.random(n) < 0.3,
            "grade": pa.array(rng.integers(0, 4, n)),  # integers profiled as categories
        }
    )
    path = tmp_path / "t.parquet"
    pq.write_table(table, path, row_group_size=3_000)
    kinds = {"grade": "categorical"}
    streamed = profile_batches(table.to_batches(max_chunksize=4_096), kinds)
    read = profile_source(str(path), kinds=kinds)  # reads "color" dictionary-encoded
    assert read.to_dict() == streamed.to_dict()
    assert read.columns["color"].arrow_type == "string"


def test_booleans_and_numbers_as_categories_count_like_their_string_labels() -> None:
    """The builder encodes them before making strings; the oracle casts every value."""
    rng = np.random.default_rng(5)
    n = 5_000
    columns = {
        "flag": pa.array(rng.random(n) < 0.3, mask=rng.random(n) < 0.1),
        "grade": pa.array(rng.integers(-3, 40, n)),
        "score": pa.array(np.where(rng.random(n) < 0.1, np.nan, rng.integers(0, 9, n) / 2)),
        "raw": pa.array([[b"x", b"y", b"z"][i % 3] for i in range(n)]),
    }
    kinds = {name: "categorical" for name in columns}
    profile = profile_batches(pa.table(columns).to_batches(max_chunksize=1_000), kinds)
    for name, array in columns.items():
        expected = CategoricalSummary()
        for start in range(0, n, 1_000):
            part = array.slice(start, 1_000).drop_null()
            expected.add(part.cast(pa.string()))
        assert profile.columns[name].categorical == expected, name
