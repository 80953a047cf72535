"""`iter_batches` and `read_table(read_dictionary=...)`: string columns handed over as
Parquet's dictionaries."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.csv
import pyarrow.parquet as pq

from driftline.io import iter_batches, read_table


def _table(n: int = 3000) -> pa.Table:
    return pa.table(
        {
            "city": pa.array([["oslo", "rome", None, "lima"][i % 4] for i in range(n)]),
            "code": pa.array([i % 7 for i in range(n)]),
            "note": pa.array([f"n{i}" for i in range(n)]),
            "ts": pa.array(
                [datetime(2026, 1, 1, i % 24, tzinfo=UTC) for i in range(n)],
                pa.timestamp("us", tz="UTC"),
            ),
        }
    )


def test_named_string_columns_arrive_dictionary_encoded_with_the_same_values(
    tmp_path: Path,
) -> None:
    path = tmp_path / "w.parquet"
    pq.write_table(_table(), path, row_group_size=700)
    plain = pa.Table.from_batches(list(iter_batches(str(path))))
    batches = list(iter_batches(str(path), read_dictionary=["city", "code", "missing"]))
    encoded = pa.Table.from_batches(batches)
    assert pa.types.is_dictionary(encoded.schema.field("city").type)
    assert encoded.schema.field("code").type == pa.int64()  # not a string column: as is
    assert encoded.schema.field("note").type == pa.string()  # not asked for
    assert encoded.column("city").cast(pa.string()).equals(plain.column("city"))
    assert encoded.drop_columns(["city"]).equals(plain.drop_columns(["city"]))


def test_time_windows_and_hive_partitions_read_the_same_rows(tmp_path: Path) -> None:
    table = _table()
    pq.write_to_dataset(
        table.append_column("day", pa.array(["d1", "d2"] * (len(table) // 2))),
        tmp_path / "ds",
        partition_cols=["day"],
    )
    window = dict(
        timestamp_column="ts",
        start=datetime(2026, 1, 1, 3, tzinfo=UTC),
        end=datetime(2026, 1, 1, 9, tzinfo=UTC),
    )
    plain = pa.Table.from_batches(list(iter_batches(str(tmp_path / "ds"), **window)))
    encoded = pa.Table.from_batches(
        list(iter_batches(str(tmp_path / "ds"), read_dictionary=["city", "day"], **window))
    )
    assert encoded.num_rows == plain.num_rows > 0
    for name in ("city", "day"):
        assert encoded.column(name).cast(pa.string()).equals(plain.column(name).cast(pa.string()))


def test_read_table_hands_over_dictionaries_for_parquet_only(tmp_path: Path) -> None:
    """Exact mode reads whole columns with `read_table`: the same values, dictionary-encoded
    for Parquet (also in a time window, and for an empty one), strings as strings for CSV."""
    path, csv = tmp_path / "w.parquet", tmp_path / "w.csv"
    pq.write_table(_table(), path, row_group_size=700)
    pa.csv.write_csv(_table().drop_columns(["ts"]), csv)
    plain = read_table(str(path), columns=["city", "code"])
    encoded = read_table(str(path), columns=["city", "code"], read_dictionary=["city", "code"])
    assert pa.types.is_dictionary(encoded.schema.field("city").type)
    assert encoded.column("city").cast(pa.string()).equals(plain.column("city"))
    assert encoded.column("code").equals(plain.column("code"))
    for end in (datetime(2026, 1, 1, 9, tzinfo=UTC), datetime(2026, 1, 1, 3, tzinfo=UTC)):
        window = dict(timestamp_column="ts", start=datetime(2026, 1, 1, 3, tzinfo=UTC), end=end)
        some = read_table(str(path), columns=["city"], read_dictionary=["city"], **window)
        assert pa.types.is_dictionary(some.schema.field("city").type)
        assert some.num_rows == read_table(str(path), columns=["city"], **window).num_rows
    assert (
        read_table(str(csv), columns=["city"], read_dictionary=["city"]).schema.field("city").type
        == pa.string()
    )


def test_a_partitions_row_groups_arrive_as_dictionaries_and_only_they(tmp_path: Path) -> None:
    """Reading dictionaries re-opens each file with another Parquet format: the fragment must
    keep the partition's row groups (a whole file would hand over its other rows too)."""
    from driftline.io.partitions import iter_partition, plan_partitions

    path = tmp_path / "w.parquet"
    pq.write_table(_table(), path, row_group_size=300)  # 10 row groups
    plan = plan_partitions(str(path), target_rows=900)
    assert len(plan.partitions) > 1
    read = [
        pa.Table.from_batches(list(iter_partition(p, read_dictionary=["city"])))
        for p in plan.partitions
    ]
    assert all(pa.types.is_dictionary(t.schema.field("city").type) for t in read)
    assert sum(t.num_rows for t in read) == 3000
    together = pa.concat_tables(
        [t.cast(read[0].schema.set(0, pa.field("city", pa.string()))) for t in read]
    )
    assert sorted(together.column("note").to_pylist()) == sorted(
        _table().column("note").to_pylist()
    )
    assert together.column("city").equals(_table().column("city"))
