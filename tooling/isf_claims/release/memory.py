"""Memory given back as it is freed, for the streamed build.

Arrow's default pool (mimalloc) keeps freed memory in per-thread heaps: the pool's
``release_unused`` collects only the calling thread's, and the build frees much of its memory
in worker threads (row groups written, ``ner`` pieces), so a build kept 0.3-0.7 GB it no
longer used. The system allocator, told to map large blocks separately and to trim its heap,
returns them when freed. Allocator settings change no byte of the release.
"""

from __future__ import annotations

import ctypes
import ctypes.util

import pyarrow as pa

M_TRIM_THRESHOLD = -1  # glibc mallopt parameters (malloc.h)
M_MMAP_THRESHOLD = -3
THRESHOLD = 128 * 1024  # blocks from 128 KiB are mapped and unmapped on their own


def give_back_freed_memory() -> None:
    """Arrow's later allocations from the system allocator; glibc's thresholds fixed (no
    effect where the C library is not glibc)."""
    pa.set_memory_pool(pa.system_memory_pool())
    name = ctypes.util.find_library("c")
    if name is None:
        return
    libc = ctypes.CDLL(name)
    if hasattr(libc, "mallopt") and hasattr(libc, "gnu_get_libc_version"):
        libc.mallopt(M_TRIM_THRESHOLD, THRESHOLD)
        libc.mallopt(M_MMAP_THRESHOLD, THRESHOLD)
