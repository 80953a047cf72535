"""The spill that pairs sink halves in bounded memory: a bucket given back never holds more
than `bucket_rows` halves, whatever the estimate its count came from; what waits in memory
is capped the same way, no file stays open between additions, and the window read through
it from the real sink's output equals the whole-window read."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from driftline.errors import InputError
from driftline.inference_log.spill import HalfSpill, bucket_count, call_buckets
from driftline.io import log_stream
from driftline.io.log_window import paired_log_window, read_log_window
from tests.split_sink import START, write_split_sink_output

WINDOW = (START + timedelta(minutes=35), START + timedelta(hours=2, minutes=20))


def _halves(calls: int, rows_per_call: int = 2) -> pa.Table:
    ids = [f"call-{i:05d}" for i in range(calls) for _ in range(rows_per_call)]
    return pa.table({"event_id": ids, "n": list(range(len(ids)))})


def _open_in(folder: str) -> list[str]:
    """The files under `folder` this process holds open."""
    targets = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            targets.append(os.readlink(f"/proc/self/fd/{fd}"))
        except FileNotFoundError:  # the descriptor that listed the folder, closed since
            continue
    return [t for t in targets if t.startswith(folder)]


def _drained(spill: HalfSpill) -> list[pa.Table]:
    return [b for b in spill.drain() if b.num_rows]


@pytest.mark.parametrize("hint", [1, 3, 40])  # too few buckets, about right, too many
def test_no_bucket_holds_more_than_bucket_rows(hint: int) -> None:
    table = _halves(500)  # 1,000 halves, 2 per call
    with HalfSpill(table.schema, buckets=hint, bucket_rows=60) as spill:
        for start in range(0, table.num_rows, 37):
            spill.add(table.slice(start, 37))
            assert spill.waiting_rows <= 60  # in memory: at most one bucket's worth
        buckets = _drained(spill)
    assert max(b.num_rows for b in buckets) <= 60
    assert sorted(n for b in buckets for n in b.column("n").to_pylist()) == list(range(1000))
    ids = [set(b.column("event_id").to_pylist()) for b in buckets]
    assert sum(len(i) for i in ids) == len(set().union(*ids)) == 500  # a call in one bucket


def test_a_call_bigger_than_a_bucket_comes_back_whole() -> None:
    big = pa.table({"event_id": ["one-call"] * 150, "n": list(range(150))})
    table = pa.concat_tables([big, _halves(100).set_column(1, "n", pa.array(range(150, 350)))])
    with HalfSpill(table.schema, buckets=2, bucket_rows=50) as spill:
        spill.add(table)
        buckets = _drained(spill)
    alone = [b for b in buckets if "one-call" in b.column("event_id").to_pylist()]
    assert len(alone) == 1 and alone[0].num_rows >= 150  # cannot split: one call, whole
    assert max(b.num_rows for b in buckets if b is not alone[0]) <= 50
    assert sorted(n for b in buckets for n in b.column("n").to_pylist()) == list(range(350))


def _batches_in(path: Path) -> int:
    with pa.OSFile(str(path)) as source:
        count = 0
        while source.tell() < path.stat().st_size:
            count += sum(1 for _ in pa.ipc.open_stream(source))
        return count


def test_no_bucket_file_stays_open_and_nothing_is_left_behind() -> None:
    table = _halves(400)
    spill = HalfSpill(table.schema, buckets=8, bucket_rows=50)
    for start in range(0, table.num_rows, 30):
        spill.add(table.slice(start, 30))
        if spill.folder is not None:
            assert _open_in(str(spill.folder)) == []
    folder = spill.folder
    assert folder is not None and sum(spill.sizes.values()) + spill.waiting_rows == 800
    files = sorted(folder.iterdir())
    assert len(files) == 8
    # one batch per bucket each time the waiting halves (more than 50) were written
    assert max(_batches_in(f) for f in files) <= 800 // 50
    assert next(spill.drain()).num_rows <= 50
    spill.close()
    assert not folder.exists()


def test_few_halves_stay_in_memory() -> None:
    table = _halves(20)
    with HalfSpill(table.schema, buckets=5, bucket_rows=100) as spill:
        spill.add(table)
        assert spill.folder is None
        assert [b.num_rows for b in spill.drain()] == [40]


def test_a_split_bucket_uses_another_hash() -> None:
    ids = pa.array([f"call-{i}" for i in range(2000)])
    first = call_buckets(ids, 4)
    again = call_buckets(ids.filter(pa.array(first == 0)), 4, salt=1)
    assert sorted(set(again.tolist())) == [0, 1, 2, 3]  # one bucket spreads over all four
    assert (call_buckets(ids, 4, salt=0) == first).all()


def test_bucket_counts_leave_room_for_an_uneven_spread() -> None:
    assert bucket_count(0, 100) == bucket_count(100, 100) == 1
    assert bucket_count(101, 100) == 2
    assert bucket_count(4_000_000, 200_000) == 25
    with pytest.raises(InputError, match="bucket_rows"):
        HalfSpill(pa.schema([("event_id", pa.string())]), bucket_rows=0)


@pytest.fixture(scope="module")
def sink(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_split_sink_output(tmp_path_factory.mktemp("sink") / "out")


def test_a_window_whose_halves_were_underestimated_equals_the_whole_read(
    sink: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Footers that promise no halves (one bucket) and small buckets: the spill splits its
    buckets again until each is small enough, and the rows are those of the whole read."""
    monkeypatch.setattr(log_stream, "halves_in", lambda fragments, when: 0)
    split = []
    original = HalfSpill._split

    def counted(self: HalfSpill, bucket: int, size: int):  # type: ignore[no-untyped-def]
        split.append(size)
        return original(self, bucket, size)

    monkeypatch.setattr(HalfSpill, "_split", counted)
    oracle = read_log_window(str(sink), *WINDOW)
    with paired_log_window(str(sink), *WINDOW, bucket_rows=80) as window:
        batches = list(window.batches(batch_rows=100))
    got = pa.Table.from_batches(batches, schema=window.schema)
    assert split and max(b.num_rows for b in batches) <= 100
    assert window.pairing == oracle.pairing and window.pairing.joined > 500
    assert got.column_names == oracle.table.column_names
    key = ("event_id", "row")
    rows = sorted(got.cast(oracle.table.schema).to_pylist(), key=lambda r: tuple(r[k] for k in key))
    expected = sorted(oracle.table.to_pylist(), key=lambda r: tuple(r[k] for k in key))
    assert rows == expected
