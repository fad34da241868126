"""The build's processes: forked where the system can fork, ended with the build, with freed
memory kept for reuse; the work in chunks; what comes back through a folder on disk rather
than the pool's pipe."""

from __future__ import annotations

import os
import pickle
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

T = TypeVar("T")


def can_fork() -> bool:
    """Not on Windows: there everything is done in one process."""
    import multiprocessing  # (a build of a few files needs none: imported only here)

    return "fork" in multiprocessing.get_all_start_methods()


def worker_count() -> int:
    """How many workers a build forks: one per core, up to 8."""
    return max(1, min(os.cpu_count() or 1, 8))


def pool(workers: int) -> ProcessPoolExecutor:
    """``workers`` processes, forked by the thread that first gives the pool work, each killed
    as soon as that thread ends (with this process, even killed)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    forking = multiprocessing.get_context("fork")
    return ProcessPoolExecutor(workers, mp_context=forking, initializer=_end_with, initargs=(os.getpid(),))


_PR_SET_PDEATHSIG = 1  # (linux/prctl.h)


def _end_with(parent: int) -> None:
    """In a forked process: be killed when the thread of ``parent`` that forked it ends (on
    Linux). A build killed with SIGKILL runs no code, so its pools' processes would otherwise
    wait for work for ever, holding their memory; what they wrote is in the staging folder,
    which the next build removes."""
    import ctypes

    try:
        refused = ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL) != 0
    except (OSError, AttributeError):  # not Linux: nothing asks the system for this
        return
    if refused:  # (a sandbox may refuse it: then as without it)
        return
    if os.getppid() != parent:  # it ended before that was asked
        os._exit(1)


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


def chunks(items: list[T], workers: int) -> list[list[T]]:
    """The items in order, in many chunks per worker, smaller towards the end (so that the
    workers end together): each half of what is left per worker, at most a sixteenth of a
    worker's share, at least one item."""
    largest = -(-len(items) // (workers * 16))
    found: list[list[T]] = []
    start = 0
    while start < len(items):
        size = min(largest, max(1, (len(items) - start) // (workers * 2)))
        found.append(items[start : start + size])
        start += size
    return found


# The pool's results come back through one pipe that every worker shares: a worker that
# sends its parts (megabytes) waits while the parent reads them, and the others wait for
# the pipe. Written to a file instead, they are read when the parent comes to them.


class Spooled(NamedTuple):
    """A worker's result, pickled into this file."""

    path: Path


@contextmanager
def spool(within: Path | None = None) -> Iterator[Path | None]:
    """A temporary folder for the workers' results (in ``within``, where given), removed
    with what is left in it; None where none can be made (they come back through the pipe)."""
    try:
        folder = tempfile.TemporaryDirectory(prefix="omskg-parts-", dir=within, ignore_cleanup_errors=True)
    except OSError:
        yield None
        return
    with folder as name:
        yield Path(name)


def spooled(result: T, folder: Path | None, name: str) -> T | Spooled:
    """In a worker: ``result`` pickled into ``folder``, and where it is; ``result`` itself
    where the file cannot be written (a full disk, say)."""
    if folder is not None:
        path = folder / name
        try:
            path.write_bytes(pickle.dumps(result, pickle.HIGHEST_PROTOCOL))
            return Spooled(path)
        except OSError:
            with suppress(OSError):  # (what is left goes with the folder)
                path.unlink(missing_ok=True)
    return result


def unspooled(result: T | Spooled) -> T:
    """In the parent: what ``spooled`` gave back, read (and its file removed)."""
    if not isinstance(result, Spooled):
        return result
    data = result.path.read_bytes()
    result.path.unlink()
    found: T = pickle.loads(data)
    return found
