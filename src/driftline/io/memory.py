"""The Arrow memory pool that driftline's streaming reads allocate from.

A streaming pass allocates new buffers for every column of every batch it reads. Arrow's
default pool in the Linux wheels (mimalloc) hands the pages of freed buffers back to the
system within milliseconds, and a batch that is summarized for longer than that frees its
pages before the next batch is read: each batch faults fresh pages in again, and the kernel
zeroes them (a sixth of a profile pass's CPU over a 20M-row window, measured with perf; see
docs/perf.md). jemalloc, told to keep freed pages for a few seconds, reuses them instead.
"""

from __future__ import annotations

import functools

import pyarrow as pa

#: how long jemalloc keeps the pages of freed buffers for reuse before returning them
KEEP_FREED_MS = 10_000


@functools.cache
def read_pool() -> pa.MemoryPool:
    """jemalloc's pool keeping freed pages for `KEEP_FREED_MS` (a process-wide jemalloc
    setting, for arenas created from then on), or Arrow's default pool where pyarrow is built
    without jemalloc."""
    try:
        pa.jemalloc_set_decay_ms(KEEP_FREED_MS)  # before the pool's first allocation
        return pa.jemalloc_memory_pool()
    except NotImplementedError:
        return pa.default_memory_pool()
