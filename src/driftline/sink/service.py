"""The durable sink pipeline: events -> write-ahead log (group commit) -> pairing ->
Parquet batches by row count and age -> checkpoint -> publish to the output URI."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from driftline import storage
from driftline.errors import OutputError
from driftline.inference_log.events import LoggedEvent
from driftline.inference_log.pairing import Pairer
from driftline.inference_log.payload import FeatureSchema, Row, flatten
from driftline.sink.columns import ColumnTypes
from driftline.sink.metrics import SinkMetrics
from driftline.sink.wal import WriteAheadLog
from driftline.sink.writer import publish

log = logging.getLogger("driftline.sink")


@dataclass(frozen=True)
class SinkConfig:
    """Where to write and when to cut a batch."""

    out: str
    state_dir: str
    schema: FeatureSchema = field(default_factory=FeatureSchema)
    batch_rows: int = 10_000
    batch_age_s: float = 60.0
    pair_timeout_s: float = 30.0
    tick_s: float = 0.25
    fsync: bool = True


def check_output(out: str) -> None:
    """A local `out` must be a folder (or not exist yet); object-store URIs are checked by
    their first publish, which is retried."""
    if not storage.is_local(out):
        return
    path = Path(out.removeprefix("file://"))
    if path.exists() and not path.is_dir():
        raise OutputError(
            f"`out={out}` is a file; give a folder (or an object-store URI) for the windows",
            param="out",
        )


class Sink:
    """Accepts parsed events; `submit` returns once the event is durable."""

    def __init__(self, config: SinkConfig, metrics: SinkMetrics | None = None) -> None:
        check_output(config.out)
        self.config = config
        self.metrics = metrics or SinkMetrics()
        self.wal = WriteAheadLog(config.state_dir, fsync=config.fsync)
        self.columns = ColumnTypes(config.state_dir)
        self.pairer = Pairer(config.pair_timeout_s)
        self.ready = False
        self.wal_error: str | None = None  # the last failed log write, until one succeeds
        self._queue: list[tuple[bytes, LoggedEvent, list[Row], asyncio.Future[bool]]] = []
        self._wake = asyncio.Event()
        self._flush_now = asyncio.Event()
        self._lock = asyncio.Lock()
        self._flush_lock = asyncio.Lock()
        self._ready_since: float | None = None
        self._unpublished: list[int] = []
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Recover the state directory, publish committed batches, replay pending events."""
        found = await asyncio.to_thread(self.wal.recover)
        now = time.monotonic()
        for event in found.events:
            self.pairer.add(event, flatten(event.body, event.kind, self.config.schema), now)
        if self.pairer.ready:
            self._ready_since = now
        self._unpublished = found.outboxes
        await asyncio.to_thread(self._publish_backlog)
        self.metrics.pending.set(len(self.pairer.pending))
        self._tasks = [asyncio.create_task(self._commit_loop()), asyncio.create_task(self._tick())]
        self.ready = True
        log.info("sink ready: %d events replayed, %d torn", len(found.events), found.torn_records)

    def healthy(self) -> bool:
        """Ready and able to log: after a failed log write, a probe write must succeed
        first (readiness takes a replica with a failing disk out of its Service)."""
        if not self.ready:
            return False
        if self.wal_error is not None:
            try:
                self.wal.probe()
            except OSError as exc:
                self.wal_error = str(exc)
                return False
            self.wal_error = None
        return True

    async def submit(self, event: LoggedEvent, rows: list[Row]) -> None:
        """Queue `event` (with its flattened rows) and wait until it is in the log."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queue.append((self.wal.encode(event), event, rows, future))
        self._wake.set()
        await future

    async def _commit_loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            batch, self._queue = self._queue, []
            if not batch:
                continue
            async with self._lock:
                started = time.perf_counter()
                try:
                    await asyncio.to_thread(self.wal.append, [line for line, *_ in batch])
                except (OSError, ValueError) as exc:
                    self.wal_error = str(exc)
                    with contextlib.suppress(OSError):  # no record after a torn one
                        await asyncio.to_thread(self.wal.rotate)
                    failure = exc if isinstance(exc, OSError) else OSError(str(exc))
                    for *_, future in batch:
                        future.set_exception(failure)
                    continue
                self.wal_error = None
                self.metrics.wal_seconds.observe(time.perf_counter() - started)
                now = time.monotonic()
                kinds = {"request": 0, "response": 0}
                for _, event, rows, future in batch:
                    self.pairer.add(event, rows, now)
                    kinds[event.kind] += 1
                    future.set_result(True)
                for kind, count in kinds.items():
                    self.metrics.received.labels(kind).inc(count)
                if self.pairer.ready and self._ready_since is None:
                    self._ready_since = now
                if len(self.pairer.ready) >= self.config.batch_rows:
                    self._flush_now.set()
                self.metrics.pending.set(len(self.pairer.pending))

    async def _tick(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._flush_now.wait(), self.config.tick_s)
            self._flush_now.clear()
            try:
                if self._unpublished:
                    async with self._flush_lock:
                        await asyncio.to_thread(self._publish_backlog)
                await self.flush(force=False)
            except Exception:  # keep serving; the batch stays in the log and is retried
                log.exception("flush failed; will retry")

    async def flush(self, *, force: bool) -> int:
        """Commit and publish the finished rows when the batch is full, old, or `force`."""
        async with self._flush_lock:
            async with self._lock:  # a consistent cut: nothing is being logged meanwhile
                now = time.monotonic()
                if self.pairer.expire(now):
                    self._ready_since = self._ready_since or now
                    self.metrics.pending.set(len(self.pairer.pending))
                age = now - self._ready_since if self._ready_since is not None else 0.0
                full = len(self.pairer.ready) >= self.config.batch_rows
                if not self.pairer.ready or not (full or force or age >= self.config.batch_age_s):
                    return 0
                started = time.perf_counter()
                rows, events = self.pairer.take_ready()
                self._ready_since = None
                carry = self.pairer.pending_events()
                live_from = self.wal.rotate()
                self.metrics.pending.set(len(self.pairer.pending))
            try:
                flush, _ = await asyncio.to_thread(
                    self.wal.commit_flush, rows, carry, live_from, self.columns.arrow_types()
                )
            except BaseException:
                self.pairer.ready[:0] = rows  # still in the log; the next flush retries them
                self.pairer.ready_events += events
                self._ready_since = self._ready_since or time.monotonic()
                raise
            self._unpublished.append(flush)
            await asyncio.to_thread(self._publish_backlog)
        self.metrics.flush_seconds.observe(time.perf_counter() - started)
        self.metrics.written.inc(events)
        self.metrics.rows.inc(len(rows))
        return len(rows)

    def _publish_backlog(self) -> None:
        while self._unpublished:
            flush = self._unpublished[0]
            try:
                publish(self.wal.outbox(flush), self.wal.staged_files(flush), self.config.out)
            except Exception:  # any store error: keep the staged batch and retry on the next tick
                self.metrics.publish_failures.inc()
                log.exception(
                    "publishing batch %d to %s failed; will retry", flush, self.config.out
                )
                return
            self.wal.published(flush)
            self._unpublished.pop(0)

    async def stop(self) -> None:
        """Write finished rows, stop the loops; waiting pairs stay in the log for next start."""
        self.ready = False
        if self._tasks:
            await self.flush(force=True)
        for task in self._tasks:
            task.cancel()
        self.wal.close()
