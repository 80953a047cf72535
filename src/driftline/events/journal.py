"""The receiver's journal: every accepted delivery is a file before the sender gets its answer.

`<folder>/<delivery>.json` holds the route, the event, its state (`pending`, `done`, `failed`)
and attempts. Files are replaced whole (written aside, then renamed), so a receiver killed at
any moment restarts with each delivery either not accepted (the sender retries it) or journaled
(the worker picks it up). A delivery id already journaled is a replay.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from driftline import storage

PENDING, DONE, FAILED = "pending", "done", "failed"


@dataclass(frozen=True)
class Entry:
    """One journaled delivery."""

    delivery: str
    route: str
    event: Any
    received: float
    state: str = PENDING
    attempts: int = 0
    not_before: float = 0.0
    outcome: Any = None
    errors: list[str] = field(default_factory=list)


class Journal:
    """A folder of deliveries, safe to share between the HTTP threads and the worker."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        os.makedirs(folder, exist_ok=True)
        self._lock = threading.Lock()

    def accept(self, delivery: str, route: str, event: Any) -> bool:
        """Journal a new delivery; False (and nothing written) when the id is known."""
        with self._lock:
            if storage.exists(self._path(delivery)):
                return False
            self._write(Entry(delivery, route, event, received=time.time()))
            return True

    def entries(self) -> list[Entry]:
        """Every journaled delivery, oldest first."""
        found = []
        for name in os.listdir(self.folder):
            if name.endswith(".json"):
                text = storage.read_text(os.path.join(self.folder, name), what="journal entry")
                found.append(Entry(**json.loads(text)))
        return sorted(found, key=lambda e: (e.received, e.delivery))

    def due(self, now: float | None = None) -> list[Entry]:
        """The pending deliveries whose retry time has come, oldest first."""
        now = time.time() if now is None else now
        return [e for e in self.entries() if e.state == PENDING and e.not_before <= now]

    def finish(self, entry: Entry, outcome: Any) -> None:
        """Mark a delivery done, with what was done."""
        self._write(replace(entry, state=DONE, attempts=entry.attempts + 1, outcome=outcome))

    def retry(self, entry: Entry, error: str, delay: float) -> None:
        """Keep a delivery pending, to be tried again after `delay` seconds."""
        self._write(
            replace(
                entry,
                attempts=entry.attempts + 1,
                not_before=time.time() + delay,
                errors=[*entry.errors, error],
            )
        )

    def fail(self, entry: Entry, error: str) -> None:
        """Give a delivery up (bad input, or too many attempts)."""
        self._write(
            replace(entry, state=FAILED, attempts=entry.attempts + 1, errors=[*entry.errors, error])
        )

    def _write(self, entry: Entry) -> None:
        storage.write_text(self._path(entry.delivery), json.dumps(asdict(entry), default=str))

    def _path(self, delivery: str) -> str:
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", delivery)[:200] or "_"
        return os.path.join(self.folder, f"{safe}.json")
