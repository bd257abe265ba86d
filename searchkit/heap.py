"""Giving a long run's freed memory back to the system between its phases.

Freed memory often stays mapped: glibc's heap is returned only from its top, which later allocations
pin, so a phase that built and dropped 10^5 small objects (listing and planning a run's files) leaves
its process tens of megabytes larger for the rest of the run. `give_back` frees unreachable objects and
asks glibc to return every free page (`malloc_trim`); with other C libraries it only collects.
"""

from __future__ import annotations

import contextlib
import gc
import sys


def give_back() -> None:
    """Collect garbage and return the C heap's free pages to the system (glibc on Linux only)."""
    gc.collect()  # clears the interpreter's free lists too: the small blocks they hold can pin heap pages
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
