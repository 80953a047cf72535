"""Sink output as replicas behind one Service write it: each event reaches a random replica,
each replica pairs what it receives in a flush (the sink's own `Pairer` and `write_batch`)
and writes the other sides alone. Calls straddle hour folders, some responses come minutes
late (past `RESPONSE_MARGIN`), and a few sides never arrive."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from driftline.inference_log.events import LoggedEvent
from driftline.inference_log.pairing import Pairer
from driftline.inference_log.payload import FeatureSchema, flatten
from driftline.sink.writer import write_batch

START = datetime(2026, 3, 1, 7, 40, tzinfo=UTC)
FEATURES = FeatureSchema(features=("x", "count", "category", "id"))


def _events(
    calls: int, seconds: float, rng: np.random.Generator, lost: tuple[float, float, float]
) -> Iterator[LoggedEvent]:
    """Events in arrival order: `calls` calls spread over `seconds` from START; `lost` is the
    share of requests never logged, of responses never logged, and of late responses."""
    events: list[tuple[float, LoggedEvent]] = []
    at = np.sort(rng.uniform(0, seconds, calls))
    for i, moment in enumerate(at):
        rows = int(rng.integers(1, 4))
        x = [round(float(v), 3) for v in rng.normal(0, 1, rows)]
        category = [f"c{int(c)}" for c in rng.zipf(1.6, rows) % 30]
        body = json.dumps(
            {
                "instances": [
                    [x[r], int(rng.poisson(3)), category[r], f"id-{i:07d}-{r}"] for r in range(rows)
                ]
            }
        )
        latency = float(
            rng.choice([rng.uniform(0.01, 2.0), rng.uniform(360, 420)], p=[1 - lost[2], lost[2]])
        )
        response = json.dumps({"predictions": [round(float(v), 4) for v in rng.random(rows)]})
        start = (START + timedelta(seconds=float(moment))).timestamp()
        kept = rng.random()
        if kept >= lost[0]:  # some requests never logged
            events.append((start, _event("request", f"call-{i:07d}", start, body)))
        if kept < 1 - lost[1]:  # some responses never logged
            end = start + latency
            events.append((end, _event("response", f"call-{i:07d}", end, response)))
    for _, event in sorted(events, key=lambda e: e[0]):
        yield event


def _event(kind: str, call: str, at: float, body: str) -> LoggedEvent:
    return LoggedEvent(call, kind, "iris", "ns", "predictor", "", int(at * 1e6), body)


def write_split_sink_output(
    out: Path,
    *,
    calls: int = 3000,
    seconds: float = 3 * 3600,
    replicas: int = 3,
    flush_events: int = 60,
    seed: int = 11,
    lost: tuple[float, float, float] = (0.01, 0.02, 0.03),
) -> Path:
    """Write the sink output of `calls` calls under `out` (Hive folders); returns `out`."""
    rng = np.random.default_rng(seed)
    received: list[list[LoggedEvent]] = [[] for _ in range(replicas)]
    flushes = [0] * replicas

    def flush(replica: int) -> None:
        pairer = Pairer(timeout_s=0)
        for event in received[replica]:
            pairer.add(event, flatten(event.body, event.kind, FEATURES), now=0)
        pairer.expire(now=0)
        rows = pairer.take_ready()[0]
        name = f"part-r{replica}-{flushes[replica]:08d}.parquet"
        write_batch(out, rows, name)
        flushes[replica] += 1
        received[replica] = []

    for event in _events(calls, seconds, rng, lost):
        replica = int(rng.integers(replicas))
        received[replica].append(event)
        if len(received[replica]) >= flush_events:
            flush(replica)
    for replica in range(replicas):
        if received[replica]:
            flush(replica)
    return out
