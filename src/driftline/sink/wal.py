"""Write-ahead log and flush checkpoints: the sink's durable state in one local directory.

Layout of the state directory:
- `wal-<n>.jsonl`  append-only segments, one event record per line (fsynced before ack);
- `carry-<k>.jsonl` events still waiting for their other side when flush k was taken;
- `outbox/<k>/`    Parquet files of flush k, staged before they are published;
- `checkpoint.json` `{"flush": k, "live_from": n, "carry": name}`: the commit point.

Flush k stages its files and its carry file, then replaces the checkpoint atomically. After
that, segments below `live_from` are dead; before it, the staged files are orphans. So
after a crash at any moment, replaying `carry` + live segments and re-publishing the
committed outboxes (idempotent: same file names) loses nothing acknowledged and
duplicates nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa

from driftline.errors import OutputError
from driftline.inference_log.events import LoggedEvent
from driftline.inference_log.payload import Row
from driftline.sink.writer import write_batch


@dataclass
class Recovered:
    """What a restart finds: events to replay and committed flushes to publish."""

    events: list[LoggedEvent] = field(default_factory=list)
    outboxes: list[int] = field(default_factory=list)
    torn_records: int = 0


def write_durably(path: Path, data: bytes) -> None:
    """Replace `path` with `data`, fsynced: after a crash it holds the old or the new data."""
    temp = path.with_name(f".{path.name}.tmp")
    with open(temp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)


def _number(path: Path) -> int:
    return int(path.stem.split("-", 1)[1])


class WriteAheadLog:
    """The durable state of one sink instance (one process owns a state directory)."""

    def __init__(self, state_dir: str | Path, *, fsync: bool = True) -> None:
        self.dir = Path(state_dir)
        self.fsync = fsync
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            (self.dir / "outbox").mkdir(exist_ok=True)
            self.probe()  # fails now, not at the first event
            instance_file = self.dir / "instance"
            if not instance_file.exists():
                write_durably(instance_file, uuid.uuid4().hex[:12].encode())
            self.instance = instance_file.read_text().strip()
        except OSError as exc:
            raise OutputError(
                f"cannot keep the write-ahead log in `state_dir={state_dir}`: "
                f"{(exc.strerror or str(exc)).lower()}; give a writable local folder",
                param="state_dir",
            ) from exc
        self.checkpoint: dict[str, Any] = {"flush": 0, "live_from": 0, "carry": None}
        if (self.dir / "checkpoint.json").exists():
            self.checkpoint = json.loads((self.dir / "checkpoint.json").read_text())
        self.segment = -1
        self._handle: BinaryIO | None = None

    def probe(self) -> None:
        """Write and fsync a small file in the state directory: OSError if the disk fails."""
        write_durably(self.dir / ".writable", b"")

    # -- start-up ---------------------------------------------------------------------
    def recover(self) -> Recovered:
        """Drop orphans of an unfinished flush, read live events, open a fresh segment."""
        found = Recovered()
        committed = int(self.checkpoint["flush"])
        for staged in (self.dir / "outbox").iterdir():
            if staged.name.isdigit() and int(staged.name) <= committed:
                found.outboxes.append(int(staged.name))
            else:
                shutil.rmtree(staged)
        found.outboxes.sort()
        sources: list[Path] = []
        if self.checkpoint["carry"]:
            sources.append(self.dir / str(self.checkpoint["carry"]))
        segments = sorted(self.dir.glob("wal-*.jsonl"), key=_number)
        sources += [s for s in segments if _number(s) >= int(self.checkpoint["live_from"])]
        for source in sources:
            for line in source.read_bytes().splitlines():
                try:
                    found.events.append(LoggedEvent.from_record(json.loads(line)))
                except (ValueError, KeyError, TypeError):
                    found.torn_records += 1  # an unacknowledged write cut short by a crash
        self._remove_dead()
        last = max([_number(s) for s in segments], default=-1)
        self._open(max(last + 1, int(self.checkpoint["live_from"])))
        return found

    # -- event path -------------------------------------------------------------------
    def _open(self, number: int) -> None:
        self.segment = number
        self._handle = open(self.dir / f"wal-{number:08d}.jsonl", "ab", buffering=0)  # noqa: SIM115

    def append(self, lines: Iterable[bytes]) -> None:
        """Append encoded records and make them durable (one write, one fsync)."""
        data = b"".join(lines)
        if self._handle is None:  # the segment after a failed write could not be opened
            self._open(self.segment + 1)
        assert self._handle is not None
        self._handle.write(data)
        if self.fsync:
            os.fdatasync(self._handle.fileno())

    @staticmethod
    def encode(event: LoggedEvent) -> bytes:
        """One record line."""
        return json.dumps(event.to_record(), separators=(",", ":")).encode() + b"\n"

    def rotate(self) -> int:
        """Start a new segment; returns its number (the first segment after a flush)."""
        if self._handle is not None:
            handle, self._handle = self._handle, None
            handle.close()
        self._open(self.segment + 1)
        return self.segment

    # -- flush path -------------------------------------------------------------------
    def file_name(self, flush: int) -> str:
        """The Parquet file name of flush `flush` in every partition it touches."""
        return f"part-{self.instance}-{flush:08d}.parquet"

    def outbox(self, flush: int) -> Path:
        return self.dir / "outbox" / f"{flush:08d}"

    def commit_flush(
        self,
        rows: list[Row],
        carry: list[LoggedEvent],
        live_from: int,
        types_by_model: Mapping[str, Mapping[str, pa.DataType]] | None = None,
    ) -> tuple[int, list[str]]:
        """Stage `rows` as flush k, save `carry`, commit the checkpoint; (k, files).
        `types_by_model` types the columns that have no value in this flush."""
        flush = int(self.checkpoint["flush"]) + 1
        staging = self.dir / "outbox" / f"{flush:08d}.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        files = write_batch(staging, rows, self.file_name(flush), types_by_model)
        os.replace(staging, self.outbox(flush))
        carry_name = f"carry-{flush:08d}.jsonl"
        write_durably(self.dir / carry_name, b"".join(self.encode(e) for e in carry))
        checkpoint = {"flush": flush, "live_from": live_from, "carry": carry_name}
        write_durably(self.dir / "checkpoint.json", json.dumps(checkpoint).encode())
        self._sync_dir()
        self.checkpoint = checkpoint
        self._remove_dead()
        return flush, files

    def staged_files(self, flush: int) -> list[str]:
        """Relative paths of the Parquet files staged for flush `flush`."""
        root = self.outbox(flush)
        return sorted(str(p.relative_to(root)) for p in root.rglob("*.parquet"))

    def published(self, flush: int) -> None:
        """Forget a flush whose files are published."""
        shutil.rmtree(self.outbox(flush), ignore_errors=True)

    def _remove_dead(self) -> None:
        live_from = int(self.checkpoint["live_from"])
        for segment in self.dir.glob("wal-*.jsonl"):
            if _number(segment) < live_from:
                segment.unlink()
        for carry in self.dir.glob("carry-*.jsonl"):
            if carry.name != self.checkpoint["carry"]:
                carry.unlink()

    def _sync_dir(self) -> None:
        fd = os.open(self.dir, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
