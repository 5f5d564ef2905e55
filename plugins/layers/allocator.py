"""Keep the memory one training step frees for the next step (glibc's malloc only).

A training step of a CNN allocates and frees tens of megabytes of arrays (columns, activations,
gradients). With its default settings glibc hands the free top of its heap back to the
operating system once more than 128 KiB are free there (the limit adapts, but to the largest
single block freed, not to a step's total), and serves large arrays from fresh ``mmap``
mappings; either way the next step page-faults the same memory back in, zero-filled, page by
page. On the thesis CNN that was 5,000 page faults and more kernel time than arithmetic per
step. Raising both limits once makes freed memory go back to the heap, where the next step
finds it: the peak memory does not change, only when memory returns to the system (when more
than `TRIM_THRESHOLD` bytes are free at the top of the heap). Blocks above `MMAP_THRESHOLD`
(glibc's largest allowed value) are still mapped per allocation.
"""

from __future__ import annotations

import ctypes
import os

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt parameters, from glibc's <malloc.h>
TRIM_THRESHOLD = 1 << 30
MMAP_THRESHOLD = 32 << 20


def keep_freed_memory() -> bool:
    """Raise glibc's trim and mmap thresholds for this process; False (and nothing done) on
    other C libraries."""
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION").startswith("glibc"):
            return False
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (AttributeError, OSError, ValueError):  # no confstr name, no glibc: leave malloc be
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
