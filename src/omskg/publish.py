"""The files of a publication, and their atomic publication into a folder."""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

TURTLE = "omskg.ttl"
NTRIPLES = "omskg.nt"
NQUADS = "omskg.nq"
JSONLD = "omskg.jsonld"
CONTEXT = "omskg.context.jsonld"
ONTOLOGY = "omskg-ontology.ttl"
SHAPES = "omskg-shapes.ttl"
DATASET_SHAPES = "omskg-dataset-shapes.ttl"
SSSOM = "omskg.sssom.tsv"
DESCRIPTION = "omskg.dataset.ttl"
SCHEMA_ORG = "omskg.schema.jsonld"
CONDITIONS = "omskg.conditions.json"
CONDITIONS_SCHEMA = "omskg.conditions.schema.json"
KGX_NODES = "omskg.kgx.nodes.jsonl"
KGX_EDGES = "omskg.kgx.edges.jsonl"

PUBLISHED_NAMES = frozenset({
    TURTLE, NTRIPLES, NQUADS, JSONLD, CONTEXT, ONTOLOGY, SHAPES, DATASET_SHAPES, SSSOM, DESCRIPTION,
    SCHEMA_ORG, CONDITIONS, CONDITIONS_SCHEMA, KGX_NODES, KGX_EDGES,
})


class PublishError(Exception):
    pass


SPILL_FROM = 1 << 20  # bytes: a file this large goes to the staging folder as soon as it is made


IN_FLIGHT = 8  # chunks made and not yet written: the writer thread holds at most this many


class _Sink:
    """A file being written by the writer thread, chunk by chunk, with its size and SHA-256."""

    def __init__(self, path: Path) -> None:
        self.handle = open(path, "wb")  # noqa: SIM115 (closed by ``finish``, in the writer thread)
        self.digest = hashlib.sha256()
        self.size = 0
        self.error: BaseException | None = None

    def append(self, chunk: bytes) -> None:
        if self.error is None:
            try:
                self.handle.write(chunk)
                self.digest.update(chunk)
                self.size += len(chunk)
            except BaseException as error:  # (raised by ``finish``, for the file's name)
                self.error = error

    def finish(self) -> tuple[int, str]:
        try:
            if self.error is None:
                self.handle.flush()
                os.fsync(self.handle.fileno())
        finally:
            self.handle.close()
        if self.error is not None:
            raise self.error
        return self.size, self.digest.hexdigest()


class Stream:
    """One large file of a ``Staged``, given chunk by chunk (``append``, then ``close``):
    written as the chunks come where there is a staging folder, else joined in memory."""

    def __init__(self, staged: Staged, name: str) -> None:
        self._staged = staged
        self._sink = _Sink(staged.folder / name) if staged.folder is not None else None
        self._chunks: list[bytes] = []
        self.name = name

    def append(self, chunk: bytes) -> None:
        if self._sink is None:
            self._chunks.append(chunk)
        else:
            self._staged._submit(self.name, self._sink.append, chunk)

    def close(self) -> None:
        if self._sink is None:
            self._staged[self.name] = b"".join(self._chunks)
            self._chunks.clear()
        else:
            self._staged._pending[self.name] = self._staged._submit(self.name, self._sink.finish)


