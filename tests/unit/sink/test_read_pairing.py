"""Sides of a call written apart (by different replicas) pair when the window is read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyarrow.parquet as pq

from driftline.inference_log.events import LoggedEvent
from driftline.inference_log.pairing import Pairer, pair_halves
from driftline.inference_log.payload import FeatureSchema, flatten
from driftline.inference_log.table import rows_to_table
from driftline.io.export import export_window
from driftline.io.log_window import read_log_window
from driftline.sink.writer import write_batch

IRIS = FeatureSchema(features=("sepal_length", "sepal_width", "petal_length", "petal_width"))
T0 = datetime(2024, 5, 6, 7, 59, 58, tzinfo=UTC)
REQUEST = '{"instances": [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]}'


def _event(kind: str, call: str, at: datetime, body: str) -> LoggedEvent:
    return LoggedEvent(call, kind, "iris", "ns", "predictor", "", int(at.timestamp() * 1e6), body)


def _rows(events: list[LoggedEvent]) -> list[dict]:
    """What one replica writes for `events` when their partners never reach it."""
    pairer = Pairer(timeout_s=0)
    for event in events:
        pairer.add(event, flatten(event.body, event.kind, IRIS), now=0)
    pairer.expire(now=0)
    return pairer.take_ready()[0]


def _calls(n: int) -> list[tuple[LoggedEvent, LoggedEvent]]:
    calls = []
    for i in range(n):
        at = T0 + timedelta(seconds=i * 0.5)
        response = f'{{"predictions": [{i}, {i + 1}]}}'
        calls.append(
            (_event("request", f"c{i}", at, REQUEST),
             _event("response", f"c{i}", at + timedelta(seconds=1.5), response))
        )  # fmt: skip
    return calls


def _together(calls) -> list[dict]:
    """The rows one sink writes when it sees both sides: the oracle."""
    pairer = Pairer(timeout_s=30)
    for request, response in calls:
        for event in (request, response):
            pairer.add(event, flatten(event.body, event.kind, IRIS), now=0)
    return pairer.take_ready()[0]


def _write_apart(tmp_path, calls) -> str:
    """Round-robin over three replicas: each side of a call lands on the next replica."""
    out = tmp_path / "out"
    replicas: list[list[LoggedEvent]] = [[], [], []]
    events = [e for call in calls for e in call]
    for i, event in enumerate(events):
        replicas[i % 3].append(event)
    for number, received in enumerate(replicas):
        staged = tmp_path / f"stage-{number}"
        for rel in write_batch(staged, _rows(received), f"part-r{number}-00000001.parquet"):
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            (staged / rel).rename(out / rel)
    return str(out)


def test_sides_on_different_replicas_read_back_as_the_rows_of_one_sink(tmp_path):
    calls = _calls(9)  # 07:59:58 .. 08:00:03: halves straddle an hour partition
    out = _write_apart(tmp_path, calls)
    window = read_log_window(out, T0 - timedelta(hours=1), T0 + timedelta(hours=1))
    expected = rows_to_table(_together(calls)).to_pylist()
    got = window.table.drop_columns(["model", "date", "hour"]).to_pylist()
    key = lambda row: (row["event_id"], row["row"])  # noqa: E731
    assert sorted(got, key=key) == sorted(expected, key=key)
    assert window.pairing.joined == 9  # round robin over 3: the sides of a call always split
    assert window.pairing.unpaired_requests == window.pairing.unpaired_responses == 0


def test_an_unpaired_half_is_reported_not_lost(tmp_path):
    calls = _calls(4)
    lonely_request, lonely_response = calls[1][0], calls[2][1]
    rows = _rows([calls[0][0], lonely_request, calls[3][0]]) + _rows([calls[0][1], calls[3][1]])
    rows += _rows([lonely_response])
    (tmp_path / "out").mkdir()
    pq.write_table(rows_to_table(rows), tmp_path / "out" / "part.parquet")
    window = read_log_window(str(tmp_path / "out"), T0, T0 + timedelta(hours=1))
    assert window.pairing.metadata() == {
        "calls_paired_at_read": 2, "unpaired_requests": 1, "unpaired_responses": 1
    }  # fmt: skip
    by_call = {}
    for row in window.table.to_pylist():
        by_call.setdefault(row["event_id"], []).append(row)
    assert sorted(by_call) == ["c0", "c1", "c2", "c3"]
    assert all(r["prediction"] is None for r in by_call["c1"])
    assert all(r["sepal_length"] is None for r in by_call["c2"])
    assert [r["prediction"] for r in by_call["c3"]] == [3.0, 4.0]


def test_a_response_after_the_window_end_still_pairs_inside_it(tmp_path):
    calls = _calls(1)
    request, response = calls[0]
    out = tmp_path / "out"
    for number, event in enumerate((request, response)):
        write_batch(out, _rows([event]), f"part-r{number}.parquet")
    end = T0 + timedelta(seconds=1)  # the response came 0.5 s after the end
    window = read_log_window(str(out), T0 - timedelta(hours=1), end)
    assert window.table.column("prediction").to_pylist() == [0.0, 1.0]
    assert window.pairing.joined == 1
    later = read_log_window(str(out), end, end + timedelta(hours=1))
    assert later.table.num_rows == 0  # the response belongs to its request's window


def test_a_payload_name_on_both_sides_keeps_the_sink_s_output_prefix(tmp_path):
    request = _event("request", "x1", T0, '{"inputs": [{"name": "x", "shape": [1], '
                     '"datatype": "FP64", "data": [1.5]}]}')  # fmt: skip
    response = _event("response", "x1", T0, '{"outputs": [{"name": "x", "shape": [1], '
                      '"datatype": "FP64", "data": [9.0]}]}')  # fmt: skip
    table = rows_to_table(_rows([request]) + _rows([response]))
    paired, counts = pair_halves(table)
    assert counts.joined == 1
    assert paired.select(["x", "output_x"]).to_pylist() == [{"x": 1.5, "output_x": 9.0}]
    assert paired.select(["x", "output_x"]).to_pylist() == (
        rows_to_table(_together([(request, response)])).select(["x", "output_x"]).to_pylist()
    )


def test_load_window_pairs_the_sink_s_output(tmp_path):
    out = _write_apart(tmp_path, _calls(9))
    summary = export_window(
        out, tmp_path / "window.parquet", timestamp_column="timestamp",
        window_end=T0 + timedelta(hours=1), window_length="2h",
    )  # fmt: skip
    window = pq.read_table(tmp_path / "window.parquet")
    assert summary.rows == 18 == window.num_rows
    assert window.filter(window.column("prediction").is_null()).num_rows == 0
    assert summary.details["unpaired_requests"] == summary.details["unpaired_responses"] == 0
    assert summary.details["calls_paired_at_read"] > 0


def test_a_window_with_sides_written_apart_splits_into_partitions_that_pair_them(tmp_path):
    """Fanned out, each partition pairs the sides it holds and leaves the others over for the
    merge step (tests/unit/sink/test_paired_fan_out.py); a window of whole calls splits as
    any Parquet source does."""
    from driftline.io.partitions import plan_partitions

    window = {"start": T0 - timedelta(hours=1), "end": T0 + timedelta(hours=1)}
    apart = _write_apart(tmp_path / "apart", _calls(9))
    plan = plan_partitions(apart, target_rows=4, timestamp_column="timestamp", **window)
    assert len(plan.partitions) >= 2 and not plan.reason
    assert all(p.pairs_sides for p in plan.partitions)
    whole = tmp_path / "whole"
    for number, (request, response) in enumerate(_calls(9)):
        write_batch(whole, _together([(request, response)]), f"part-{number}.parquet")
    plan = plan_partitions(str(whole), target_rows=4, timestamp_column="timestamp", **window)
    assert len(plan.partitions) >= 2 and not plan.reason
    assert not any(p.pairs_sides for p in plan.partitions)
