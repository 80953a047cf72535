"""Column kinds from the Arrow type, a sample's distinct values, and user overrides."""

from __future__ import annotations

import pyarrow as pa
import pytest

from driftline.errors import InputError, UnknownNameError
from driftline.io import ColumnKind, infer_kinds, read_table


def test_kinds_from_types_without_sample() -> None:
    schema = pa.schema(
        [
            ("n", pa.int64()),
            ("f", pa.float32()),
            ("b", pa.bool_()),
            ("t", pa.timestamp("s")),
            ("d", pa.date32()),
            ("s", pa.string()),
            ("c", pa.dictionary(pa.int8(), pa.string())),
        ]
    )
    assert infer_kinds(schema) == {
        "n": "numeric",
        "f": "numeric",
        "b": "boolean",
        "t": "datetime",
        "d": "datetime",
        "s": "categorical",
        "c": "categorical",
    }


def test_sample_makes_id_like_and_free_text_strings_text() -> None:
    n = 400
    sample = pa.table(
        {
            "user_id": [f"u-{i:05d}" for i in range(n)],  # all distinct -> text
            "comment": [f"free text number {i % 300}" for i in range(n)],  # 300 distinct of 400
            "city": [["Paris", "Lyon", "Nice"][i % 3] for i in range(n)],  # 3 distinct
            "zip": [str(i % 150) for i in range(n)],  # 150 of 400 < half -> categorical
            "row": list(range(n)),  # ints stay numeric
            "few": [f"x{i}" if i < 40 else None for i in range(n)],  # 40 distinct: too few for text
        }
    )
    kinds = infer_kinds(sample.schema, sample=sample)
    assert kinds == {
        "user_id": "text",
        "comment": "text",
        "city": "categorical",
        "zip": "categorical",
        "row": "numeric",
        "few": "categorical",
    }


def test_overrides_win_and_are_checked() -> None:
    sample = pa.table({"id": [str(i) for i in range(100)], "code": list(range(100))})
    kinds = infer_kinds(
        sample.schema, {"id": "categorical", "code": ColumnKind.CATEGORICAL}, sample=sample
    )
    assert kinds == {"id": ColumnKind.CATEGORICAL, "code": ColumnKind.CATEGORICAL}
    with pytest.raises(InputError, match=r"unknown column 'nope'; columns: id, code"):
        infer_kinds(sample.schema, {"nope": "numeric"})
    with pytest.raises(
        UnknownNameError,
        match=r"unknown column kind 'float'; valid: boolean, "
        r"categorical, datetime, numeric, text",
    ):
        infer_kinds(sample.schema, {"code": "float"})


def test_real_bike_data_kinds(bike_hour_csv) -> None:  # type: ignore[no-untyped-def]
    table = read_table(bike_hour_csv)
    kinds = infer_kinds(table.schema, {"season": "categorical"}, sample=table.slice(0, 2000))
    assert kinds["dteday"] == "datetime"
    assert kinds["temp"] == kinds["cnt"] == kinds["instant"] == "numeric"
    assert kinds["season"] == "categorical"
