"""Per-thread scratch arrays for the summaries' per-batch passes.

A batch's temporaries (scaled values, bucket indexes, hashes) are about 1 MiB each. Allocated
afresh per batch, the C allocator hands such blocks back to the system and faults their pages
in again on the next batch, which costs more than the arithmetic. Reusing one array per thread
and purpose avoids that; batches larger than `MAX_SCRATCH` elements get fresh arrays.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np

MAX_SCRATCH = 1 << 18  # elements: 2 MiB per buffer at most (a profile pass's batch rows)
#: values a pass of several numpy calls takes at a time, so that the temporaries between the
#: calls stay in the core's cache (512 KiB of float64; smaller slices mean more numpy calls,
#: each a release and take of the GIL: see docs/perf.md)
SLICE = 1 << 16
_local = threading.local()


def scratch(purpose: str, size: int, dtype: type[np.generic]) -> np.ndarray:
    """An uninitialized array of `size` elements of `dtype`, reused by the calling thread for
    `purpose` (valid until this thread asks for `purpose` again)."""
    if size > MAX_SCRATCH:
        return np.empty(size, dtype)
    buffers: dict[str, np.ndarray] = _local.__dict__.setdefault("buffers", {})
    buffer = buffers.get(purpose)
    if buffer is None or buffer.size < size or buffer.dtype != dtype:
        buffer = buffers[purpose] = np.empty(size, dtype)
    return buffer[:size]


def slices(size: int) -> Iterator[slice]:
    """Consecutive slices of at most `SLICE` elements covering `size` elements."""
    return (slice(start, start + SLICE) for start in range(0, size, SLICE))
