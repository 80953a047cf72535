"""`iter_batches` and `read_table(read_dictionary=...)`: string columns handed over as
Parquet's dictionaries."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.csv
import pyarrow.dataset as ds
import pyarrow.fs as pafs
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


class _CountingFiles(pafs.FileSystemHandler):
    """The local filesystem, counting the files opened for reading (an object store's GETs)."""

    def __init__(self) -> None:
        self.local, self.opened = pafs.LocalFileSystem(), 0

    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other

    def get_type_name(self) -> str:
        return "counting"

    def normalize_path(self, path: str) -> str:
        return path

    def get_file_info(self, paths: list[str]) -> list[pafs.FileInfo]:
        return self.local.get_file_info(paths)

    def get_file_info_selector(self, selector: pafs.FileSelector) -> list[pafs.FileInfo]:
        return self.local.get_file_info(selector)

    def open_input_file(self, path: str) -> pa.NativeFile:
        self.opened += 1
        return self.local.open_input_file(path)

    def open_input_stream(self, path: str) -> pa.NativeFile:
        self.opened += 1
        return self.local.open_input_stream(path)

    def create_dir(self, path: str, recursive: bool) -> None: ...
    def delete_dir(self, path: str) -> None: ...
    def delete_dir_contents(self, path: str, missing_dir_ok: bool = False) -> None: ...
    def delete_root_dir_contents(self) -> None: ...
    def delete_file(self, path: str) -> None: ...
    def move(self, src: str, dest: str) -> None: ...
    def copy_file(self, src: str, dest: str) -> None: ...
    def open_output_stream(self, path: str, metadata: object) -> pa.NativeFile: ...
    def open_append_stream(self, path: str, metadata: object) -> pa.NativeFile: ...


def test_reading_dictionaries_reads_no_footer_twice(tmp_path: Path) -> None:
    """A fragment re-made to read dictionaries keeps a partition's row groups, and a whole
    file's fragment is re-made without reading its footer first (on an object store, each
    footer read is a request)."""
    from driftline.io.readers import _dictionary_read, _made_again

    path = tmp_path / "w.parquet"
    pq.write_table(_table(), path, row_group_size=300)
    files = _CountingFiles()
    dataset = ds.dataset(str(path), filesystem=pafs.PyFileSystem(files), format="parquet")
    _, encoded = _dictionary_read(dataset.schema, ["city"])
    assert encoded is not None
    whole = next(dataset.get_fragments())
    opened = files.opened
    again = _made_again(whole, encoded)
    assert files.opened == opened  # nothing read to re-make it
    assert again.to_table().num_rows == 3000
    assert pa.types.is_dictionary(again.to_table().schema.field("city").type)
    some = _made_again(whole.subset(row_group_ids=[2, 7]), encoded)
    assert [group.id for group in some.row_groups] == [2, 7]
    assert some.to_table().column("note").to_pylist() == [
        f"n{i}" for i in [*range(600, 900), *range(2100, 2400)]
    ]