class Staged(MutableMapping[str, bytes]):
    """The files of a publication by name. Given a staging folder, each large file is written
    there (and flushed to disk) as soon as it is made, by a thread of its own while the build
    goes on, and read back only when asked for, so that the build holds at most one of them in
    memory; the small ones stay in memory. ``finish`` waits for the writing (and raises what
    it met); every read of a large file waits for that file."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self._memory: dict[str, bytes] = {}
        self._written: set[str] = set()
        self._digests: dict[str, tuple[int, str]] = {}  # name -> (size, SHA-256), once computed
        self._pending: dict[str, Future[tuple[int, str]]] = {}  # name -> its writing
        self._writers: dict[str, ThreadPoolExecutor] = {}  # name -> the thread writing it
        self._room = threading.BoundedSemaphore(IN_FLIGHT)

    def _submit(self, name: str, work: Callable[..., Any], *args: Any) -> Future[Any]:
        """``work`` done by the file's own thread (its chunks in order; one file's flush to
        disk holds up no other file)."""
        writer = self._writers.get(name)
        if writer is None:
            writer = self._writers[name] = ThreadPoolExecutor(1, thread_name_prefix="omskg-writer")
        self._room.acquire()
        future = writer.submit(work, *args)
        future.add_done_callback(lambda _: self._room.release())
        return future

    def _stop_writers(self) -> None:
        for writer in self._writers.values():
            writer.shutdown()
        self._writers.clear()

    def __setitem__(self, name: str, content: bytes) -> None:
        if name in self:
            del self[name]
        if self.folder is None or len(content) < SPILL_FROM:
            self._memory[name] = content
            return
        stream = self.stream(name)
        stream.append(content)
        stream.close()

    def stream(self, name: str) -> Stream:
        """A large file written as its chunks come (into the staging folder, where there is one)."""
        if name in self:
            del self[name]
        if self.folder is not None:
            self._written.add(name)
        return Stream(self, name)

    def _wait(self, name: str) -> None:
        pending = self._pending.pop(name, None)
        if pending is not None:
            self._digests[name] = pending.result()

    def finish(self) -> None:
        """Wait until every file is written and flushed; raise the first error met."""
        for name in list(self._pending):
            self._wait(name)
        self._stop_writers()

    def abandon(self) -> None:
        """Wait until the writer has stopped, whatever it met (the build failed)."""
        for pending in self._pending.values():
            pending.exception()
        self._pending.clear()
        self._stop_writers()

    def adopt(self, written: dict[str, tuple[int, str]]) -> None:
        """Files another process wrote into the staging folder (``spill``), by size and SHA-256."""
        for name, digest in written.items():
            if name in self:
                del self[name]
            self._written.add(name)
            self._digests[name] = digest

    def size_and_sha256(self, name: str) -> tuple[int, str]:
        """The file's byte size and SHA-256 (hex)."""
        self._wait(name)
        found = self._digests.get(name)
        if found is None:
            content = self[name]
            found = self._digests[name] = (len(content), hashlib.sha256(content).hexdigest())
        return found

    def __getitem__(self, name: str) -> bytes:
        if name in self._written:
            assert self.folder is not None
            self._wait(name)
            return (self.folder / name).read_bytes()
        return self._memory[name]

    def __delitem__(self, name: str) -> None:
        self._wait(name)
        self._digests.pop(name, None)
        if name in self._written:
            assert self.folder is not None
            (self.folder / name).unlink()
            self._written.discard(name)
        else:
            del self._memory[name]

    def __contains__(self, name: object) -> bool:
        return name in self._memory or name in self._written

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._memory.keys() | self._written))

    def __len__(self) -> int:
        return len(self._memory) + len(self._written)

    def in_memory(self) -> dict[str, bytes]:
        return dict(self._memory)


def spill(
    files: Iterable[tuple[str, bytes]], folder: Path
) -> tuple[dict[str, bytes], dict[str, tuple[int, str]]]:
    """The large files written (and flushed) into ``folder``, for a ``Staged`` there to adopt:
    the small ones, and each large one's size and SHA-256. Each is written as it comes, by a
    thread of its own (hashing, writing and flushing let go of the GIL), while the next one
    is made."""
    small: dict[str, bytes] = {}
    pending: dict[str, Future[tuple[int, str]]] = {}
    with ThreadPoolExecutor(8, thread_name_prefix="omskg-spill") as pool:
        for name, content in files:
            if len(content) < SPILL_FROM:
                small[name] = content
            else:
                pending[name] = pool.submit(_written_and_hashed, folder / name, content)
        return small, {name: done.result() for name, done in pending.items()}


def _written_and_hashed(path: Path, content: bytes) -> tuple[int, str]:
    _write(path, content)
    return len(content), hashlib.sha256(content).hexdigest()


