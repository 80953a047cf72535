"""Pair each logged request with its response by CloudEvent id, with a timeout.

A pair becomes rows: one per instance, the request's feature columns next to the
response's output columns, plus the metadata columns in `META_COLUMNS`. A side that
never arrives within the timeout is written with its columns empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
