"""Pair each logged request with its response by CloudEvent id.

A pair becomes rows: one per instance, the request's feature columns next to the
response's output columns, plus the metadata columns in `META_COLUMNS`. A side that
never arrives within the timeout is written with its columns empty. Sides written apart
(by different sink replicas, or after a timeout) are joined when read: `pair_halves`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc

from driftline.inference_log.events import LoggedEvent
from driftline.inference_log.payload import Row

META_COLUMNS = (
    "event_id",
    "row",
    "model_name",
    "namespace",
    "component",
    "endpoint",
    "timestamp",
    "request_time",
    "response_time",
)
_META = frozenset(META_COLUMNS)


@dataclass
class Pending:
    """The side(s) of one call seen so far."""

    first_seen: float
    request: LoggedEvent | None = None
    response: LoggedEvent | None = None
    request_rows: list[Row] = field(default_factory=list)
    response_rows: list[Row] = field(default_factory=list)

    def events(self) -> list[LoggedEvent]:
        return [e for e in (self.request, self.response) if e is not None]


def pair_rows(pair: Pending) -> list[Row]:
    """The output rows of a (possibly one-sided) pair."""
    base = pair.request or pair.response
    assert base is not None
    req_time = pair.request.time_us if pair.request else None
    resp_time = pair.response.time_us if pair.response else None
    meta = {
        "event_id": base.id,
        "model_name": base.model,
        "namespace": base.namespace,
        "component": base.component,
        "endpoint": base.endpoint,
        "timestamp": req_time if req_time is not None else resp_time,
        "request_time": req_time,
        "response_time": resp_time,
    }
    inputs, outputs = pair.request_rows, pair.response_rows
    rows: list[Row] = []
    for i in range(max(len(inputs), len(outputs))):
        row: Row = {}
        for name, value in (inputs[i] if i < len(inputs) else {}).items():
            row[f"payload_{name}" if name in _META else name] = value
        for name, value in (outputs[i] if i < len(outputs) else {}).items():
            clash = name in _META or name in row
            row[f"output_{name}" if clash else name] = value
        row.update(meta, row=i)
        rows.append(row)
    return rows


class Pairer:
    """Joins requests and responses; finished rows wait in `ready` until taken."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self.pending: dict[str, Pending] = {}
        self.ready: list[Row] = []
        self.ready_events = 0

    def add(self, event: LoggedEvent, rows: list[Row], now: float) -> bool:
        """Record one event; False when the same side of the same id is already waiting."""
        pair = self.pending.get(event.id)
        if pair is None:
            pair = self.pending[event.id] = Pending(first_seen=now)
        if getattr(pair, event.kind) is not None:
            return False
        setattr(pair, event.kind, event)
        setattr(pair, f"{event.kind}_rows", rows)
        if pair.request is not None and pair.response is not None:
            del self.pending[event.id]
            self._finish(pair)
        return True

    def _finish(self, pair: Pending) -> None:
        self.ready.extend(pair_rows(pair))
        self.ready_events += len(pair.events())

    def expire(self, now: float) -> int:
        """Move pairs older than the timeout to `ready`; returns how many."""
        old = [k for k, p in self.pending.items() if now - p.first_seen >= self.timeout_s]
        for key in old:
            self._finish(self.pending.pop(key))
        return len(old)

    def take_ready(self) -> tuple[list[Row], int]:
        """The finished rows and the number of events they hold; clears them."""
        rows, events = self.ready, self.ready_events
        self.ready, self.ready_events = [], 0
        return rows, events

    def pending_events(self) -> list[LoggedEvent]:
        """Every event still waiting for its other side, oldest pair first."""
        return [e for p in self.pending.values() for e in p.events()]


@dataclass(frozen=True)
class HalfPairing:
    """What `pair_halves` did: calls joined at read time and halves left alone."""

    joined: int  # calls whose request and response were written apart, now one row each
    unpaired_requests: int  # calls with a request and no response (yet)
    unpaired_responses: int  # calls with a response and no request

    def summary(self) -> str:
        """One line for a step's log."""
        return (
            f"inference log: {self.joined} calls paired at read time, "
            f"{self.unpaired_requests} requests without response, "
            f"{self.unpaired_responses} responses without request"
        )

    def metadata(self) -> dict[str, int]:
        """Counts for an artifact's metadata or a report."""
        return {
            "calls_paired_at_read": self.joined,
            "unpaired_requests": self.unpaired_requests,
            "unpaired_responses": self.unpaired_responses,
        }


_KEYS = ["model_name", "event_id", "row"]
_SHARED = ("namespace", "component", "endpoint")


def _calls(table: pa.Table) -> int:
    return 0 if not table.num_rows else pc.count_distinct(table.column("event_id")).as_py()


def _side(table: pa.Table, mask: pa.ChunkedArray, own: tuple[str, ...]) -> pa.Table:
    """The rows of one side, with the keys, `own` metadata and the payload columns it fills."""
    half = table.filter(mask)
    payload = [
        c
        for c in table.column_names
        if c not in _META and c not in PARTITION_COLUMNS and half.column(c).null_count < len(half)
    ]
    return half.select([*_KEYS, *own, *payload])