def _write(path: Path, content: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


def _write_all(files: dict[Path, bytes]) -> None:
    """Each file written and flushed to disk, by threads at once: each fsync waits for the
    disk (sequentially, 15 small files took 70-140 ms on a busy machine; at once, 10-20 ms)."""
    if not files:
        return
    with ThreadPoolExecutor(min(len(files), 16), thread_name_prefix="omskg-flush") as pool:
        for done in [pool.submit(_write, path, content) for path, content in sorted(files.items())]:
            done.result()


def staging_folder(out_dir: Path) -> Path:
    """Where a build of this process stages ``out_dir`` (see ``write_atomically``)."""
    out_dir = out_dir.resolve()
    return out_dir.parent / f".{out_dir.name}.staging-{os.getpid()}"


def check_out_dir(out_dir: Path) -> None:
    """Refuse an ``out_dir`` that is not a folder, or holds files omskg does not write."""
    out_dir = out_dir.resolve()
    if out_dir.exists():
        if not out_dir.is_dir():
            raise PublishError(f"{out_dir} exists and is not a folder")
        foreign = sorted(p.name for p in out_dir.iterdir() if p.name not in PUBLISHED_NAMES)
        if foreign:
            raise PublishError(
                f"refusing to replace {out_dir}: it holds files omskg does not write "
                f"({', '.join(foreign[:5])}); choose another --out or move them"
            )


def start_staging(out_dir: Path) -> Path:
    """A fresh staging folder for ``out_dir`` (checked first), for a ``Staged`` to write into."""
    check_out_dir(out_dir)
    out_dir.resolve().parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_staging(out_dir.resolve())
    staging = staging_folder(out_dir)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    return staging


def write_atomically(files: Mapping[str, bytes], out_dir: Path) -> None:
    """Replace ``out_dir`` with exactly ``files``, or leave it as it was.

    The files are written and flushed to disk in a sibling folder first; then the two
    folders are swapped in one atomic step (Linux renameat2 RENAME_EXCHANGE), so a build
    killed at any moment leaves either the old publication or the new one, never a mix.
    A folder holding anything omskg does not write is never replaced, so that a mistyped
    --out cannot delete someone's files.
    """
    out_dir = out_dir.resolve()
    staging = staging_folder(out_dir)
    staged = isinstance(files, Staged) and files.folder == staging  # large files already there
    if isinstance(files, Staged):
        files.finish()
    if not staged:
        start_staging(out_dir)
    else:
        check_out_dir(out_dir)
    try:
        written = files.in_memory() if isinstance(files, Staged) and staged else files
        _write_all({staging / name: content for name, content in written.items()})
        if not out_dir.exists():
            staging.rename(out_dir)
        elif _exchange(staging, out_dir):
            _remove(staging)  # now holds the previous publication
        else:  # no atomic exchange on this system: two renames, with a moment between them
            retired = out_dir.parent / f".{out_dir.name}.retired-{os.getpid()}"
            out_dir.rename(retired)
            staging.rename(out_dir)
            _remove(retired)
        if isinstance(files, Staged) and staged:
            files.folder = out_dir  # where its large files are now
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _remove(folder: Path) -> None:
    """``shutil.rmtree``, its files unlinked by threads at once: right after the new files are
    flushed, each unlink waited ~4 ms for the file system's journal (15 files: 60 ms)."""
    files = [path for path in folder.iterdir() if path.is_file() and not path.is_symlink()]
    if files:
        with ThreadPoolExecutor(min(len(files), 16), thread_name_prefix="omskg-remove") as pool:
            list(pool.map(partial(Path.unlink, missing_ok=True), files))
    shutil.rmtree(folder)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders atomically; False where the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _remove_abandoned_staging(out_dir: Path) -> None:
    """Remove staging folders left by builds that were killed (their process is gone)."""
    for leftover in out_dir.parent.glob(f".{out_dir.name}.staging-*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
