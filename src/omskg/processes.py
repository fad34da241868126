"""The build's processes: forked where the system can fork, with freed memory kept for reuse."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext


def can_fork() -> bool:
    """Not on Windows: there everything is done in one process."""
    import multiprocessing  # (a build of a few files needs none: imported only here)

    return "fork" in multiprocessing.get_all_start_methods()


def forking() -> BaseContext:
    import multiprocessing

    return multiprocessing.get_context("fork")


_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


def reuse_freed_memory() -> None:
    """Let glibc keep freed blocks (up to 32 MiB each, 128 MiB at the heap's top) for the next
    ones instead of handing them back to the kernel, which faults and zeroes them in again
    (a third of a 100k build's system time); the forked processes inherit it."""
    import ctypes

    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(_M_MMAP_THRESHOLD, 32 * 1024 * 1024)
        libc.mallopt(_M_TRIM_THRESHOLD, 128 * 1024 * 1024)
    except (OSError, AttributeError):  # not glibc: its allocator's own ways
        pass
