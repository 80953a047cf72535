"""Iterate over a stream while another thread fetches its next item (decoding overlaps use)."""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


def read_ahead(items: Iterable[T], depth: int = 1) -> Iterator[T]:
    """Yield `items` in order while a thread fetches up to `depth` more ahead of the consumer.

    An error raised by `items` is raised here, at its place in the stream. When the consumer
    stops early (an error of its own, or `close`), the thread stops after its current item.
    The thread runs in a copy of the caller's context, so what `items` reports (progress)
    reaches the caller's reporter.
    """
    ready: queue.Queue[tuple[bool, object]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry: tuple[bool, object]) -> bool:
        while not stop.is_set():
            try:
                ready.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def fetch() -> None:
        try:
            for item in items:
                if not put((True, item)):
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            put((False, exc))
            return
        put((True, _DONE))

    context = contextvars.copy_context()
    thread = threading.Thread(target=context.run, args=(fetch,), name="read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            fetched, item = ready.get()
            if not fetched:
                assert isinstance(item, BaseException)
                raise item
            if item is _DONE:
                return
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join()