def pair_halves(
    table: pa.Table, window: tuple[datetime, datetime] | None = None
) -> tuple[pa.Table, HalfPairing]:
    """Join the request-only and response-only rows of the same call into one row each.

    Sinks behind one Service write each side where it arrives, so the two halves of a call can
    sit in different files (a replica writes a side alone after its pair timeout). Rows are
    matched on (model_name, event_id, row); a payload column both sides fill keeps the
    request's value and gets the response's as `output_<name>`, as in `pair_rows`. Halves
    without a partner stay as they are (their other side's columns null) and are counted.
    With `window` ([start, end)), only calls whose timestamp falls in it are kept and counted.
    """
    if not table.num_rows:
        return table, HalfPairing(0, 0, 0)
    table = table.combine_chunks()
    has_request = pc.is_valid(table.column("request_time"))
    has_response = pc.is_valid(table.column("response_time"))
    whole = table.filter(pc.and_(has_request, has_response))
    requests = _side(table, pc.invert(has_response), ("request_time", *_SHARED))
    responses = _side(table, pc.invert(has_request), ("response_time", *_SHARED))
    if not requests.num_rows or not responses.num_rows:
        table = within(table, window)
        times = (table.column("request_time"), table.column("response_time"))
        counts = HalfPairing(
            0,
            _calls(table.filter(pc.is_null(times[1]))),
            _calls(table.filter(pc.is_null(times[0]))),
        )
        return table, counts
    joined = requests.join(
        responses, _KEYS, join_type="full outer", left_suffix="", right_suffix=" (response)"
    )
    columns: dict[str, pa.ChunkedArray] = {}
    from_request = pc.is_valid(joined.column("request_time"))
    for name in joined.column_names:
        if name.endswith(" (response)"):
            continue
        values = joined.column(name)
        other = f"{name} (response)"
        if other not in joined.column_names:
            columns[name] = values
        elif name in _SHARED:
            columns[name] = pc.coalesce(values, joined.column(other))
        else:  # a payload name on both sides: the response's is its output
            columns[name] = pc.if_else(from_request, values, joined.column(other))
            nulls = pa.nulls(len(joined), joined.column(other).type)
            columns[f"output_{name}"] = pc.if_else(from_request, joined.column(other), nulls)
    for name in joined.column_names:
        if name.endswith(" (response)") and name.removesuffix(" (response)") not in columns:
            columns[name.removesuffix(" (response)")] = joined.column(name)
    columns["timestamp"] = pc.coalesce(columns["request_time"], columns["response_time"])
    if all(c in table.column_names for c in PARTITION_COLUMNS):
        for name, values in partition_columns(columns["model_name"], columns["timestamp"]).items():
            columns[name] = values.cast(table.schema.field(name).type)
    rejoined = pa.table(columns)
    order = [c for c in table.column_names if c in columns]
    rejoined = rejoined.select(order + [c for c in rejoined.column_names if c not in order])
    rejoined = within(rejoined, window).sort_by(
        [("timestamp", "ascending"), ("event_id", "ascending"), ("row", "ascending")]
    )
    times = (rejoined.column("request_time"), rejoined.column("response_time"))
    counts = HalfPairing(
        joined=_calls(rejoined.filter(pc.and_(pc.is_valid(times[0]), pc.is_valid(times[1])))),
        unpaired_requests=_calls(rejoined.filter(pc.is_null(times[1]))),
        unpaired_responses=_calls(rejoined.filter(pc.is_null(times[0]))),
    )
    whole = within(whole, window)
    return pa.concat_tables([whole, rejoined], promote_options="permissive"), counts


def is_whole(table: pa.Table) -> pa.ChunkedArray:
    """True for rows that hold both sides of their call (the sink paired them)."""
    return pc.and_(
        pc.is_valid(table.column("request_time")), pc.is_valid(table.column("response_time"))
    )


def split_halves(halves: pa.Table) -> tuple[pa.Table, pa.Table]:
    """(the halves whose other side is among `halves`, the halves without it), rows as given.

    Pairing the first with `pair_halves` joins every one of them; the second are what a
    bigger read (another partition, a later bucket) may still pair.
    """
    if not halves.num_rows:
        return halves, halves
    has_request = pc.is_valid(halves.column("request_time"))
    requests, responses = halves.filter(has_request), halves.filter(pc.invert(has_request))
    keys = (requests.select(_KEYS), responses.select(_KEYS))
    paired = [
        requests.join(keys[1], _KEYS, join_type="left semi"),
        responses.join(keys[0], _KEYS, join_type="left semi"),
    ]
    alone = [
        requests.join(keys[1], _KEYS, join_type="left anti"),
        responses.join(keys[0], _KEYS, join_type="left anti"),
    ]
    return pa.concat_tables(paired), pa.concat_tables(alone)


def unpaired_counts(halves: pa.Table) -> tuple[int, int]:
    """(calls with a request and no response, calls with a response and no request) in `halves`."""
    if not halves.num_rows:
        return 0, 0
    has_request = pc.is_valid(halves.column("request_time"))
    return _calls(halves.filter(has_request)), _calls(halves.filter(pc.invert(has_request)))


def within(table: pa.Table, window: tuple[datetime, datetime] | None) -> pa.Table:
    """The rows of calls whose `timestamp` is in [start, end) (all rows for no window)."""
    if window is None:
        return table
    stamp = table.column("timestamp")
    return table.filter(
        pc.and_(
            pc.greater_equal(stamp, pa.scalar(window[0], stamp.type)),
            pc.less(stamp, pa.scalar(window[1], stamp.type)),
        )
    )


PARTITION_COLUMNS = ("model", "date", "hour")


def partition_columns(
    model: pa.ChunkedArray | pa.Array, timestamp: pa.ChunkedArray | pa.Array
) -> dict[str, pa.Array]:
    """The `model`, `date`, `hour` columns Hive partitioning gives each row of the layout
    (`timestamp` in UTC)."""
    utc = timestamp.cast(pa.timestamp("us", tz="UTC"))
    return {
        "model": model.cast(pa.string()),
        "date": pc.strftime(utc, format="%Y-%m-%d"),
        "hour": pc.hour(utc).cast(pa.int32()),
    }
