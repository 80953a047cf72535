"""Reading local Parquet, CSV and JSON lines: formats, projection, windows, streaming, errors."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from driftline.errors import DataSourceError, InputError, UnknownNameError
from driftline.io import detect_format, iter_batches, open_dataset, read_table
from driftline.io.windows import as_utc, window_expression

START = datetime(2024, 3, 3, 6)
END = datetime(2024, 3, 5, 18)


def _expected(events: pa.Table, columns: list[str]) -> pd.DataFrame:
    """Independent oracle: pandas filters the in-memory table on the half-open window."""
    frame = events.to_pandas()
    keep = (frame["ts"] >= pd.Timestamp(START)) & (frame["ts"] < pd.Timestamp(END))
    return frame.loc[keep, columns].reset_index(drop=True)


def _write_all(events: pa.Table, root: Path) -> dict[str, Path]:
    paths = {
        "parquet": root / "e.parquet",
        "csv": root / "e.csv",
        "csv.gz": root / "e.csv.gz",
        "jsonl": root / "e.jsonl",
        "jsonl.gz": root / "e.jsonl.gz",
    }
    pq.write_table(events, paths["parquet"], row_group_size=50)
    pacsv.write_csv(events, paths["csv"])
    paths["csv.gz"].write_bytes(gzip.compress(paths["csv"].read_bytes()))
    lines = "".join(
        json.dumps({**row, "ts": row["ts"].isoformat()}) + "\n" for row in events.to_pylist()
    )
    paths["jsonl"].write_text(lines)
    paths["jsonl.gz"].write_bytes(gzip.compress(lines.encode()))
    return paths


@pytest.mark.parametrize("kind", ["parquet", "csv", "csv.gz", "jsonl", "jsonl.gz"])
def test_window_and_projection_match_pandas(events: pa.Table, tmp_path: Path, kind: str) -> None:
    source = _write_all(events, tmp_path)[kind]
    table = read_table(source, columns=["x", "color"], timestamp_column="ts", start=START, end=END)
    assert table.column_names == ["x", "color"]
    pd.testing.assert_frame_equal(table.to_pandas(), _expected(events, ["x", "color"]))


def test_hive_partitioned_parquet_directory(events: pa.Table, tmp_path: Path) -> None:
    pq.write_to_dataset(events, tmp_path / "ds", partition_cols=["k"])
    (tmp_path / "ds" / "_SUCCESS").write_text("")
    assert detect_format(tmp_path / "ds") == "parquet"
    table = read_table(
        tmp_path / "ds", columns=["x", "k"], timestamp_column="ts", start=START, end=END
    )
    got = table.to_pandas().sort_values("x").reset_index(drop=True)
    want = _expected(events, ["x", "k"]).sort_values("x").reset_index(drop=True)
    assert got["x"].tolist() == want["x"].tolist()
    assert got["k"].astype(int).tolist() == want["k"].tolist()


def test_directory_of_csv_files(events: pa.Table, tmp_path: Path) -> None:
    folder = tmp_path / "parts"
    folder.mkdir()
    for i, offset in enumerate(range(0, events.num_rows, 80)):
        pacsv.write_csv(events.slice(offset, 80), folder / f"part-{i}.csv")
    assert detect_format(folder) == "csv"
    table = read_table(folder, timestamp_column="ts", start=START, end=END)
    assert table.num_rows == len(_expected(events, ["x"]))
    assert sorted(table.column("x").to_pylist()) == sorted(_expected(events, ["x"])["x"])


def test_explicit_format_overrides_suffix(events: pa.Table, tmp_path: Path) -> None:
    path = tmp_path / "events.data"
    pacsv.write_csv(events, path)
    with pytest.raises(InputError, match=r"cannot tell the format.*give format: one of"):
        read_table(path)
    assert read_table(path, format="csv").num_rows == events.num_rows


def test_tz_aware_parquet_and_aware_bounds(events: pa.Table, tmp_path: Path) -> None:
    aware = events.set_column(
        0,
        "ts",
        events.column("ts")
        .cast(pa.timestamp("us", tz="UTC"))
        .cast(pa.timestamp("ms", tz="America/New_York")),
    )
    pq.write_table(aware, tmp_path / "a.parquet")
    table = read_table(
        tmp_path / "a.parquet",
        columns=["x"],
        timestamp_column="ts",
        start=START.replace(tzinfo=UTC).isoformat(),
        end=END.replace(tzinfo=UTC),
    )
    assert table.column("x").to_pylist() == _expected(events, ["x"])["x"].tolist()


def test_date_column_window(bike_hour_csv: Path) -> None:
    """Real data: the bike-sharing `dteday` column is read as dates; 2012 vs an oracle."""
    table = read_table(
        bike_hour_csv,
        columns=["cnt", "yr"],
        timestamp_column="dteday",
        start=date(2012, 1, 1),
        end="2013-01-01",
    )
    frame = pd.read_csv(bike_hour_csv)
    assert table.num_rows == int((frame["dteday"] >= "2012-01-01").sum())
    assert set(table.column("yr").to_pylist()) == {1}
    mid = read_table(
        bike_hour_csv,
        columns=["dteday"],
        timestamp_column="dteday",
        start="2012-06-01T12:00",
        end="2012-06-03",
    )
    assert set(mid.column("dteday").to_pylist()) == {date(2012, 6, 2)}


def test_string_timestamps_filtered_rowwise(events: pa.Table, tmp_path: Path) -> None:
    """An ISO-string column (here `day`) is parsed; the result keeps only asked columns."""
    pq.write_table(events, tmp_path / "e.parquet")
    table = read_table(
        tmp_path / "e.parquet",
        columns=["x"],
        timestamp_column="day",
        start="2024-03-02",
        end="2024-03-04",
    )
    frame = events.to_pandas()
    want = frame.loc[frame["day"].isin(["2024-03-02", "2024-03-03"]), "x"].tolist()
    assert table.column_names == ["x"]
    assert table.column("x").to_pylist() == want
    batches = list(
        iter_batches(
            tmp_path / "e.parquet",
            columns=["x"],
            timestamp_column="day",
            start="2024-03-02",
            end="2024-03-04",
            batch_rows=10,
        )
    )
    assert sum(b.num_rows for b in batches) == len(want)


def test_unparseable_timestamp_names_value(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("ts,v\n2024-01-01T00:00:00,1\n2024-01-01T00:00:00+01:00,2\nnot-a-date,3\n")
    with pytest.raises(InputError, match=r"'ts' has value 'not-a-date'.*ISO 8601"):
        read_table(path, timestamp_column="ts", start="2024-01-01")


def test_empty_window_returns_empty_table_with_schema(events: pa.Table, tmp_path: Path) -> None:
    pq.write_table(events, tmp_path / "e.parquet")
    for column in ("ts", "day"):  # pushed-down and row-wise paths
        table = read_table(
            tmp_path / "e.parquet",
            columns=["x", "color"],
            timestamp_column=column,
            start="2030-01-01",
            end="2030-01-02",
        )
        assert table.num_rows == 0
        assert table.schema == events.select(["x", "color"]).schema
        assert (
            list(iter_batches(tmp_path / "e.parquet", timestamp_column=column, start="2030-01-01"))
            == []
        )


def test_iter_batches_streams_bounded_batches(events: pa.Table, tmp_path: Path) -> None:
    pq.write_table(events, tmp_path / "e.parquet", row_group_size=100)
    batches = list(iter_batches(tmp_path / "e.parquet", columns=["x"], batch_rows=32))
    assert all(0 < b.num_rows <= 32 for b in batches)
    assert pa.Table.from_batches(batches).column("x").to_pylist() == events.column("x").to_pylist()
    with pytest.raises(InputError, match="batch_rows must be a positive integer"):
        iter_batches(tmp_path / "e.parquet", batch_rows=0)


def test_pushdown_reads_fewer_row_groups(events: pa.Table, tmp_path: Path) -> None:
    """The window becomes a Parquet filter: row groups outside it are not even read."""
    path = tmp_path / "e.parquet"
    pq.write_table(events, path, row_group_size=24)  # one row group per day
    dataset = open_dataset(path)
    fragment = next(iter(dataset.get_fragments()))
    assert fragment.num_row_groups == 10
    expr = window_expression("ts", pa.timestamp("us"), as_utc(START), as_utc(END))
    kept = fragment.subset(filter=expr)
    assert kept.num_row_groups == 3  # 3rd, 4th, 5th of March
    table = read_table(path, timestamp_column="ts", start=START, end=END)
    assert table.num_rows == len(_expected(events, ["x"]))


# ---- bad input --------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match=r"data source not found: .*nope.parquet"):
        read_table(tmp_path / "nope.parquet")


def test_truncated_parquet(events: pa.Table, tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    pq.write_table(events, path)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(DataSourceError, match=r"cannot read .*t.parquet as parquet"):
        read_table(path)


def test_corrupt_file_inside_directory_fails_while_scanning(
    events: pa.Table, tmp_path: Path
) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    pq.write_table(events, folder / "a.parquet")
    (folder / "b.parquet").write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(DataSourceError, match=r"cannot read"):
        read_table(folder)
    with pytest.raises(DataSourceError, match=r"cannot read"):
        list(iter_batches(folder))


def test_wrong_format(events: pa.Table, tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    pacsv.write_csv(events, path)
    with pytest.raises(DataSourceError, match=r"as parquet.*give format: one of"):
        read_table(path, format="parquet")


def test_empty_file_and_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(DataSourceError, match=r"empty \(0 bytes\)"):
        read_table(tmp_path / "empty.csv")
    (tmp_path / "nothing").mkdir()
    with pytest.raises(DataSourceError, match="no data files in directory"):
        read_table(tmp_path / "nothing")


def test_header_only_csv_is_empty_table(tmp_path: Path) -> None:
    (tmp_path / "h.csv").write_text("a,b\n")
    table = read_table(tmp_path / "h.csv")
    assert table.num_rows == 0
    assert table.column_names == ["a", "b"]


def test_missing_column_lists_available(events: pa.Table, tmp_path: Path) -> None:
    pq.write_table(events, tmp_path / "e.parquet")
    with pytest.raises(InputError, match=r"'nope' not in data; columns: ts, x, k, color") as info:
        read_table(tmp_path / "e.parquet", columns=["x", "nope"])
    assert info.value.param == "columns"
    with pytest.raises(InputError, match="list of names"):
        read_table(tmp_path / "e.parquet", columns="x")


def test_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(
        UnknownNameError, match=r"unknown format 'xlsx'; valid: csv, jsonl, parquet"
    ):
        read_table(tmp_path / "e.parquet", format="xlsx")


def test_timestamp_column_errors(events: pa.Table, tmp_path: Path) -> None:
    path = tmp_path / "e.parquet"
    pq.write_table(events, path)
    with pytest.raises(
        InputError, match=r"timestamp_column='when' is not in the data; columns: ts"
    ):
        read_table(path, timestamp_column="when", start=START)
    with pytest.raises(InputError, match=r"'x' has type double; expected a timestamp"):
        iter_batches(path, timestamp_column="x", start=START)
    with pytest.raises(InputError, match="a time window needs timestamp_column"):
        read_table(path, start=START)
    with pytest.raises(InputError, match="is after its end"):
        read_table(path, timestamp_column="ts", start=END, end=START)
    with pytest.raises(InputError, match=r"start 'soon' is not a timestamp"):
        read_table(path, timestamp_column="ts", start="soon")
